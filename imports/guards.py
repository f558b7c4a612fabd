"""Checks in front of the spreadsheet reader: what a hostile or broken file could make it do.

python-calamine reads a sheet into one dense grid from its first to its last cell, so a tiny
file with one cell at XFD1048576, or an ODS row repeated a million times, would ask it for
gigabytes. Before it sees a file, this module checks the zip members' declared sizes and
ratios and refuses XML with a DTD (entity bombs); applies the importer's rule that a run of
BLANK_ROWS_STOP blank rows ends a sheet to the XML itself, so that rows far below the data are
never read; and bounds what is left. It also finds the formulas saved without a computed value,
which the reader returns as empty cells. Nothing here parses a sheet's values.
"""

import html
import io
import posixpath
import re
import struct
import zipfile

from django.utils.translation import gettext as _

from .errors import SpreadsheetError

# A sheet with this many blank rows in a row has ended: stops "a million blank rows" cheaply.
BLANK_ROWS_STOP = 200
MAX_COLUMNS = 200
# Zip members may expand to at most this many bytes in all, and any one member at most this ratio.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200
# The reader holds a sheet as a grid of this many cells at most (some 32 bytes each); a national
# month is 4,100 rows × 30 columns, 123k cells.
MAX_CELLS = 4_000_000

_NS = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix ("x:row")
_ROW_TAG = re.compile(rb"<" + _NS + rb"row\b[^>]*?\sr=\"(\d+)\"")
_ROW_TAG_PLAIN = re.compile(rb"<row r=\"(\d+)\"")  # as Excel, LibreOffice and openpyxl write it: 15× faster
# A cell reference is the only `r` attribute holding letters and digits ("AB12"); rows hold digits.
# Widest references first: a sheet of 28 columns has few "AA"…"AB" cells to collect, no "AAA".
# (An attribute that merely ends in "r" could only make the bound larger, never hide a cell.)
_CELL_COLUMNS = [re.compile(rb"r=\"([A-Z]{%d})\d" % n) for n in (3, 2, 1)]
_SHEET_DATA = re.compile(rb"<(" + _NS + rb")sheetData\b")
_FORMULA_CELL = re.compile(
    rb"<" + _NS + rb"c\b([^>]*?)>\s*<" + _NS + rb"f\b[^>]*?(?:/>|>([^<]*)</" + _NS + rb"f>)"
    rb"\s*(?:<" + _NS + rb"v\b[^>]*?(?:/>|>([^<]*)</" + _NS + rb"v>))?"
)
_REF = re.compile(rb"\sr=\"([A-Z]{1,3})(\d+)\"")
_ATTRS = re.compile(rb"([\w:.-]+)=\"([^\"]*)\"")
_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*?)(/?)>")
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)/?>")
_ROWS_REPEATED = re.compile(rb"number-rows-repeated=\"(\d+)\"")
_COLUMNS_REPEATED = re.compile(rb"number-columns-repeated=\"(\d+)\"")

Formulas = dict[str, dict[int, dict[int, str]]]  # sheet name → row index → column index → formula


def check_zip(data: bytes) -> None:
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


def _too_large(sheet: str, rows: int, columns: int) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "Trang “%(sheet)s” trải ra %(rows)s dòng × %(columns)s cột, vượt giới hạn %(cells)s ô: có thể là tệp "
            "độc hại hoặc có ô thừa ở xa bảng số liệu; xóa các dòng, cột thừa rồi lưu lại."
        )
        % {
            "sheet": sheet,
            "rows": f"{rows:,}".replace(",", "."),
            "columns": f"{columns:,}".replace(",", "."),
            "cells": f"{MAX_CELLS:,}".replace(",", "."),
        }
    )


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ch - 64)
    return index - 1


