"""Hostile and broken files: each is refused with a clear Vietnamese message and the database stays as it was."""

import io
import zipfile

import openpyxl
import pytest

from imports.services import ImportRejected, import_commit
from indicators.models import ImportRevision, Period, Score, ScoreRecord
from units.models import AdministrativeUnit

from .conftest import preview_file, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["Tên đơn vị", "Điểm tổng hợp", "Công khai, minh bạch"]


def snapshot():
    """Row counts and every stored figure, to compare before and after."""
    return (
        ImportRevision.objects.count(),
        ScoreRecord.objects.count(),
        AdministrativeUnit.objects.count(),
        list(
            Score.objects.order_by("unit_id", "period_id", "indicator_id").values_list(
                "unit_id", "period_id", "indicator_id", "points", "rate", "count", "change_text", "revision_id"
            )
        ),
    )


def attempt(data: bytes, scope, *, file_name="so-lieu.xlsx", period=(2024, 8), **kwargs) -> str:
    """Import as the web flow and the command line do; return the messages of the refusal."""
    period = Period.objects.get_or_create(year=period[0], month=period[1])[0]
    try:
        preview = preview_file(data=data, file_name=file_name, period=period, scope=scope, **kwargs)
        import_commit(preview=preview, file_name=file_name, file_sha256="x")
    except ImportRejected as exc:
        return "\n".join(str(i) for i in exc.issues)
    raise AssertionError("the file was imported")


@pytest.fixture
def before(demo):
    return snapshot()


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, replace.get(item.filename, src.read(item.filename)))
        for name, content in replace.items():
            if name not in src.namelist():
                dst.writestr(name, content)
    return out.getvalue()


def test_non_spreadsheet_renamed_xlsx_is_refused(before, tien_lu):
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256))
    message = attempt(pdf, tien_lu, file_name="bao-cao.xlsx")
    assert "không phải bảng tính" in message
    assert snapshot() == before


def test_text_renamed_xlsx_is_refused(before, tien_lu):
    message = attempt("Tên đơn vị;Điểm\nThủ Sỹ;89,63\n".encode(), tien_lu, file_name="so-lieu.xlsx")
    assert "có đuôi .xlsx nhưng nội dung không phải bảng tính" in message
    assert snapshot() == before


