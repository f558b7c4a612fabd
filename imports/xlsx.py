"""A streaming XLSX reader on expat: values only, row by row, in constant memory.

openpyxl's read-only mode spends most of its time building cell objects and, for files without a
<dimension> element, scans the whole sheet once more before reading it; a national month
(100k values) took it 5 s. This reader takes the cached value of every cell, marks formulas
saved without one, and refuses any DTD or entity declaration as it parses (as defusedxml does).
"""

import io
import posixpath
import re
import zipfile
from xml.parsers import expat

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CHUNK = 1 << 16
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


class XlsxError(Exception):
    """The workbook's structure or XML is broken; the message is English detail for the caller to wrap."""


class Formula(str):
    """The text of a formula whose cell was saved without a computed value."""


def _parser(start=None, end=None, chars=None) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.buffer_size = CHUNK

    def refuse(*_args):
        raise XlsxError("DTD or entity declarations are not allowed")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if chars:
        parser.CharacterDataHandler = chars
    return parser


def _parse_all(data: bytes, **handlers) -> None:
    parser = _parser(**handlers)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise XlsxError(f"XML error: {exc}") from None


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


class Workbook:
    """The sheets of an XLSX in order, each readable as a stream of rows."""

    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.names = set(self.zip.namelist())
        self.sheets = self._sheets()
        self._strings: list[str] | None = None

    def _read(self, name: str) -> bytes:
        if name not in self.names:
            raise XlsxError(f"missing part {name}")
        return self.zip.read(name)

    def _sheets(self) -> list[tuple[str, str]]:
        rels: dict[str, str] = {}

        def rel_start(tag, attrs):
            if tag.endswith(" Relationship") or tag == "Relationship":
                rels[attrs.get("Id", "")] = attrs.get("Target", "")

        _parse_all(self._read("xl/_rels/workbook.xml.rels"), start=rel_start)
        sheets: list[tuple[str, str]] = []

        def wb_start(tag, attrs):
            if tag == f"{MAIN_NS} sheet":
                target = rels.get(attrs.get(f"{REL_NS} id", ""), "")
                path = (
                    target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
                )
                sheets.append((attrs.get("name", ""), path))

        _parse_all(self._read("xl/workbook.xml"), start=wb_start)
        if not sheets:
            raise XlsxError("the workbook lists no sheets")
        return sheets

    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = []
            if "xl/sharedStrings.xml" in self.names:
                with self.zip.open("xl/sharedStrings.xml") as source:
                    self._strings = _shared_strings(source)
        return self._strings

    def rows(self, path: str, max_columns: int):
        """Yield the rows of one sheet as lists of values, blank rows included (as [])."""
        strings = self.strings()
        if path not in self.names:
            raise XlsxError(f"missing part {path}")
        state = {"row": 0, "cells": [], "col": -1, "type": "", "value": None, "formula": None, "in": ""}
        done: list[list] = []
        text: list[str] = []
        v_tag, f_tag, t_tag = f"{MAIN_NS} v", f"{MAIN_NS} f", f"{MAIN_NS} t"
        c_tag, row_tag = f"{MAIN_NS} c", f"{MAIN_NS} row"

        def start(tag, attrs):
            if tag == c_tag:
                ref = attrs.get("r")
                match = _CELL_REF.match(ref) if ref else None
                state["col"] = _column_index(match.group(1)) if match else state["col"] + 1
                state["type"] = attrs.get("t", "n")
                state["value"] = None
                state["formula"] = None
            elif tag in (v_tag, f_tag, t_tag):
                state["in"] = tag
                text.clear()
            elif tag == row_tag:
                number = attrs.get("r")
                number = int(number) if number and number.isdigit() else state["row"] + 1
                # Rows the sheet skips are blank rows.
                for _gap in range(min(number - state["row"] - 1, 1000)):
                    done.append([])
                state["row"] = number
                state["cells"] = []
                state["col"] = -1

        def chars(data):
            if state["in"]:
                text.append(data)

        def end(tag):
            if tag in (v_tag, t_tag):
                state["value"] = (state["value"] or "") + "".join(text)
                state["in"] = ""
            elif tag == f_tag:
                state["formula"] = "".join(text)
                state["in"] = ""
            elif tag == c_tag:
                col = state["col"]
                if col >= max_columns:
                    return
                value = _convert(state["type"], state["value"], strings)
                if value is None and state["formula"] is not None:
                    value = Formula("=" + state["formula"])
                if value is not None:
                    cells = state["cells"]
                    if len(cells) < col:
                        cells.extend([None] * (col - len(cells)))
                    if len(cells) == col:
                        cells.append(value)
                    else:
                        cells[col] = value
            elif tag == row_tag:
                done.append(state["cells"])

        parser = _parser(start, end, chars)
        with self.zip.open(path) as source:
            try:
                while chunk := source.read(CHUNK):
                    parser.Parse(chunk, False)
                    if done:
                        yield from done
                        done.clear()
                parser.Parse(b"", True)
            except expat.ExpatError as exc:
                raise XlsxError(f"XML error in {path}: {exc}") from None
            except (zipfile.BadZipFile, EOFError, OSError) as exc:
                raise XlsxError(f"damaged part {path}: {exc}") from None
        yield from done


def _convert(kind: str, raw: str | None, strings: list[str]):
    if raw is None:
        return None
    if kind == "s":
        try:
            return strings[int(raw)]
        except (ValueError, IndexError):
            raise XlsxError(f"shared string {raw!r} does not exist") from None
    if kind in ("str", "inlineStr"):
        return raw
    if kind == "b":
        return raw.strip() == "1"
    if kind == "e":
        return None
    if kind == "n":
        raw = raw.strip()
        if not raw:
            return None
        try:
            if "." in raw or "E" in raw or "e" in raw:
                number = float(raw)
                return int(number) if number.is_integer() and abs(number) < 1e15 and "E" not in raw else number
            return int(raw)
        except ValueError:
            raise XlsxError(f"number {raw!r} is not a number") from None
    return raw  # "d" (ISO date) and anything newer: the text as stored


def _shared_strings(source) -> list[str]:
    """The shared strings table, parsed as it streams out of the zip."""
    strings: list[str] = []
    parts: list[str] = []
    state = {"in_t": False, "phonetic": 0}
    si, t, rph = f"{MAIN_NS} si", f"{MAIN_NS} t", f"{MAIN_NS} rPh"

    def start(tag, _attrs):
        if tag == si:
            parts.clear()
        elif tag == rph:
            state["phonetic"] += 1
        elif tag == t and not state["phonetic"]:
            state["in_t"] = True

    def end(tag):
        if tag == si:
            strings.append("".join(parts))
        elif tag == rph:
            state["phonetic"] -= 1
        elif tag == t:
            state["in_t"] = False

    def chars(data):
        if state["in_t"]:
            parts.append(data)

    parser = _parser(start, end, chars)
    try:
        while chunk := source.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise XlsxError(f"XML error in the shared strings: {exc}") from None
    return strings