def _xlsx_sheet_paths(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip member) in workbook order; empty when the workbook is too broken to say."""
    try:
        rels = zf.read("xl/_rels/workbook.xml.rels")
        workbook = zf.read("xl/workbook.xml")
    except KeyError:
        return []
    targets = {}
    for tag in re.finditer(rb"<" + _NS + rb"Relationship\b([^>]*)>", rels):
        attrs = dict(_ATTRS.findall(tag.group(1)))
        targets[attrs.get(b"Id", b"")] = attrs.get(b"Target", b"").decode("utf-8", "replace")
    sheets = []
    for tag in re.finditer(rb"<" + _NS + rb"sheet\b([^>]*)>", workbook):
        attrs = dict(_ATTRS.findall(tag.group(1)))
        rel = next((v for k, v in attrs.items() if k.endswith(b":id")), b"")
        target = targets.get(rel, "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        sheets.append((html.unescape(attrs.get(b"name", b"").decode("utf-8", "replace")), path))
    return sheets


def _row_tags(xml: bytes) -> list[re.Match]:
    plain = list(_ROW_TAG_PLAIN.finditer(xml))
    if len(plain) == xml.count(b"<row ") and b":row " not in xml:
        return plain
    return list(_ROW_TAG.finditer(xml))


def _max_column(xml: bytes) -> int:
    for pattern in _CELL_COLUMNS:
        found = set(pattern.findall(xml))
        if found:
            return _column_index(max(found)) + 1
    return 1


def _trim_xlsx_sheet(xml: bytes, rows: list[re.Match]) -> bytes:
    """The sheet without what follows its first run of BLANK_ROWS_STOP missing rows (never read)."""
    previous = 0
    for match in rows:
        number = int(match.group(1))
        if number - previous - 1 >= BLANK_ROWS_STOP:
            prefix = _SHEET_DATA.search(xml)
            p = prefix.group(1) if prefix else b""
            return xml[: match.start()] + b"</" + p + b"sheetData></" + p + b"worksheet>"
        previous = max(previous, number)
    return xml


def _xlsx_formulas(xml: bytes) -> dict[int, dict[int, str]]:
    found: dict[int, dict[int, str]] = {}
    for match in _FORMULA_CELL.finditer(xml):
        if (match.group(3) or b"").strip():
            continue  # the formula's value was saved with it
        ref = _REF.search(b" " + match.group(1))
        if ref is None:
            continue
        text = html.unescape((match.group(2) or b"").decode("utf-8", "replace")) or "…"
        found.setdefault(int(ref.group(2)) - 1, {})[_column_index(ref.group(1))] = "=" + text
    return found


def prepare_xlsx(data: bytes) -> tuple[bytes, Formulas]:
    """The workbook as the reader may see it (sheets trimmed after a long blank run) and its formulas
    without values; refuses sheets whose extent would not fit MAX_CELLS."""
    replaced: dict[str, bytes] = {}
    formulas: Formulas = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = set(zf.namelist())
        for name, path in _xlsx_sheet_paths(zf):
            if path not in members:
                continue  # the reader reports the missing part
            xml = zf.read(path)
            tags = _row_tags(xml)
            trimmed = _trim_xlsx_sheet(xml, tags)
            if trimmed is not xml:
                replaced[path] = trimmed
                tags = _row_tags(trimmed)
            rows = max((int(m.group(1)) for m in tags), default=0)
            columns = _max_column(trimmed)
            if rows * columns > MAX_CELLS:
                raise _too_large(name, rows, columns)
            if b"<f" in trimmed or b":f>" in trimmed or b":f " in trimmed:
                formulas[name] = _xlsx_formulas(trimmed)
    return (_rezip(data, replaced) if replaced else data), formulas


def prepare_ods(data: bytes) -> bytes:
    """The workbook with repeated rows and cells capped: a repeated row beyond BLANK_ROWS_STOP is
    never read (a blank run ends the sheet), a repeated cell beyond MAX_COLUMNS neither."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        try:
            content = zf.read("content.xml")
        except KeyError:
            raise SpreadsheetError(_("Tệp ODS thiếu phần content.xml: tệp bị hỏng.")) from None

    def cap(limit):
        return lambda m: (
            b'number-%s-repeated="%d"'
            % (
                b"rows" if b"rows" in m.group(0) else b"columns",
                min(int(m.group(1)), limit),
            )
        )

    capped = _COLUMNS_REPEATED.sub(cap(MAX_COLUMNS), _ROWS_REPEATED.sub(cap(BLANK_ROWS_STOP), content))
    rows, widest = 0, 0
    starts = [(m.start(), m.group(1), m.group(2)) for m in _ODS_ROW.finditer(capped)]
    for index, (start, attrs, closed) in enumerate(starts):
        repeat = _ROWS_REPEATED.search(attrs)
        rows += int(repeat.group(1)) if repeat else 1
        if closed:
            continue
        end = starts[index + 1][0] if index + 1 < len(starts) else len(capped)
        width = 0
        for cell in _ODS_CELL.finditer(capped, start, end):
            repeat = _COLUMNS_REPEATED.search(cell.group(1))
            width += int(repeat.group(1)) if repeat else 1
        widest = max(widest, width)
    if rows * widest > MAX_CELLS:
        raise _too_large("content.xml", rows, widest)
    return _rezip(data, {"content.xml": capped}) if capped != content else data