def test_corrupt_zip_is_refused(before, tien_lu):
    good = xlsx_bytes([HEADER, ["Xã Thủ Sỹ", "89,63", "18"]])
    message = attempt(good[: len(good) // 2], tien_lu)
    assert "Tệp bị hỏng" in message
    assert snapshot() == before


def test_zip_with_garbage_member_is_refused(before, tien_lu):
    good = xlsx_bytes([HEADER, ["Xã Thủ Sỹ", "89,63", "18"]])
    broken = _rezip(good, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"})
    message = attempt(broken, tien_lu)
    assert "Không đọc được tệp Excel" in message
    assert snapshot() == before


def test_zip_bomb_is_refused_from_declared_sizes(before, tien_lu):
    good = xlsx_bytes([HEADER, ["Xã Thủ Sỹ", "89,63", "18"]])
    bomb = _rezip(good, {"xl/worksheets/sheet2.xml": b" " * (64 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024  # tiny on disk
    message = attempt(bomb, tien_lu)
    assert "nén bất thường" in message and "xl/worksheets/sheet2.xml" in message
    assert snapshot() == before


def test_xml_entity_bomb_is_refused(before, tien_lu):
    good = xlsx_bytes([HEADER, ["Xã Thủ Sỹ", "89,63", "18"]])
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10) for i in range(1, 10)
        )
        + b']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
    )
    bomb = _rezip(good, {"xl/sharedStrings.xml": laughs})
    message = attempt(bomb, tien_lu)
    assert "DTD/ENTITY" in message
    assert snapshot() == before


def test_empty_file_is_refused(before, tien_lu):
    assert "rỗng (0 byte)" in attempt(b"", tien_lu)
    assert snapshot() == before


def test_headers_only_is_refused(before, tien_lu):
    message = attempt(xlsx_bytes([HEADER], title=["BẢNG ĐIỂM THÁNG 8/2024"]), tien_lu)
    assert "chỉ có dòng tiêu đề (dòng 2)" in message
    assert snapshot() == before


def test_a_million_blank_rows_after_the_data_are_not_read(before, tien_lu):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(HEADER)
    ws.append(["Xã Thủ Sỹ", "89,63", "18"])
    ws.cell(row=1_048_576, column=1, value="UBND xã Lệ Xá")  # far below, after a million empty rows
    buffer = io.BytesIO()
    workbook.save(buffer)
    period = Period.objects.get(year=2024, month=8)

    preview = preview_file(data=buffer.getvalue(), file_name="x.xlsx", period=period, scope=tien_lu)

    assert [r.unit.name for r in preview.rows] == ["Xã Thủ Sỹ"]
    assert snapshot() == before


def test_a_million_blank_lines_in_a_csv_are_not_read(before, tien_lu):
    data = ("Tên đơn vị;Điểm tổng hợp\nXã Thủ Sỹ;89,63\n" + ";\n" * 1_000_000 + "Xã Lệ Xá;87,31\n").encode()
    period = Period.objects.get(year=2024, month=8)

    preview = preview_file(data=data, file_name="x.csv", period=period, scope=tien_lu)

    assert [r.unit.name for r in preview.rows] == ["Xã Thủ Sỹ"]
    assert snapshot() == before


def test_a_unit_cell_merged_over_two_rows_is_an_error_with_its_place(before, tien_lu):
    data = xlsx_bytes(
        [HEADER, ["Xã Thủ Sỹ", "89,63", "18"], [None, "88,00", "17"]],
        title=["KẾT QUẢ THÁNG 8/2024"],
        merge=["A3:A4", "A1:C1"],
    )
    message = attempt(data, tien_lu)
    assert "Trang “Sheet1”, dòng 4, cột “Tên đơn vị”: thiếu tên đơn vị (ô trống hoặc ô gộp với dòng trên)" in message
    assert snapshot() == before


def test_formula_without_cached_value_is_an_error(before, tien_lu):
    data = xlsx_bytes([HEADER, ["Xã Thủ Sỹ", "=80+9.63", "18"]])
    message = attempt(data, tien_lu)
    assert "dòng 2, cột “Điểm tổng hợp”: ô chứa công thức =80+9.63 nhưng chưa có giá trị tính sẵn" in message
    assert snapshot() == before


def test_file_over_the_size_limit_is_refused(before, tien_lu, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2048
    message = attempt(xlsx_bytes([HEADER, ["Xã Thủ Sỹ", "89,63", "18"]]), tien_lu)
    assert "vượt giới hạn" in message
    assert snapshot() == before


def test_ods_with_a_dtd_is_refused(before, tien_lu):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    message = attempt(out.getvalue(), tien_lu, file_name="x.ods")
    assert "DTD/ENTITY" in message
    assert snapshot() == before


def test_a_csv_with_a_giant_cell_is_refused(before, tien_lu):
    data = ('Tên đơn vị;Điểm tổng hợp\n"Xã Thủ Sỹ' + "x" * 500_000 + '";89,63\n').encode()
    message = attempt(data, tien_lu, file_name="x.csv")
    assert "Tệp CSV không hợp lệ" in message
    assert snapshot() == before


def test_declared_uncompressed_size_over_the_limit_is_refused(before, tien_lu, monkeypatch):
    from imports import guards

    monkeypatch.setattr(guards, "MAX_UNCOMPRESSED_BYTES", 4096)
    message = attempt(xlsx_bytes([HEADER, ["Xã Thủ Sỹ", "89,63", "18"]]), tien_lu)
    assert "vượt giới hạn" in message and "có thể là tệp độc hại" in message
    assert snapshot() == before


def test_one_cell_at_the_far_corner_of_a_sheet_is_refused_before_the_reader_allocates_it(before, tien_lu):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(HEADER)
    ws.append(["Xã Thủ Sỹ", "89,63", "18"])
    for row in range(100, 1000, 100):  # no run of blank rows long enough to end the sheet
        ws.cell(row=row, column=1, value="Ghi chú")
    ws.cell(row=1000, column=16384, value="x")  # XFD1000: a grid of 16 million cells to the reader
    buffer = io.BytesIO()
    workbook.save(buffer)
    message = attempt(buffer.getvalue(), tien_lu)
    assert "Trang “Sheet” trải ra 1.000 dòng × 16.384 cột, vượt giới hạn 4.000.000 ô" in message
    assert snapshot() == before


def test_a_legacy_xls_spanning_the_whole_grid_is_refused_before_the_reader_allocates_it(before, tien_lu):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Phụ lục")
    for c, header in enumerate(HEADER):
        sheet.write(0, c, header)
    sheet.write(1, 0, "Xã Thủ Sỹ")
    sheet.write(65535, 255, "x")  # a 5 KB file whose grid is 16,7 million cells (a gigabyte to the reader)
    out = io.BytesIO()
    book.save(out)
    message = attempt(out.getvalue(), tien_lu, file_name="so-lieu.xls")
    assert "trải ra 65.536 dòng × 256 cột, vượt giới hạn" in message
    assert snapshot() == before


def test_an_ods_row_repeated_a_million_times_is_read_as_a_blank_run_not_expanded(before, tien_lu):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Phụ lục")
    for values in (HEADER, ["Xã Thủ Sỹ", "89,63", "18"]):
        row = TableRow()
        for value in values:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    table.addElement(TableRow(numberrowsrepeated=1_048_000))
    far = TableRow(numberrowsrepeated=1_000)
    cell = TableCell(valuetype="string", numbercolumnsrepeated=16_000)
    cell.addElement(P(text="x"))
    far.addElement(cell)
    table.addElement(far)
    doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.save(out)
    period = Period.objects.get(year=2024, month=8)

    preview = preview_file(data=out.getvalue(), file_name="x.ods", period=period, scope=tien_lu)

    assert [r.unit.name for r in preview.rows] == ["Xã Thủ Sỹ"]
    assert snapshot() == before
