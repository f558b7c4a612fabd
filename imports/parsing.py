"""Reading an uploaded spreadsheet (XLSX, XLS, ODS through python-calamine; CSV) into one table of text and numbers.

Every failure is a `SpreadsheetError` with a Vietnamese message; nothing here touches the database.
Hostile files are refused before the reader sees them (`imports.guards`): size limits, declared
uncompressed sizes of zip members, XML with a DTD (entity bombs), and sheets too large to hold.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.names import fold
from units.text import clean_text

from .errors import SpreadsheetError
from .guards import BLANK_ROWS_STOP, MAX_COLUMNS, Formulas, check_xls, check_zip, prepare_ods, prepare_xlsx

MAX_ROWS = 200_000
HEADER_SCAN_ROWS = 40

UNIT_HEADER_WORDS = ("ten don vi", "ten co quan", "don vi", "co quan", "ten xa", "ten huyen", "ma don vi", "ma dvhc")


class Formula(str):
    """The text of a formula whose cell was saved without a computed value (the file was never recalculated)."""


FormulaWithoutValue = Formula


@dataclass
class Table:
    """The part of one sheet that holds data: its header row and the rows below it."""

    sheet: str
    header_row: int  # 1-based row number in the sheet
    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)  # (row number, cells)
    title: list[str] = field(default_factory=list)  # the title block above the header
    sheets: list[str] = field(default_factory=list)
    file_format: str = ""

    def column(self, index: int) -> list:
        return [cells[index] if index < len(cells) else None for _, cells in self.rows]

    def staged(self) -> dict:
        """The table as JSON, kept on the batch so that later steps never read the file again."""
        encode = _encode_cell
        return {
            "sheet": self.sheet,
            "header_row": self.header_row,
            "headers": self.headers,
            "rows": [[number, [encode(c) for c in cells]] for number, cells in self.rows],
            "title": self.title,
            "sheets": self.sheets,
            "file_format": self.file_format,
        }

    @classmethod
    def from_staged(cls, staged: dict) -> "Table":
        decode = _decode_cell
        return cls(
            sheet=staged["sheet"],
            header_row=staged["header_row"],
            headers=staged["headers"],
            rows=[(number, [decode(c) for c in cells]) for number, cells in staged["rows"]],
            title=staged.get("title", []),
            sheets=staged.get("sheets", []),
            file_format=staged.get("file_format", ""),
        )


def _encode_cell(value):
    # JSON keeps text, numbers, booleans and nulls as they are; a formula without a value is marked.
    return {"formula": str(value)} if isinstance(value, Formula) else value


def _decode_cell(value):
    return Formula(value["formula"]) if isinstance(value, dict) else value


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def detect_format(data: bytes, file_name: str) -> str:
    """The real format from the file's first bytes (an extension can lie)."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                if "mimetype" in names:
                    mimetype = zf.read("mimetype")[:100]
                    if b"spreadsheet" in mimetype:
                        return "ods"
                if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
                    return "xlsx"
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise SpreadsheetError(_("Tệp bị hỏng: không giải nén được (tệp nén ZIP không hợp lệ).")) from None
        raise SpreadsheetError(_("Tệp là một tệp nén nhưng không phải bảng tính Excel (XLSX) hay ODS."))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    if data[:2] == b"PK":
        raise SpreadsheetError(_("Tệp bị hỏng: không giải nén được (tệp nén ZIP không hợp lệ)."))
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension in ("xlsx", "xlsm", "xls", "ods"):
        raise SpreadsheetError(
            _("Tệp “%(name)s” có đuôi .%(ext)s nhưng nội dung không phải bảng tính; hãy mở bằng Excel và lưu lại.")
            % {"name": file_name, "ext": extension}
        )
    if extension not in ("csv", "txt", "tsv", ""):
        # A Word document or an image is not read as text just because its bytes happen to decode.
        raise SpreadsheetError(
            _("Tệp “%(name)s” không phải bảng tính: chỉ nhận tệp XLSX, XLS, ODS hoặc CSV.") % {"name": file_name}
        )
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "csv"  # Excel's "Unicode Text": UTF-16 with a BOM, tab-separated
    head = data[:4096]
    if b"\x00" in head:
        raise SpreadsheetError(
            _("Tệp “%(name)s” không phải bảng tính (XLSX, XLS, ODS hoặc CSV).") % {"name": file_name}
        )
    return "csv"


