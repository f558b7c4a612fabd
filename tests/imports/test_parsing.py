"""The same table read from XLSX, XLS, ODS and CSV; the title block is skipped and the sheet is chosen."""

import io

import pytest
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table as OdsTable
from odf.table import TableCell, TableRow
from odf.text import P

from imports.parsing import SpreadsheetError, read_table

from .conftest import TIEN_LU_HEADERS, TIEN_LU_ROWS, TIEN_LU_TITLE, tien_lu_xlsx, xlsx_bytes

EXPECTED_FIRST = ["1", "UBND xã Thủ Sỹ", "89,63", "6,96", "100"]


def xls_bytes(rows) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Phụ lục")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods_bytes(rows, *, blank_rows_repeated: int = 0) -> bytes:
    doc = OpenDocumentSpreadsheet()
    table = OdsTable(name="Phụ lục")
    for row in rows:
        tr = TableRow()
        for value in row:
            cell = TableCell(valuetype="string") if value is not None else TableCell()
            if value is not None:
                cell.addElement(P(text=str(value)))
            tr.addElement(cell)
        table.addElement(tr)
    if blank_rows_repeated:
        table.addElement(TableRow(numberrowsrepeated=blank_rows_repeated))
        tail = TableRow()
        cell = TableCell(valuetype="string")
        cell.addElement(P(text="UBND xã Lệ Xá"))
        tail.addElement(cell)
        table.addElement(tail)
    doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


ROWS = [[t] for t in TIEN_LU_TITLE] + [TIEN_LU_HEADERS] + [list(r) for r in TIEN_LU_ROWS]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("pl.xlsx", tien_lu_xlsx()),
        ("pl.xls", xls_bytes(ROWS)),
        ("pl.ods", ods_bytes(ROWS)),
        ("pl.csv", "\n".join(";".join(c or "" for c in r) for r in ROWS).encode("utf-8")),
        ("pl-bom.csv", ("\ufeff" + "\n".join(";".join(c or "" for c in r) for r in ROWS)).encode("utf-8")),
    ],
)
def test_every_format_gives_the_same_table_below_the_title_block(name, data):
    table = read_table(data, name)
    assert table.header_row == 5
    assert table.headers == TIEN_LU_HEADERS
    assert table.title[0] == "Phụ lục"
    assert len(table.rows) == 15
    assert [str(c) for c in table.rows[0][1]] == EXPECTED_FIRST
    assert table.rows[7][1][1] == "UBND TT Vương"


def test_comma_separated_csv_with_quoted_decimal_commas():
    data = 'Tên đơn vị,Điểm tổng hợp\n"UBND xã Thủ Sỹ","89,63"\n'.encode()
    table = read_table(data, "a.csv")
    assert table.rows == [(2, ["UBND xã Thủ Sỹ", "89,63"])]


def test_excel_unicode_text_is_read_and_other_encodings_are_refused_with_the_reason():
    table = read_table("Tên đơn vị\tĐiểm\nThủ Sỹ\t89,63\n".encode("utf-16"), "a.txt")
    assert table.rows == [(2, ["Thủ Sỹ", "89,63"])]
    with pytest.raises(SpreadsheetError, match="phải mã hóa UTF-8"):
        read_table("Tên đơn vị;Điểm\nThủ Sỹ;89,63\n".encode("cp1258", errors="replace"), "a.csv")


def test_the_first_sheet_with_a_table_is_chosen_and_a_named_sheet_can_be_asked_for():
    data = xlsx_bytes(
        [["Ghi chú: số liệu tính đến 12h00 ngày 14/8/2024"]],
        sheet="Ghi chú",
        extra_sheets=[("Số liệu", [["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", 89.63]])],
    )
    table = read_table(data, "a.xlsx")
    assert table.sheet == "Số liệu" and table.sheets == ["Ghi chú", "Số liệu"]
    assert table.rows == [(2, ["Xã Thủ Sỹ", 89.63])]
    with pytest.raises(SpreadsheetError, match="Không có trang “Tổng hợp” trong tệp; các trang: Ghi chú, Số liệu"):
        read_table(data, "a.xlsx", sheet="Tổng hợp")


def test_ods_repeated_blank_rows_are_not_expanded():
    data = ods_bytes([TIEN_LU_HEADERS, list(TIEN_LU_ROWS[0])], blank_rows_repeated=1_048_000)
    table = read_table(data, "a.ods")
    assert [cells[1] for _n, cells in table.rows] == ["UBND xã Thủ Sỹ"]


def test_numbers_keep_their_type_from_xlsx():
    table = read_table(xlsx_bytes([["Tên đơn vị", "Điểm", "Số hồ sơ"], ["Xã Thủ Sỹ", 89.63, 30204]]), "a.xlsx")
    assert table.rows[0][1][1:] == [89.63, 30204]


def test_a_two_row_header_under_merged_cells_is_read_as_one():
    data = xlsx_bytes(
        [
            ["STT", "Tên đơn vị", "Điểm tổng hợp", None, "Tiến độ giải quyết"],
            [None, None, "Điểm", "Tăng, giảm so với tháng trước", "Tỷ lệ (%)"],
            ["1", "UBND xã Thủ Sỹ", "89,63", "6,96", "100"],
        ],
        title=["KẾT QUẢ THÁNG 8/2024"],
        merge=["A1:E1", "C2:D2", "A2:A3", "B2:B3"],
    )
    table = read_table(data, "a.xlsx")
    assert table.header_row == 2
    assert table.headers == [
        "STT",
        "Tên đơn vị",
        "Điểm tổng hợp Điểm",
        "Điểm tổng hợp Tăng, giảm so với tháng trước",
        "Tiến độ giải quyết Tỷ lệ (%)",
    ]
    assert table.rows == [(4, ["1", "UBND xã Thủ Sỹ", "89,63", "6,96", "100"])]
