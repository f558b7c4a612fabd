"""Spreadsheets built in code for the import tests: the Tiên Lữ appendix as printed, and hostile files."""

import io

import openpyxl
import pytest

TIEN_LU_TITLE = [
    "Phụ lục",
    "MỘT SỐ TIÊU CHÍ THÀNH PHẦN TRONG BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN",
    "DOANH NGHIỆP ĐO LƯỜNG TRÊN CÔNG DỊCH VỤ CÔNG QUỐC GIA",
    "THÁNG 8/2024",
]
TIEN_LU_HEADERS = [
    "Stt",
    "Tên cơ quan, đơn vị",
    "Điểm tổng hợp (đo lường thông qua Công Dịch vụ công Quốc gia)",
    "Điểm tổng hợp Tăng hoặc giảm so với tháng trước",
    "Tiến độ giải quyết hồ sơ (đo lường thông qua Công Dịch vụ công Quốc gia)",
]
# Copied from the appendix of the Tiên Lữ dispatch (tháng 8/2024), exactly as printed.
TIEN_LU_ROWS = [
    ("1", "UBND xã Thủ Sỹ", "89,63", "6,96", "100"),
    ("2", "UBND xã Hải Triều", "88,82", "6,60", "99,64"),
    ("3", "UBND xã Nhật Tân", "88,23", "-0,80", "100"),
    ("4", "UBND xã Hưng Đạo", "88,12", "0,24", "100"),
    ("5", "UBND xã Dị ché", "88,08", "0,83", "100"),
    ("6", "UBND xã An Viên", "87,87", "-0,21", "100"),
    ("7", "UBND xã Đức Thắng", "87,57", "-0,35", "100"),
    ("8", "UBND TT Vương", "87,42", "2,00", "99,52"),
    ("9", "UBND xã Lệ Xá", "87,31", "0,21", "100"),
    ("10", "UBND xã Thụy Lôi", "86,71", "3,38", "100"),
    ("11", "UBND xã Minh Phượng", "86,2", "3,30", "100"),
    ("12", "UBND xã Trung Dũng", "85,56", "-1,44", "99,61"),
    ("13", "UBND xã Thiện Phiến", "85,22", "1,02", "92,54"),
    ("14", "UBND xã Ngô Quyền", "83,58", "3,18", "100"),
    ("15", "UBND xã Cương Chính", "83,28", "-2,60", "82,71"),
]


def xlsx_bytes(rows, *, title=(), sheet="Sheet1", extra_sheets=(), merge=()) -> bytes:
    """An XLSX with the title lines (one cell each, as a merged title looks), then the rows."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    for line in title:
        ws.append([line])
    for row in rows:
        ws.append(list(row))
    for cell_range in merge:
        ws.merge_cells(cell_range)
    for name, extra_rows in extra_sheets:
        other = workbook.create_sheet(name)
        for row in extra_rows:
            other.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def tien_lu_xlsx() -> bytes:
    return xlsx_bytes([TIEN_LU_HEADERS, *TIEN_LU_ROWS], title=TIEN_LU_TITLE)


@pytest.fixture
def tien_lu(unit_tree):
    from units.models import AdministrativeUnit

    return AdministrativeUnit.objects.get(tree="legacy", code="332")


def preview_file(*, data: bytes, file_name: str, sheet: str | None = None, **kwargs):
    """Stage a file and preview it, as the command line does (the web flow stages at upload)."""
    from imports.services import import_preview, stage

    return import_preview(table=stage(data=data, file_name=file_name, sheet=sheet), **kwargs)
