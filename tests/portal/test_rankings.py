"""The rankings page: stored results, published months only, search, order, permalink and downloads."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from indicators.services import period_get, revision_apply
from rankings.models import RankingResult

pytestmark = pytest.mark.django_db

URL = "/xep-hang/?parent=legacy.332&level=commune"


def test_rankings_shows_the_latest_published_month_in_rank_order(client, published):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    # 8/2024 is not published: the page opens on 7/2024.
    assert "tháng 7/2024" in html
    assert 'value="2024-08"' not in html
    rows = list(RankingResult.objects.filter(public=True, period_key="2024-07", parent=published).order_by("rank"))
    names = [r.unit.name for r in rows]
    positions = [html.index(f">{name}</a>") for name in names]
    assert positions == sorted(positions)
    assert f"1/{len(rows)}" in html


def test_an_unpublished_month_is_404_for_everyone_even_an_administrator(client, published, admin_user):
    assert client.get(URL + "&period=2024-08").status_code == 404
    client.force_login(admin_user)
    # Staff preview a month on the publishing desk's review page; public pages show the published record.
    assert client.get(URL + "&period=2024-08").status_code == 404


def test_rankings_nothing_published_says_so(client, ranked):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Chưa có kỳ nào được công bố" in response.content.decode()


def test_rankings_search_ignores_diacritics(client, all_published):
    response = client.get(URL + "&period=2024-08&q=thuy loi")
    html = response.content.decode()
    assert "Xã Thụy Lôi" in html
    assert "Xã Thủ Sỹ" not in html


def test_rankings_sort_by_name_and_numbers_are_vietnamese(client, all_published):
    html = client.get(URL + "&period=2024-08&sort=unit").content.decode()
    assert html.index("Xã An Viên") < html.index("Xã Cương Chính") < html.index("Xã Thủ Sỹ")
    assert "88,82" in html and "+6,6" in html  # Hải Triều: total and change, decimal comma


def test_rankings_rank_change_has_an_arrow_and_words(client, all_published):
    html = client.get(URL + "&period=2024-08").content.decode()
    assert "▲" in html and "bậc (tăng)" in html
    assert "▼" in html and "bậc (giảm)" in html


def test_rankings_paginates_and_keeps_state_in_links(client, all_published):
    html = client.get(URL + "&period=2024-08&per_page=25&q=xa").content.decode()
    assert "Trang 1/1" not in html  # 14 rows fit one page of 25: no pager
    html = client.get(URL + "&period=2024-08&per_page=abc").content.decode()
    assert "Xã Thủ Sỹ" in html


def test_quarter_view_says_it_averages_months(client, published):
    response = client.get(URL + "&period=2024-Q2")
    assert response.status_code == 200
    assert "trung bình điểm tổng hợp các tháng" in response.content.decode()


def test_csv_download_is_what_the_page_shows_with_bom(client, all_published):
    response = client.get(URL + "&period=2024-08&q=xa&sort=-total&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Hạng", "Trên tổng số", "Mã đơn vị", "Đơn vị", "Tổng điểm"]
    assert rows[1][3] == "Xã Thủ Sỹ" and rows[1][4] == "89.63"
    totals = [float(r[4]) for r in rows[1:]]
    assert totals == sorted(totals, reverse=True)
    assert all("Thị trấn" not in r[3] for r in rows[1:])  # the search "xa" is applied


def test_csv_escapes_formula_like_names(client, all_published):
    unit = RankingResult.objects.filter(public=True, period_key="2024-08", parent=all_published).first().unit
    unit.name = '=HYPERLINK("http://x","bấm")'
    unit.save()
    rows = list(csv.reader(io.StringIO(client.get(URL + "&period=2024-08&format=csv").content.decode("utf-8-sig"))))
    names = [r[3] for r in rows[1:]]
    assert "'" + unit.name in names
    assert not any(n.startswith("=") for n in names)


def test_xlsx_download_opens_with_numbers_and_text_cells(client, all_published):
    response = client.get(URL + "&period=2024-08&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["D1"].value == "Đơn vị"
    assert sheet["D2"].value == "Xã Thủ Sỹ"
    assert sheet["E2"].value == pytest.approx(89.63)
    assert (
        sheet.max_row
        == 1 + RankingResult.objects.filter(public=True, period_key="2024-08", parent=all_published).count()
    )


def test_json_download_matches_the_table(client, all_published):
    data = json.loads(client.get(URL + "&period=2024-08&format=json").content)
    assert data["period"] == "2024-08" and data["parent"] == "332"
    first = data["results"][0]
    assert first["unit_name"] == "Xã Thủ Sỹ" and first["rank"] == 1 and first["total"] == 89.63
    assert data["data_as_of"].startswith("2024-09-05")


def test_downloads_of_an_unpublished_month_are_404(client, published):
    for fmt in ("csv", "xlsx", "json"):
        assert client.get(URL + f"&period=2024-08&format={fmt}").status_code == 404


def test_a_correction_waits_in_the_cache_too_and_a_republication_shows_at_once(client, all_published):
    from tests.publishing.conftest import correct

    from .factories import publish

    url = URL + "&period=2024-08"
    first = client.get(url)
    again = client.get(url)
    assert again["X-Cache"] == "hit" and again["ETag"] == first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    thu_sy = RankingResult.objects.get(public=True, period_key="2024-08", scope="peer", unit__name="Xã Thủ Sỹ").unit
    correct(unit=thu_sy, points="89.99")  # staff's correction: the public page must not change
    pending = client.get(url)
    assert pending["ETag"] == first["ETag"] and "89,99" not in pending.content.decode()
    publish(year=2024, month=8, scope=all_published)  # the leader republishes
    fresh = client.get(url)
    assert fresh["X-Cache"] == "miss" and fresh["ETag"] != first["ETag"]
    html = fresh.content.decode()
    assert "89,99" in html and "Cập nhật ngày" in html
    assert fresh["Last-Modified"]


def test_rankings_list_query_count_is_pinned(client, all_published, django_assert_num_queries):
    client.get("/")  # warms the data version kept in the cache (and the communes' months, which home reads too)
    with django_assert_num_queries(13):  # + the republication note and the publication it names
        response = client.get(URL + "&period=2024-08&per_page=200")
    assert response.status_code == 200


def test_rankings_pages_are_not_frameable(client, all_published):
    assert client.get(URL)["X-Frame-Options"] == "DENY"


def test_a_cached_page_is_served_without_touching_the_database(client, all_published, django_assert_num_queries):
    url = URL + "&period=2024-08"
    client.get(url)
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response["X-Cache"] == "hit"


def test_publishing_a_month_shows_at_once(client, published):
    from .factories import publish

    url = URL + "&period=2024-08"
    assert client.get(url).status_code == 404
    publish(year=2024, month=8, scope=published)
    assert client.get(url).status_code == 200


def test_a_long_ranking_is_paginated_and_the_pager_keeps_the_state(client, all_published):
    from units.models import AdministrativeUnit

    parent = AdministrativeUnit.objects.create(
        tree="custom", code="T-PARENT", name="Huyện Thử", short_name="Thử", kind="Huyện", level="district"
    )
    from indicators.selectors import framework_for, total_indicator
    from indicators.services import Value

    total = total_indicator(framework=framework_for())
    values = []
    for i in range(30):
        unit = AdministrativeUnit.objects.create(
            tree="custom",
            code=f"T-{i:02d}",
            name=f"Xã Thử {i + 1:02d}",
            short_name=f"Thử {i}",
            kind="Xã",
            level="commune",
            parent=parent,
        )
        values.append(Value(unit_id=unit.pk, indicator_id=total.pk, points=Decimal(95) - Decimal(i) / 10))
    revision_apply(
        period=period_get(year=2024, month=8),
        scope=parent,
        values=values,
        file_name="thu.xlsx",
        file_sha256="",
        data_as_of=timezone.now(),
    )
    from .factories import publish

    publish(year=2024, month=8, scope=parent)
    url = "/xep-hang/?parent=custom.T-PARENT&level=commune&period=2024-08&per_page=25"
    first = client.get(url).content.decode()
    assert "Trang 1/2" in first and "Xã Thử 25" in first and "Xã Thử 26" not in first
    assert "page=2" in first and "parent=custom.T-PARENT" in first.split('rel="next"')[0].rsplit("href=", 1)[1]
    second = client.get(url + "&page=2").content.decode()
    assert "Xã Thử 26" in second and "Xã Thử 30" in second and "Xã Thử 01" not in second
    # The download is the whole filtered table, not one page.
    csv_rows = client.get(url + "&page=2&format=csv").content.decode("utf-8-sig").splitlines()
    assert len(csv_rows) == 31


def test_a_new_search_on_a_seen_ranking_reads_only_its_rows(client, all_published, django_assert_num_queries):
    client.get(URL + "&period=2024-08")
    # Periods, levels, publication and catalogue are kept by data version; the new page reads its rows.
    with django_assert_num_queries(9):  # + the republication note, the publication it names
        response = client.get(URL + "&period=2024-08&q=thuy")
    assert response.status_code == 200 and "Xã Thụy Lôi" in response.content.decode()


def test_revalidation_by_last_modified_answers_304(client, all_published):
    url = URL + "&period=2024-08"
    first = client.get(url)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT").status_code == 200


def test_nationwide_table_lists_the_ranked_province_first_then_the_rest_in_vietnamese_order(client, demo):
    """Issue 12: 62 "chưa có số liệu" rows came before the one ranked row, Bình Định before Bạc Liêu and
    the Đ… provinces after Yên Bái."""
    from publishing.services import publication_publish
    from rankings.services import rankings_compute
    from units.models import AdministrativeUnit

    rankings_compute(period_key="2024-12")
    publication_publish(
        period=period_get(year=2024, month=12), scope=AdministrativeUnit.objects.get(tree="legacy", code="01")
    )
    html = client.get("/xep-hang/?parent=all&level=province&period=2024-12").content.decode()
    names = re.findall(r'<td class="name c-unit"[^>]*><a href="[^"]+">([^<]+)</a>', html)
    assert len(names) == 63 and names[0] == "Thành phố Hà Nội"  # published 61/63: ranked, so first
    assert "61/63" in html
    rest = names[1:]
    assert rest.index("Tỉnh Bạc Liêu") < rest.index("Tỉnh Bình Định")
    assert rest.index("Tỉnh Cà Mau") < rest.index("Tỉnh Điện Biên") < rest.index("Tỉnh Gia Lai")
    assert rest[-1] == "Tỉnh Yên Bái"
    body = client.get("/api/v1/rankings/", {"period": "2024-12"}).json()
    assert [r["unit_name"] for r in body["results"]] == names
    # Sorted by the unit column, both ways: Vietnamese order of every name, ranked or not.
    from units.collation import name_key

    for sort, reverse in (("unit", False), ("-unit", True)):
        html = client.get(f"/xep-hang/?parent=all&level=province&period=2024-12&sort={sort}").content.decode()
        by_unit = re.findall(r'<td class="name c-unit"[^>]*><a href="[^"]+">([^<]+)</a>', html)
        assert by_unit == sorted(names, key=name_key, reverse=reverse)