def check_xls(data: bytes) -> None:
    """Bound the grid of a legacy XLS from the cells its workbook stream holds (BIFF8 records)."""
    stream = _ole_stream(data, ("Workbook", "Book"))
    if stream is None:
        return  # not a readable compound file: the reader says why
    rows = columns = 0
    position, end = 0, len(stream)
    while position + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, position)
        body = position + 4
        if kind in _XLS_CELL_RECORDS and length >= 4:
            row, column = struct.unpack_from("<HH", stream, body)
            if kind in (0x00BD, 0x00BE) and length >= 6:  # MULRK/MULBLANK: the last column ends the record
                column = struct.unpack_from("<H", stream, body + length - 2)[0]
            rows, columns = max(rows, row + 1), max(columns, column + 1)
        elif kind == 0x000A and rows * columns > MAX_CELLS:  # EOF of a sheet
            break
        position = body + length
    if rows * columns > MAX_CELLS:
        raise _too_large("XLS", rows, columns)


# NUMBER, RK, LABELSST, LABEL, BOOLERR, FORMULA, MULRK, MULBLANK, BLANK (MULBLANK and BLANK are
# empty cells, but the reader still spans them).
_XLS_CELL_RECORDS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00BD, 0x00BE, 0x0201}


# Over the complexity bound (C901) on purpose: walks the OLE container's sector chains in one pass; each branch is a
# check of a malformed file.
def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes | None:  # noqa: C901
    """One stream of an OLE compound file (the container of XLS), or None when the file is not one."""
    try:
        sector_size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
        directory_start, cutoff, minifat_start = struct.unpack_from("<I4xII", data, 0x30)
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        difat_next, difat_count = struct.unpack_from("<II", data, 0x44)
        sectors = (len(data) - 512) // sector_size + 1

        def sector(n: int) -> bytes:
            offset = 512 + n * sector_size
            return data[offset : offset + sector_size]

        for _ in range(min(difat_count, sectors)):
            if difat_next >= sectors:
                break
            block = sector(difat_next)
            difat += struct.unpack_from(f"<{sector_size // 4 - 1}I", block)
            difat_next = struct.unpack_from("<I", block, sector_size - 4)[0]
        fat: list[int] = []
        for n in difat:
            if n < sectors:
                fat += struct.unpack_from(f"<{sector_size // 4}I", sector(n))

        def chain(start: int) -> bytes:
            out, n, seen = [], start, 0
            while n < len(fat) and n < sectors and seen <= sectors:
                out.append(sector(n))
                n, seen = fat[n], seen + 1
            return b"".join(out)

        directory = chain(directory_start)
        root_start = struct.unpack_from("<I", directory, 0x74)[0]
        for offset in range(0, len(directory) - 127, 128):
            length = struct.unpack_from("<H", directory, offset + 0x40)[0]
            name = directory[offset : offset + max(length - 2, 0)].decode("utf-16-le", "replace")
            if name not in names:
                continue
            start, size = struct.unpack_from("<II", directory, offset + 0x74)
            if size >= cutoff:
                return chain(start)[:size]
            ministream = chain(root_start)
            minifat = struct.unpack_from(f"<{len(chain(minifat_start)) // 4}I", chain(minifat_start))
            out, n, seen = [], start, 0
            while n < len(minifat) and seen <= len(minifat):
                out.append(ministream[n * mini_size : (n + 1) * mini_size])
                n, seen = minifat[n], seen + 1
            return b"".join(out)[:size]
    except (struct.error, ValueError, OverflowError, MemoryError):
        return None
    return None


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, replace.get(item.filename) or src.read(item.filename))
    return out.getvalue()
