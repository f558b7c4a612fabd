"""A district table as the offices copy it from the national portal: the source's own rank ("13/30")
and change ("Tăng 0.31") are import targets, suggested from the headers and stored as published."""

from decimal import Decimal

import pytest

from imports.services import import_commit
from indicators.models import Period, Score
from units.models import AdministrativeUnit

from .conftest import preview_file, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADERS = ["STT", "Đơn vị", "Điểm tổng hợp", "Xếp hạng", "Tăng, giảm so với tháng trước"]
# Some districts carry the source's rank and change, others do not.
ROWS = [
    ("1", "Huyện Đông Anh", "75,10", "13/30", "Tăng 0.31"),
    ("2", "Huyện Gia Lâm", "72,4", "", "-3,40"),
    ("3", "Quận Ba Đình", "70,02", "20/30", "+5,48"),
    ("4", "Huyện Mê Linh", "68,5", "", ""),
]


@pytest.fixture
def ha_noi(unit_tree):
    return AdministrativeUnit.objects.get(tree="legacy", code="01")


def _preview(ha_noi, rows=ROWS, headers=HEADERS):
    period, _ = Period.objects.get_or_create(year=2024, month=12)
    data = xlsx_bytes([headers, *rows])
    return preview_file(data=data, file_name="quan-huyen.xlsx", period=period, scope=ha_noi)


def test_rank_and_change_columns_are_suggested_from_their_headers(ha_noi):
    preview = _preview(ha_noi)
    assert [t.text if t else None for _h, t in preview.columns] == [
        None,
        "unit",
        "total",
        "total:rank",
        "total:change",
    ]
    assert preview.errors == []


def test_published_rank_and_change_are_stored_as_printed_only_where_given(ha_noi):
    preview = _preview(ha_noi)
    import_commit(preview=preview, file_name="quan-huyen.xlsx", file_sha256="x")
    totals = {
        s.unit.short_name: s
        for s in Score.objects.filter(period__year=2024, period__month=12, indicator__kind="total").select_related(
            "unit"
        )
    }
    assert (totals["Đông Anh"].rank, totals["Đông Anh"].rank_of) == (13, 30)
    assert totals["Đông Anh"].change == Decimal("0.31") and totals["Đông Anh"].change_text == "Tăng 0.31"
    assert totals["Gia Lâm"].rank is None and totals["Gia Lâm"].change == Decimal("-3.40")
    assert (totals["Ba Đình"].rank, totals["Ba Đình"].change) == (20, Decimal("5.48"))
    assert totals["Mê Linh"].rank is None and totals["Mê Linh"].change is None


def test_a_rank_above_the_number_ranked_is_an_error_located_in_the_file(ha_noi):
    rows = [("1", "Huyện Đông Anh", "75,10", "31/30", "")]
    preview = _preview(ha_noi, rows=rows)
    assert not preview.can_apply
    [error] = preview.errors
    assert error.row == 2 and error.column == "Xếp hạng"
    assert "31/30" in error.message


def test_rank_change_and_rank_of_columns_have_their_own_targets(ha_noi):
    headers = ["Đơn vị", "Điểm tổng hợp", "Thứ hạng", "Trên tổng số", "Thay đổi thứ hạng"]
    rows = [("Huyện Đông Anh", "75,10", "13", "30", "Tăng 3 bậc")]
    preview = _preview(ha_noi, rows=rows, headers=headers)
    assert [t.text if t else None for _h, t in preview.columns] == [
        "unit",
        "total",
        "total:rank",
        "total:rank_of",
        "total:rank_change",
    ]
    [row] = preview.rows
    [measures] = [m for m in row.figures.values() if m.get("rank")]
    assert (measures["rank"], measures["rank_of"], measures["rank_change"]) == (13, 30, 3)
