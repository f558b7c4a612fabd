"""The catalogue drives the dispatch: a second framework version with codes of its own renders a dispatch through
the roles its indicators carry, with no code change."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from indicators.models import Framework, Indicator, IndicatorKind, IndicatorRole, Measure
from indicators.services import Value, period_get, revision_apply

from .factories import legacy, publish_months, rank_months
from .pdfread import final_pdf, flat, table_pages

pytestmark = pytest.mark.django_db


def _second_framework_december():
    """A framework whose codes are not 766's (TONG, A, B, QH), with December 2024 of Hà Nội's districts ranked."""
    framework = Framework.objects.create(code="thu-nghiem-2027", name="Bộ chỉ số thử nghiệm", valid_from="2024-12-01")
    make = lambda **kw: Indicator.objects.create(framework=framework, **kw)  # noqa: E731
    total = make(code="TONG", kind=IndicatorKind.TOTAL, name="Tổng điểm", measure=Measure.POINTS, order=1)
    speed = make(
        code="A", kind=IndicatorKind.GROUP, name="Nhanh chóng", measure=Measure.POINTS, max_points=60,
        role=IndicatorRole.PROGRESS, order=2,
    )  # fmt: skip
    digital = make(
        code="B", kind=IndicatorKind.GROUP, name="Số hóa", measure=Measure.POINTS, max_points=40,
        role=IndicatorRole.DIGITISATION, order=3,
    )  # fmt: skip
    overdue = make(
        code="QH", kind=IndicatorKind.OPERATIONAL, name="Hồ sơ quá hạn", measure=Measure.COUNT, count_unit="hồ sơ",
        role=IndicatorRole.OVERDUE_TOTAL, order=4,
    )  # fmt: skip
    ha_noi, december = legacy("01"), period_get(year=2024, month=12)
    districts = [legacy("001"), legacy("002"), legacy("003")]
    values = [Value(unit_id=ha_noi.pk, indicator_id=total.pk, points=Decimal("71.5"))]
    values += [Value(unit_id=ha_noi.pk, indicator_id=speed.pk, points=Decimal("45.5"), rate=Decimal("75.83"))]
    values += [Value(unit_id=ha_noi.pk, indicator_id=digital.pk, points=Decimal("26"))]
    for n, district in enumerate(districts):
        values += [
            Value(unit_id=district.pk, indicator_id=total.pk, points=Decimal(80 - n)),
            Value(unit_id=district.pk, indicator_id=speed.pk, points=Decimal(50 - n), rate=Decimal(90 - n)),
            Value(unit_id=district.pk, indicator_id=overdue.pk, count=10 * (n + 1)),
        ]
    revision_apply(
        period=december,
        scope=ha_noi,
        values=values,
        file_name="thu-nghiem.xlsx",
        file_sha256="",
        data_as_of=datetime.datetime(2025, 1, 6, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
    )
    rank_months("2024-12")
    return ha_noi


def test_a_framework_with_other_codes_renders_its_ranking_page(client, unit_tree):
    ha_noi = _second_framework_december()
    publish_months(ha_noi, "2024-12")
    page = client.get("/xep-hang/", {"period": "2024-12", "parent": "legacy.01", "level": "district"})
    assert page.status_code == 200
    html = page.content.decode()
    rows = page.context["table"].page_records()
    assert [(r.unit.name, r.total, r.rank) for r in rows[:3]] == [
        ("Quận Ba Đình", Decimal("80"), 1),
        ("Quận Hoàn Kiếm", Decimal("79"), 2),
        ("Quận Tây Hồ", Decimal("78"), 3),
    ]
    # The group columns are the framework's groups, by its own codes: "Nhanh chóng" carries figures, "Số hóa" none.
    assert [g.name for g in page.context["shown_groups"]] == ["Nhanh chóng"]
    assert "Nhanh chóng" in html and "50" in html
    api = client.get("/api/v1/rankings/", {"period": "2024-12", "parent": "legacy.01"}).json()
    assert [(r["unit_name"], r["total"], r["rank"]) for r in api["results"][:3]] == [
        ("Quận Ba Đình", 80, 1),
        ("Quận Hoàn Kiếm", 79, 2),
        ("Quận Tây Hồ", 78, 3),
    ]


def test_a_framework_with_other_codes_renders_a_dispatch_by_role(unit_tree):
    ha_noi = _second_framework_december()
    content = final_pdf(ha_noi, 2024, 12)
    text = flat(content)
    assert "thành phố Hà Nội đạt 71,5/100 điểm" in text
    assert "- Chỉ số Nhanh chóng: 45,5/60 điểm; đạt tỷ lệ 75,83%." in text
    assert "- Chỉ số Số hóa: 26/40 điểm." in text
    ranking = [r for _n, t in table_pages(content, "Kết quả, xếp hạng") for r in t if r[0] and r[0].isdigit()]
    # The districts with figures, in rank order; the 27 others follow as "no figures" rows. Three of thirty is
    # not an official ranking: a dispatch prints no rank of it, and the appendix says why.
    assert len(ranking) == 30 and all(not r[2] for r in ranking[3:])
    assert [(r[1], r[2], r[4]) for r in ranking[:3]] == [
        ("Quận Ba Đình", "80", ""),
        ("Quận Hoàn Kiếm", "79", ""),
        ("Quận Tây Hồ", "78", ""),
    ]
    assert "Không ghi hạng: chỉ 3 trong 30 đơn vị có số liệu (27 đơn vị chưa có số liệu)" in text
    assert "xếp hạng thứ" not in text  # and the results sentence quotes no rank
    overdue_rows = [
        r for _n, t in table_pages(content, "Danh sách hồ sơ quá hạn") for r in t if r[0] and r[0].isdigit()
    ]
    assert [(r[1], r[2]) for r in overdue_rows] == [
        ("Quận Tây Hồ", "30"),
        ("Quận Hoàn Kiếm", "20"),
        ("Quận Ba Đình", "10"),
    ]
