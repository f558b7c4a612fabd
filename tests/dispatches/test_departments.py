"""Departments (sở, ban, ngành): created from a file that names them as printed, with the same confirmation as any
new unit, at level department; resolved by name the next month; ranked as their own peer group and listed
beside the districts in a province's overdue-dossier appendix, as the Hà Nội dispatch does."""

import pytest

from imports.resolve import BY_NAME
from imports.services import import_commit, import_preview, stage
from indicators.services import period_get
from units.models import AdministrativeUnit, Level

from .factories import ha_noi_december, legacy, rank_months
from .pdfread import final_pdf, flat, table_pages

pytestmark = pytest.mark.django_db

CSV = (
    "Tên cơ quan đơn vị,Điểm tổng hợp,Tổng số hồ sơ quá hạn\n"
    "Sở Tư pháp,80.5,11212\n"
    "Sở Tài nguyên và Môi trường,79.5,4573\n"
    "Sở Giao thông vận tải,78.5,1767\n"
    "UBND quận Ba Đình,75.2,370\n"
)
MAPPING = {"Tên cơ quan đơn vị": "unit", "Điểm tổng hợp": "total", "Tổng số hồ sơ quá hạn": "overdue.total"}


def preview(period, choices=None):
    table = stage(data=CSV.encode(), file_name="so-nganh.csv")
    return import_preview(table=table, period=period, scope=legacy("01"), mapping=MAPPING, choices=choices)


def test_departments_named_as_printed_are_created_at_level_department_then_resolved_by_name(unit_tree):
    november, december = period_get(year=2024, month=11), period_get(year=2024, month=12)
    unconfirmed = preview(november)
    assert not unconfirmed.can_apply  # unknown names wait for the user's confirmation
    assert AdministrativeUnit.objects.filter(level=Level.DEPARTMENT).count() == 0
    names = ["Sở Tư pháp", "Sở Tài nguyên và Môi trường", "Sở Giao thông vận tải"]
    confirmed = preview(november, choices=dict.fromkeys(names, "create"))
    import_commit(preview=confirmed, file_name="so-nganh.csv", file_sha256="")
    created = AdministrativeUnit.objects.filter(level=Level.DEPARTMENT, parent=legacy("01")).order_by("name")
    assert sorted(u.name for u in created) == sorted(names)
    assert all(u.kind == "Sở" and u.level == Level.DEPARTMENT for u in created)
    # The next month the same names resolve by name, with nothing to confirm.
    again = preview(december)
    methods = {row.unit_text: row.resolution.method for row in again.rows if row.resolution}
    assert all(methods[name] == BY_NAME for name in names), methods
    assert again.can_apply and not again.to_create


def test_a_provinces_dispatch_ranks_departments_apart_and_lists_them_beside_the_districts(demo):
    ha_noi = ha_noi_december()
    rank_months("2024-12")
    content = final_pdf(ha_noi, 2024, 12)
    text = flat(content)
    assert "1. Kết quả cụ thể của một số nhóm, tiêu chí của các sở, ban, ngành và các quận" not in text
    assert "Kết quả cụ thể của một số nhóm, tiêu chí của các sở, ban, ngành và các quận, huyện, thị xã" in text
    departments = table_pages(content, "Kết quả, xếp hạng Bộ chỉ số phục vụ người dân, doanh nghiệp của các sở")
    rows = [r for _n, table in departments for r in table if r[0] and r[0].isdigit()]
    assert [(r[1], r[4]) for r in rows] == [
        ("Sở Tư pháp", "01/03"),
        ("Sở Tài nguyên và Môi trường", "02/03"),
        ("Sở Giao thông vận tải", "03/03"),
    ]
    overdue = table_pages(content, "Danh sách hồ sơ quá hạn đang xử lý")
    listed = [(r[1], r[2]) for _n, table in overdue for r in table if r[0] and r[0].isdigit()]
    assert listed[:4] == [
        ("Sở Tư pháp", "11.212"),
        ("Sở Tài nguyên và Môi trường", "4.573"),
        ("Sở Giao thông vận tải", "1.767"),
        ("Quận Ba Đình", "370"),
    ]
    assert len(listed) == 33