def _rows_until_blank_run(rows):
    """Yield (row number, cells) and stop after BLANK_ROWS_STOP blank rows in a row or MAX_ROWS rows."""
    blank = 0
    for number, cells in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise SpreadsheetError(
                _("Bảng tính có hơn %(max)s dòng; hãy chia nhỏ tệp.") % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
            )
        cells = list(cells[:MAX_COLUMNS])
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            blank += 1
            if blank >= BLANK_ROWS_STOP:
                return
            continue
        blank = 0
        yield number, cells


def _value(value):
    """A cell as the importer keeps it: None for empty (and error) cells, whole floats as int, dates as ISO text."""
    kind = type(value)  # the reader's own types first: a national file is 100,000 cells
    if kind is str:
        return value or None
    if kind is float:
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if value == "":
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if isinstance(value, str | int | bool):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


_READ_ERRORS = {
    "xlsx": gettext_lazy("Không đọc được tệp Excel: %(error)s"),
    "xls": gettext_lazy("Không đọc được tệp Excel 97-2003 (XLS): %(error)s"),
    "ods": gettext_lazy("Không đọc được tệp ODS: %(error)s"),
}


def _workbook_sheets(data: bytes, kind: str, formulas: Formulas):
    """The sheets of an XLSX, XLS or ODS through python-calamine, each readable as a stream of rows."""
    from python_calamine import CalamineWorkbook

    message = str(_READ_ERRORS[kind])
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # the reader's own errors, and whatever a broken file makes it raise
        raise SpreadsheetError(message % {"error": exc}) from None
    for name in workbook.sheet_names:

        def rows(name=name):
            try:
                sheet = workbook.get_sheet_by_name(name)
            except Exception as exc:
                raise SpreadsheetError(message % {"error": exc}) from None
            # Rows come from the sheet's first row, cells from its first used column.
            pad = [None] * (sheet.start[1] if sheet.start else 0)
            without_values = formulas.get(name, {})
            for index, row in enumerate(sheet.iter_rows()):
                cells = pad + [_value(v) for v in row[: max(MAX_COLUMNS - len(pad), 0)]]
                for column, formula in without_values.get(index, {}).items():
                    if column < len(cells) and cells[column] is None:
                        cells[column] = Formula(formula)
                yield cells

        yield name, rows


def _csv_sheets(data: bytes):
    try:
        text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(
            _("Tệp CSV phải mã hóa UTF-8 (có hoặc không có BOM); byte lỗi ở vị trí %(pos)s.") % {"pos": exc.start}
        ) from None
    sample = [line for line in text.splitlines()[:50] if line.strip()]
    try:
        delimiter = _csv_delimiter(sample)
    except csv.Error as exc:
        raise SpreadsheetError(_("Tệp CSV không hợp lệ: %(error)s") % {"error": exc}) from None

    def rows():
        try:
            for row in csv.reader(io.StringIO(text), delimiter=delimiter):
                yield [cell if cell.strip() else None for cell in row]
        except csv.Error as exc:
            raise SpreadsheetError(_("Tệp CSV không hợp lệ: %(error)s") % {"error": exc}) from None

    yield "CSV", rows


