"""A district table as the offices copy it from the national portal, with the source's rank ("13/30") and
change ("Tăng 0.31") for only some districts: the portal prints exactly those and invents no rank for the
others, which could clash with the published ones."""

from decimal import Decimal

import pytest

from imports.services import import_commit
from indicators.models import Period
from publishing.services import publication_publish
from rankings.models import RankingResult
from rankings.ranks import coverage_note
from rankings.services import rankings_compute
from units.models import AdministrativeUnit

from ..imports.conftest import preview_file, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADERS = ["STT", "Đơn vị", "Điểm tổng hợp", "Xếp hạng", "Tăng, giảm so với tháng trước"]
ROWS = [
    ("1", "Huyện Đông Anh", "75,10", "13/30", "Tăng 0.31"),
    ("2", "Huyện Gia Lâm", "72,4", "", "-3,40"),
    ("3", "Quận Ba Đình", "70,02", "20/30", "+5,48"),
    ("4", "Huyện Mê Linh", "68,5", "", ""),
]


@pytest.fixture
def december(unit_tree):
    ha_noi = AdministrativeUnit.objects.get(tree="legacy", code="01")
    period, _ = Period.objects.get_or_create(year=2024, month=12)
    preview = preview_file(data=xlsx_bytes([HEADERS, *ROWS]), file_name="quan-huyen.xlsx", period=period, scope=ha_noi)
    assert preview.errors == []
    import_commit(preview=preview, file_name="quan-huyen.xlsx", file_sha256="x")
    rankings_compute(period_key="2024-12")
    return ha_noi, period


def _results(ha_noi, public=False):
    rows = RankingResult.objects.filter(period_key="2024-12", public=public, scope="peer", parent=ha_noi)
    return {r.unit.name: r for r in rows.select_related("unit") if r.total is not None}


def test_published_ranks_and_changes_are_kept_and_no_rank_is_invented_for_the_rest(december):
    ha_noi, _period = december
    results = _results(ha_noi)
    assert {name: (r.rank, r.rank_of, r.rank_source, r.total_change) for name, r in results.items()} == {
        "Huyện Đông Anh": (13, 30, "published", Decimal("0.31")),
        "Huyện Gia Lâm": (None, 4, "", Decimal("-3.40")),
        "Quận Ba Đình": (20, 30, "published", Decimal("5.48")),
        "Huyện Mê Linh": (None, 4, "", None),
    }
    # Gia Lâm would be 2nd among the four with data, beside a published 13th and 20th: left out, and why.
    assert results["Huyện Gia Lâm"].details["rank_withheld"] == "published_incomplete"
    assert "rank_withheld" not in results["Huyện Đông Anh"].details
    assert (results["Huyện Gia Lâm"].ranked_count, results["Huyện Gia Lâm"].peer_count) == (4, 30)
    assert "đơn vị không có hạng công bố không được xếp hạng vì chỉ 4 trong 30 đơn vị có số liệu" in coverage_note(
        results.values()
    )


def test_the_rankings_page_and_the_api_print_exactly_the_published_ranks_and_changes(client, december):
    ha_noi, period = december
    publication_publish(period=period, scope=ha_noi)
    page = client.get("/xep-hang/", {"parent": "legacy.01", "level": "district", "period": "2024-12"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "13/30" in text and "20/30" in text and "+0,31" in text and "-3,4" in text and "+5,48" in text
    assert "đơn vị không có hạng công bố không được xếp hạng" in text
    body = client.get("/api/v1/rankings/", {"period": "2024-12", "parent": "legacy.01"}).json()
    by_name = {r["unit_name"]: r for r in body["results"] if r["total"] is not None}
    assert [(n, r["rank"], r["rank_of"], r["rank_source"]) for n, r in by_name.items() if r["rank"]] == [
        ("Huyện Đông Anh", 13, 30, "published"),
        ("Quận Ba Đình", 20, 30, "published"),
    ]
    assert by_name["Huyện Gia Lâm"]["rank"] is None and by_name["Huyện Gia Lâm"]["total_change"] == -3.4
