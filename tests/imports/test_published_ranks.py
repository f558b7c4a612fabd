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


def _previous_month(ha_noi, totals: dict[str, str]):
    """Last month's totals of some districts, as an earlier import wrote them."""
    import datetime

    from indicators.selectors import framework_for
    from indicators.services import Value, indicators_by_code, period_get, revision_apply

    period = period_get(year=2024, month=11)
    total = indicators_by_code(framework=framework_for(day=period.last_day))["total"]
    units = {u.name: u for u in AdministrativeUnit.objects.filter(parent=ha_noi, name__in=list(totals))}
    revision_apply(
        period=period,
        scope=ha_noi,
        values=[Value(unit_id=units[n].pk, indicator_id=total.pk, points=Decimal(p)) for n, p in totals.items()],
        file_name="thang-11.xlsx",
        file_sha256="",
        data_as_of=datetime.datetime(2024, 12, 5, tzinfo=datetime.UTC),
    )


def test_preview_warns_where_a_published_change_disagrees_with_last_months_total(ha_noi):
    # Đông Anh: 74,00 → 75,10 is +1,10, the file says "Tăng 0.31"; Gia Lâm: 75,80 → 72,40 is -3,40 as printed.
    _previous_month(ha_noi, {"Huyện Đông Anh": "74.00", "Huyện Gia Lâm": "75.80"})
    preview = _preview(ha_noi)
    warnings = [w for w in preview.warnings if "so với tháng trước" in w.message]
    assert [(w.row, w.message) for w in warnings] == [
        (
            2,
            "Thay đổi so với tháng trước theo tệp là +0,31 điểm, tính từ điểm tổng hợp tháng trước là +1,10 điểm "
            "(74,00 → 75,10); lưu và dùng số trong tệp.",
        )
    ]
    assert preview.can_apply  # a warning: the published change is what is stored
    import_commit(preview=preview, file_name="quan-huyen.xlsx", file_sha256="x")
    stored = Score.objects.get(
        period__year=2024, period__month=12, indicator__kind="total", unit__name="Huyện Đông Anh"
    )
    assert stored.change == Decimal("0.31")


def _all_districts(ha_noi):
    period = Period.objects.get_or_create(year=2024, month=12)[0]
    return list(AdministrativeUnit.objects.filter(parent=ha_noi, level="district").valid_in(period).order_by("code"))


def test_preview_warns_where_a_published_rank_disagrees_with_the_rank_of_the_whole_group(ha_noi):
    districts = _all_districts(ha_noi)
    n = len(districts)
    rows = []
    for i, unit in enumerate(districts):
        rank = i + 1
        published = {0: 2, 1: 1}.get(i, rank)  # the first two swapped in the file
        rows.append((str(rank), unit.name, f"{90 - i * 0.5:.2f}".replace(".", ","), f"{published}/{n}", ""))
    preview = _preview(ha_noi, rows=rows)
    rank_warnings = [w for w in preview.warnings if w.message.startswith("Hạng theo tệp")]
    assert [(w.row, w.message) for w in rank_warnings] == [
        (
            2,
            f"Hạng theo tệp là 2/{n}, hạng tính từ điểm tổng hợp của cả {n} đơn vị là 1/{n}; lưu và dùng hạng trong tệp.",
        ),
        (
            3,
            f"Hạng theo tệp là 1/{n}, hạng tính từ điểm tổng hợp của cả {n} đơn vị là 2/{n}; lưu và dùng hạng trong tệp.",
        ),
    ]


def test_published_ranks_of_an_incomplete_group_are_not_compared_with_a_computed_one(ha_noi):
    # Four of Hà Nội's districts: "13/30" cannot be checked against a rank among four.
    preview = _preview(ha_noi)
    assert not [w for w in preview.warnings if w.message.startswith("Hạng theo tệp")]


def test_preview_warns_where_a_published_change_of_rank_disagrees_with_last_months_rank(ha_noi):
    # Last month the source ranked Đông Anh 16/30 and Gia Lâm 10/30; the file says Đông Anh is 13/30,
    # "Tăng 3 bậc" (16 → 13: right), and Gia Lâm 12/30, "Tăng 1 bậc" (10 → 12 is down two).
    import datetime

    from indicators.selectors import framework_for
    from indicators.services import Value, indicators_by_code, period_get, revision_apply

    november = period_get(year=2024, month=11)
    total = indicators_by_code(framework=framework_for(day=november.last_day))["total"]
    units = {u.name: u for u in AdministrativeUnit.objects.filter(parent=ha_noi)}
    revision_apply(
        period=november,
        scope=ha_noi,
        values=[
            Value(unit_id=units["Huyện Đông Anh"].pk, indicator_id=total.pk, points=Decimal("74"), rank=16, rank_of=30),
            Value(unit_id=units["Huyện Gia Lâm"].pk, indicator_id=total.pk, points=Decimal("73"), rank=10, rank_of=30),
        ],
        file_name="thang-11.xlsx",
        file_sha256="",
        data_as_of=datetime.datetime(2024, 12, 5, tzinfo=datetime.UTC),
    )
    headers = ["Đơn vị", "Điểm tổng hợp", "Xếp hạng", "Thay đổi thứ hạng"]
    rows = [("Huyện Đông Anh", "75,10", "13/30", "Tăng 3 bậc"), ("Huyện Gia Lâm", "72,40", "12/30", "Tăng 1 bậc")]
    preview = _preview(ha_noi, rows=rows, headers=headers)
    warnings = [(w.row, w.message) for w in preview.warnings if w.message.startswith("Thay đổi hạng")]
    assert warnings == [
        (
            3,
            "Thay đổi hạng theo tệp là +1 bậc, tính từ hạng tháng trước (10) và hạng tháng này (12) là -2 bậc; "
            "lưu và dùng số trong tệp.",
        )
    ]
    assert preview.can_apply
