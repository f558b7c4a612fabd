"""Reading an uploaded spreadsheet (XLSX, XLS, ODS, CSV) into one table of text and numbers.

Every failure is a `SpreadsheetError` with a Vietnamese message; nothing here touches the database.
Hostile files are refused before a parser sees them: size limits, declared uncompressed sizes
of zip members, and XML with a DTD (entity bombs) are checked first.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from units.text import fold

from .xlsx import Formula, Workbook, XlsxError

# A sheet with this many blank rows in a row has ended: stops "a million blank rows" cheaply.
BLANK_ROWS_STOP = 200
MAX_ROWS = 200_000
MAX_COLUMNS = 200
HEADER_SCAN_ROWS = 40
# Zip members may expand to at most this many bytes in all, and any one member at most this ratio.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200

UNIT_HEADER_WORDS = ("ten don vi", "ten co quan", "don vi", "co quan", "ten xa", "ten huyen", "ma don vi", "ma dvhc")


class SpreadsheetError(Exception):
    """The file cannot be read as a spreadsheet; the message says why, in Vietnamese."""


# A formula cell saved without its computed value (the file was never recalculated).
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


def _check_zip(data: bytes) -> None:
    """Refuse zip bombs and XML with a DTD before any XML parser sees the members."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise SpreadsheetError(
                    _("Tệp giải nén ra %(size)s MB, vượt giới hạn %(limit)s MB: có thể là tệp độc hại, không đọc.")
                    % {"size": total // (1024 * 1024), "limit": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
                )
            for info in infos:
                if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise SpreadsheetError(
                        _(
                            "Tệp có phần “%(part)s” nén bất thường (tỷ lệ nén quá %(ratio)s lần): có thể là tệp độc hại, không đọc."
                        )
                        % {"part": info.filename, "ratio": MAX_RATIO}
                    )
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with zf.open(info) as member:
                        head = member.read(2048)
                    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                        raise SpreadsheetError(
                            _("Tệp có khai báo DTD/ENTITY trong “%(part)s” (bảng tính thật không có): không đọc.")
                            % {"part": info.filename}
                        )
    except zipfile.BadZipFile:
        raise SpreadsheetError(_("Tệp bị hỏng: không giải nén được (tệp nén ZIP không hợp lệ).")) from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
        raise SpreadsheetError(_("Tệp bị hỏng: không giải nén được (%(error)s).") % {"error": exc}) from None


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


def _xlsx_sheets(data: bytes):
    try:
        workbook = Workbook(data)
    except (XlsxError, zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise SpreadsheetError(_("Không đọc được tệp Excel: %(error)s") % {"error": exc}) from None
    for name, path in workbook.sheets:

        def rows(path=path):
            try:
                yield from workbook.rows(path, MAX_COLUMNS)
            except XlsxError as exc:
                raise SpreadsheetError(_("Không đọc được tệp Excel: %(error)s") % {"error": exc}) from None

        yield name, rows


def _xls_sheets(data: bytes):
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:
        raise SpreadsheetError(_("Không đọc được tệp Excel 97-2003 (XLS): %(error)s") % {"error": exc}) from None
    for name in book.sheet_names():
        sheet = book.sheet_by_name(name)

        def rows(sheet=sheet, book=book):
            for r in range(sheet.nrows):
                out = []
                for cell in sheet.row(r)[:MAX_COLUMNS]:
                    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        out.append(None)
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        out.append(None)
                    else:
                        out.append(cell.value)
                yield out

        yield name, rows


_ODS_NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def _ods_sheets(data: bytes):
    """Stream content.xml with defusedxml: repeated rows and columns are expanded lazily, never in memory."""
    from defusedxml.ElementTree import iterparse

    t, o = "{" + _ODS_NS["table"] + "}", "{" + _ODS_NS["office"] + "}"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        try:
            content = zf.read("content.xml")
        except KeyError:
            raise SpreadsheetError(_("Tệp ODS thiếu phần content.xml: tệp bị hỏng.")) from None
    tables: list[tuple[str, list]] = []
    try:
        rows: list = []
        name = ""
        for event, elem in iterparse(io.BytesIO(content), events=("start", "end")):
            if event == "start" and elem.tag == t + "table":
                name = elem.get(t + "name", "")
                rows = []
            elif event == "end" and elem.tag == t + "table-row":
                cells = []
                for cell in elem:
                    if cell.tag not in (t + "table-cell", t + "covered-table-cell"):
                        continue
                    repeat = min(int(cell.get(t + "number-columns-repeated", "1")), MAX_COLUMNS)
                    value = _ods_value(cell, o)
                    cells.extend([value] * repeat)
                    if len(cells) >= MAX_COLUMNS:
                        break
                while cells and cells[-1] is None:
                    cells.pop()
                repeat = int(elem.get(t + "number-rows-repeated", "1"))
                if cells:
                    rows.extend([cells] * min(repeat, MAX_ROWS))
                else:
                    rows.append(("blank", repeat))
                elem.clear()
                if len(rows) > MAX_ROWS + BLANK_ROWS_STOP:
                    raise SpreadsheetError(_("Bảng tính có quá nhiều dòng; hãy chia nhỏ tệp."))
            elif event == "end" and elem.tag == t + "table":
                tables.append((name, rows))
                elem.clear()
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise SpreadsheetError(_("Không đọc được tệp ODS: %(error)s") % {"error": exc}) from None

    for name, rows in tables:

        def expand(rows=rows):
            for row in rows:
                if isinstance(row, tuple):
                    # A run of blank rows: yield at most enough of them to end the sheet.
                    for _blank in range(min(row[1], BLANK_ROWS_STOP)):
                        yield []
                else:
                    yield row

        yield name, expand


def _ods_value(cell, o: str):
    kind = cell.get(o + "value-type")
    if kind in ("float", "percentage", "currency"):
        raw = cell.get(o + "value")
        try:
            number = float(raw)
        except (TypeError, ValueError):
            return None
        if kind == "percentage":
            return f"{number * 100:g}%"
        return int(number) if number.is_integer() and "." not in (raw or "") else number
    text = "\n".join("".join(p.itertext()) for p in cell if p.tag.endswith("}p"))
    return text if text.strip() else None


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


def read_table(data: bytes, file_name: str, sheet: str | None = None) -> Table:
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
    if kind in ("xlsx", "ods"):
        _check_zip(data)
    reader = {"xlsx": _xlsx_sheets, "xls": _xls_sheets, "ods": _ods_sheets, "csv": _csv_sheets}[kind]
    names: list[str] = []
    found: Table | None = None
    problems: list[str] = []
    for name, rows_factory in reader(data):
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
        headers = [str(c).strip() if c is not None else "" for c in header_cells] + [""] * (width - len(header_cells))
        first_data = index + 1
        if first_data < len(rows) and _is_subheader(headers, rows[first_data][1]):
            headers = _combine_headers(headers, rows[first_data][1], width)
            first_data += 1
        body = [(n, cells + [None] * (width - len(cells))) for n, cells in rows[first_data:]]
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
