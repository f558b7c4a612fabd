"""The one formula escaper: every cell a download writes (CSV or XLSX, header rows included) goes through it.

A spreadsheet treats a cell that starts with one of FORMULA_STARTS as a formula ("=HYPERLINK(…)",
"+1+cmd|…", "@SUM(A1)"), or starts one after a leading tab, carriage return or line feed. A
leading apostrophe makes Excel and LibreOffice show the text as it is and run nothing. The
full-width forms are there because some spreadsheets fold them to their ASCII twins on input.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%", "＝", "＋", "－", "＠")


def escape_formula(value):
    """'=HYPERLINK(…)' → "'=HYPERLINK(…)"; numbers, None and other text unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def escape_row(values) -> list:
    """A row of cells, each escaped."""
    return [escape_formula(v) for v in values]


def append_text_safe(sheet, values) -> None:
    """Append a row to an openpyxl sheet; text cells are stored as text, never as a formula."""
    sheet.append(escape_row(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