def _csv_delimiter(lines: list[str]) -> str:
    """Semicolon or tab if the lines split on it consistently; comma otherwise (commas are also decimal marks)."""
    for candidate in (";", "\t"):
        counts = [len(next(csv.reader([line], delimiter=candidate))) for line in lines]
        if counts and max(counts) > 1 and sum(1 for c in counts if c > 1) >= max(1, len(counts) // 2):
            return candidate
    return ","


def _is_text(value) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not _looks_numeric(value)


def _looks_numeric(value: str) -> bool:
    stripped = value.strip().replace(".", "").replace(",", "").replace("%", "").replace("-", "").replace(" ", "")
    return stripped.isdigit()


def find_header(rows: list[tuple[int, list]]) -> int:
    """Index in `rows` of the header row: the title block above it has one filled cell per line.

    The header is the first row with at least two text cells that either names a unit column
    ("Tên đơn vị", "Tên cơ quan, đơn vị", "Mã") or is as wide as the rows below it.
    """
    widths = [sum(1 for c in cells if c is not None) for _, cells in rows]
    for index, (_number, cells) in enumerate(rows):
        texts = [fold(c) for c in cells if _is_text(c)]
        if len(texts) < 2:
            continue
        if any(any(w in t for w in UNIT_HEADER_WORDS) for t in texts):
            return index
        below = widths[index + 1 : index + 6]
        if below and len(texts) >= max(below) and all(not isinstance(c, int | float) for c in cells if c is not None):
            return index
    raise SpreadsheetError(
        _("Không tìm thấy dòng tiêu đề cột trong %(n)s dòng đầu (cần một dòng như “Tên đơn vị | Điểm tổng hợp | …”).")
        % {"n": HEADER_SCAN_ROWS}
    )


def _is_subheader(headers: list[str], cells: list) -> bool:
    """A second header row under merged cells: text only, under a header cell left empty by a merge,
    and nothing under the unit column (a data row always names its unit)."""
    filled = [c for c in cells if c is not None]
    if not filled or not all(_is_text(c) for c in filled):
        return False
    under_merge = any(i < len(cells) and cells[i] is not None and not h for i, h in enumerate(headers))
    unit_columns = [i for i, h in enumerate(headers) if any(w in fold(h) for w in UNIT_HEADER_WORDS)]
    return under_merge and all(i >= len(cells) or cells[i] is None for i in unit_columns)


def _combine_headers(headers: list[str], sub: list, width: int) -> list[str]:
    """ "Điểm tổng hợp" merged over "Điểm" | "Tăng giảm" → "Điểm tổng hợp Điểm" | "Điểm tổng hợp Tăng giảm"."""
    combined, parent = [], ""
    for i in range(width):
        top = headers[i] if i < len(headers) else ""
        below = str(sub[i]).strip() if i < len(sub) and sub[i] is not None else ""
        if top:
            parent = top
        owner = top or parent  # an empty top cell belongs to the merged cell on its left
        combined.append(f"{owner} {below}".strip() if below else top)
    return combined


# Over the complexity bound (C901) on purpose: finds the header row and sub-header of each sheet in one pass over the
# rows the guards let through.
def read_table(data: bytes, file_name: str, sheet: str | None = None) -> Table:  # noqa: C901
    """The data table of the chosen sheet (or of the first sheet that has one)."""
    if not data:
        raise SpreadsheetError(_("Tệp “%(name)s” rỗng (0 byte).") % {"name": file_name})
    limit = max_upload_bytes()
    if len(data) > limit:
        raise SpreadsheetError(
            _("Tệp “%(name)s” nặng %(size)s MB, vượt giới hạn %(limit)s MB.")
            % {"name": file_name, "size": round(len(data) / 1048576, 1), "limit": round(limit / 1048576, 1)}
        )
    kind = detect_format(data, file_name)
    formulas: Formulas = {}
    if kind in ("xlsx", "ods"):
        check_zip(data)
    if kind == "xlsx":
        data, formulas = prepare_xlsx(data)
    elif kind == "ods":
        data = prepare_ods(data)
    elif kind == "xls":
        check_xls(data)
    sheets = _csv_sheets(data) if kind == "csv" else _workbook_sheets(data, kind, formulas)
    names: list[str] = []
    found: Table | None = None
    problems: list[str] = []
    for name, rows_factory in sheets:
        names.append(name)
        if found is not None or (sheet and name != sheet):
            continue
        rows = list(_rows_until_blank_run(rows_factory()))
        if not rows:
            problems.append(_("trang “%(sheet)s” trống") % {"sheet": name})
            continue
        try:
            index = find_header(rows[:HEADER_SCAN_ROWS])
        except SpreadsheetError as exc:
            problems.append(_("trang “%(sheet)s”: %(error)s") % {"sheet": name, "error": exc})
            continue
        header_number, header_cells = rows[index]
        width = max(len(cells) for _, cells in rows)
        headers = [clean_text(str(c)).strip() if c is not None else "" for c in header_cells]
        headers += [""] * (width - len(header_cells))
        first_data = index + 1
        if first_data < len(rows) and _is_subheader(headers, rows[first_data][1]):
            headers = _combine_headers(headers, rows[first_data][1], width)
            first_data += 1
        # Text enters the portal here: invisible direction controls go (units.text.clean_text).
        body = [(n, [clean_text(c) for c in cells] + [None] * (width - len(cells))) for n, cells in rows[first_data:]]
        found = Table(
            sheet=name,
            header_row=header_number,
            headers=headers,
            rows=body,
            title=[" ".join(str(c) for c in cells if c is not None) for _, cells in rows[:index]],
            file_format=kind,
        )
    if sheet and sheet not in names:
        raise SpreadsheetError(
            _("Không có trang “%(sheet)s” trong tệp; các trang: %(names)s.")
            % {"sheet": sheet, "names": ", ".join(names)}
        )
    if found is None:
        if not names:
            raise SpreadsheetError(_("Tệp không có trang tính nào."))
        raise SpreadsheetError(_("Không có dữ liệu để nhập: %(problems)s.") % {"problems": "; ".join(problems)})
    if not found.rows:
        raise SpreadsheetError(
            _("Trang “%(sheet)s” chỉ có dòng tiêu đề (dòng %(row)s), không có dòng số liệu nào.")
            % {"sheet": found.sheet, "row": found.header_row}
        )
    found.sheets = names
    return found
