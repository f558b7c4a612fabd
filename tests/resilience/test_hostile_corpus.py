"""A corpus of broken and malicious files through `import_scores` (the pipeline the web flow uses):
every one is refused with a Vietnamese message naming the problem, nothing crashes, nothing is written."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from tests.imports.conftest import xlsx_bytes
from tests.imports.test_hostile import snapshot

pytestmark = pytest.mark.django_db

HEADER = "Tên đơn vị;Điểm tổng hợp;Công khai, minh bạch;Tiến độ giải quyết\n"


def csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode()


def zipped(members: dict[str, bytes], *, declared: dict[str, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    good = xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "89,63"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else src.read(item.filename)
            dst.writestr(item.filename, data)
    return out.getvalue()


ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><worksheet><sheetData><row><c t="inlineStr"><is><t>&lol3;'
    b"</t></is></c></row></sheetData></worksheet>"
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<worksheet><sheetData><row><c t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
)

CORPUS = {
    "empty-xlsx": (b"", "so-lieu.xlsx"),
    "empty-csv": (b"", "so-lieu.csv"),
    "random-bytes-xlsx": (bytes(range(256)) * 40, "so-lieu.xlsx"),
    "pdf-renamed-xlsx": (b"%PDF-1.7\n1 0 obj<<>>endobj\n" + b"\x00" * 200, "so-lieu.xlsx"),
    "png-renamed-ods": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 300, "so-lieu.ods"),
    "ole-garbage-xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x07" * 600, "so-lieu.xls"),
    "html-renamed-xls": (b"<html><table><tr><td>Xa Thu Sy</td><td>89</td></tr></table></html>", "so-lieu.xls"),
    "truncated-xlsx": (xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "89,63"]])[:700], "so-lieu.xlsx"),
    "zip-without-workbook": (zipped({"readme.txt": b"hello"}), "so-lieu.xlsx"),
    "zip-bomb": (zipped({"xl/worksheets/sheet1.xml": b"<a>" + b" " * 60_000_000 + b"</a>"}), "so-lieu.xlsx"),
    "xml-entity-bomb": (xlsx_with_sheet(ENTITY_BOMB), "so-lieu.xlsx"),
    "xml-external-entity": (xlsx_with_sheet(XXE), "so-lieu.xlsx"),
    "broken-sheet-xml": (xlsx_with_sheet(b"<worksheet><sheetData><row"), "so-lieu.xlsx"),
    "ods-broken-content": (
        zipped(
            {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office:document-content"}
        ),
        "so-lieu.ods",
    ),
    "headers-only-xlsx": (xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"]]), "so-lieu.xlsx"),
    "headers-only-csv": (csv(), "so-lieu.csv"),
    "blank-lines-csv": (HEADER.encode() + b";;;\n" * 200_000, "so-lieu.csv"),
    "nul-bytes-csv": (b"Ten\x00don vi;Diem\n\x00\x00\x00;\x00\n", "so-lieu.csv"),
    "latin1-csv": (
        "Tên đơn vị;Điểm tổng hợp\nXã Thủ Sỹ;89,63\n".encode("cp1258", errors="replace")[:10] + b"\xff\xfe\xfa",
        "so-lieu.csv",
    ),
    "unsupported-extension": (csv("Xã Thủ Sỹ;89,63;18;20"), "so-lieu.docx"),
    "text-in-number": (csv("Xã Thủ Sỹ;tám mươi chín;18;20"), "so-lieu.csv"),
    "negative-points": (csv("Xã Thủ Sỹ;-5;18;20"), "so-lieu.csv"),
    "total-above-100": (csv("Xã Thủ Sỹ;100,5;18;20"), "so-lieu.csv"),
    "group-above-max": (csv("Xã Thủ Sỹ;89,63;250;20"), "so-lieu.csv"),
    "ambiguous-number": (csv("Xã Thủ Sỹ;1.234,5;18;20"), "so-lieu.csv"),
    "duplicate-unit": (csv("Xã Thủ Sỹ;89,63;18;20", "UBND xã Thủ Sỹ;88;18;20"), "so-lieu.csv"),
    "unknown-unit": (csv("Xã Không Có;89,63;18;20"), "so-lieu.csv"),
    "unit-outside-scope": (csv("Xã Thủ Sỹ;89,63;18;20", "Phường Bần Yên Nhân;88;18;20"), "so-lieu.csv"),
    "unit-not-valid-that-month": (csv("Xã Thủ Sỹ;89,63;18;20", "Xã Hải Thắng;88;18;20"), "so-lieu.csv"),
    "formula-injection": (csv("Xã Thủ Sỹ;=cmd|' /C calc'!A0;18;20"), "so-lieu.csv"),
    "giant-cell": (csv("Xã Thủ Sỹ;" + "9" * 1_000_000 + ";18;20"), "so-lieu.csv"),
    "formula-without-value-xlsx": (
        xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "=SUM(B3:B9)"]]),
        "so-lieu.xlsx",
    ),
}


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_file_is_refused_cleanly_and_writes_nothing(name, demo, tmp_path, capsys):
    data, file_name = CORPUS[name]
    path = tmp_path / file_name
    path.write_bytes(data)
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        call_command("import_scores", str(path), "--period", "2024-08", "--scope", "Huyện Tiên Lữ")
    output = str(refused.value) + capsys.readouterr().out
    assert "Traceback" not in output
    # Vietnamese, and it says nothing was imported (or what is wrong and where).
    assert any(word in output for word in ("không", "Không", "lỗi", "Lỗi")), output[:500]
    assert snapshot() == before
