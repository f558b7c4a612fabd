"""Unit profile, scorecard, compare, map, methodology, open data, feed and embed widgets, through real requests."""

import json
import xml.etree.ElementTree as ET

import pytest

from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def _unit(name):
    return AdministrativeUnit.objects.get(name=name, parent__code="332", tree__in=["legacy", "custom"])


def test_profile_shows_total_rank_why_it_changed_and_what_it_takes(client, all_published):
    unit = _unit("Xã Thụy Lôi")
    response = client.get(f"/don-vi/{unit.tree}/{unit.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xã Thụy Lôi — tháng 8/2024" in html
    assert "86,71" in html and "+3,38 điểm" in html
    assert "Xếp hạng <strong>10/15</strong>" in html
    assert "để lên hạng trên" in html  # from the stored details
    assert "Cần thêm" in html and "Xuất sắc" in html  # points to the next band
    assert 'href="/don-vi/legacy/332/"' in html  # parent link
    assert "<svg" in html and "<title" in html


def test_profile_of_a_merged_commune_shows_its_predecessors_history_marked(client, all_published):
    hai_thang = AdministrativeUnit.objects.get(tree="legacy", code="12364")
    html = client.get(f"/don-vi/legacy/{hai_thang.code}/").content.decode()
    assert "Xã Hải Triều" in html and "Xã Đức Thắng" in html
    assert "trước sáp nhập" in html
    assert "88,82" in html  # Hải Triều 8/2024, in the history table


def test_profile_hides_unpublished_months_from_visitors(client, published):
    unit = _unit("Xã Thủ Sỹ")
    html = client.get(f"/don-vi/{unit.tree}/{unit.code}/").content.decode()
    assert "tháng 7/2024" in html
    assert "89,63" not in html  # its 8/2024 total
    assert client.get(f"/don-vi/{unit.tree}/{unit.code}/?period=2024-08").status_code == 404


def test_unknown_unit_is_404(client, unit_tree):
    assert client.get("/don-vi/legacy/khong-co/").status_code == 404


def test_same_code_in_two_trees_gives_two_pages(client, unit_tree):
    code = (
        AdministrativeUnit.objects.filter(
            tree="2025", code__in=AdministrativeUnit.objects.filter(tree="legacy").values("code")
        )
        .values_list("code", flat=True)
        .first()
    )
    legacy = AdministrativeUnit.objects.get(tree="legacy", code=code)
    new = AdministrativeUnit.objects.get(tree="2025", code=code)
    assert legacy.name in client.get(f"/don-vi/legacy/{code}/").content.decode()
    assert new.name in client.get(f"/don-vi/2025/{code}/").content.decode()


def test_scorecard_is_a_printable_page_with_a4_stylesheet(client, all_published):
    html = client.get("/don-vi/legacy/332/bang-diem/").content.decode()
    assert "print.css" in html and 'media="print"' in html
    assert "88,03" in html
    assert "Xã Thủ Sỹ: 89,63" in html and "Xã Cương Chính: 83,28" in html  # best and worst communes
    css = (pytest.importorskip("pathlib").Path(__file__).parents[2] / "static/css/print.css").read_text()
    assert "size: A4" in css


def test_compare_two_units_side_by_side_with_a_chart_and_a_permalink(client, all_published):
    a, b = _unit("Xã Thủ Sỹ"), _unit("Xã Lệ Xá")
    url = f"/so-sanh/?u={a.tree}.{a.code}&u={b.tree}.{b.code}"
    html = client.get(url).content.decode()
    assert "89,63" in html and "87,31" in html
    assert "<svg" in html and "So sánh điểm tổng hợp" in html
    assert html.index("Xã Thủ Sỹ") < html.index("Xã Lệ Xá")


def test_compare_search_without_diacritics_offers_units(client, all_published):
    html = client.get("/so-sanh/?q=thuy loi").content.decode()
    assert "Thêm Xã Thụy Lôi" in html
    assert "Cần ít nhất 2 đơn vị" in html


def test_map_draws_units_coloured_by_band_without_tiles(client, all_published):
    html = client.get("/ban-do/?parent=legacy.332&period=2024-08").content.decode()
    assert html.count('class="dot"') == 15
    svg = html.split("<svg", 1)[1].split("</svg>")[0]
    from indicators.models import ClassificationBand

    colours = {b.colour for b in ClassificationBand.objects.all()}
    assert any(f'fill="{c}"' in svg for c in colours)
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # no tile server
    assert "Xã Thủ Sỹ" in html  # the data table beside the map


def test_methodology_lists_the_catalogue_bands_and_a_months_revisions(client, all_published):
    html = client.get("/phuong-phap/?period=2024-08").content.decode()
    assert "Công khai, minh bạch" in html and "Xuất sắc" in html
    assert "1, 2, 2, 4" in html
    assert "Công văn của UBND huyện Tiên Lữ" in html


def test_methodology_revisions_of_an_unpublished_month_are_404(client, published):
    assert client.get("/phuong-phap/?period=2024-08").status_code == 404


def test_openapi_documents_the_json_api(client, unit_tree):
    doc = client.get("/du-lieu-mo/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/v1/rankings/", "/api/v1/units/"} <= set(doc["paths"])
    fields = doc["components"]["schemas"]["Result"]["properties"]
    assert {"unit_code", "unit_name", "total", "rank", "rank_of", "total_change", "rank_change", "band"} <= set(fields)
    assert "openapi.json" in client.get("/du-lieu-mo/").content.decode()


def test_openapi_documents_every_field_the_rankings_api_returns(client, published):
    doc = client.get("/du-lieu-mo/openapi.json").json()
    result = doc["components"]["schemas"]["Result"]
    answer = doc["paths"]["/api/v1/rankings/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    for period in ("2024-07", "2024-Q3"):
        body = client.get("/api/v1/rankings/", {"period": period, "parent": "legacy.332"}).json()
        assert set(body) == set(answer["properties"]) == set(answer["required"])
        assert set(body["results"][0]) == set(result["properties"]) == set(result["required"])
    for name in ("rank_source", "peer_count", "ranked_count"):
        assert result["properties"][name]["description"], name
    assert result["properties"]["rank_source"]["enum"] == ["published", "computed", None]
    assert "số tháng" in answer["properties"]["months_averaged"]["description"]


def test_feed_lists_published_months_only(client, published):
    response = client.get("/du-lieu-mo/cac-ky-cong-bo.atom")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    titles = [e.text for e in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("7/2024" in t for t in titles)
    assert not any("8/2024" in t for t in titles)


def test_embed_widget_may_be_framed_but_other_pages_may_not(client, all_published):
    widget = client.get("/nhung/don-vi/legacy/332/")
    assert widget.status_code == 200
    assert "X-Frame-Options" not in widget
    assert "frame-ancestors *" in widget["Content-Security-Policy"]
    assert "88,03" in widget.content.decode()
    children = client.get("/nhung/xep-hang/legacy/332/")
    assert "Xã Thủ Sỹ" in children.content.decode() and "X-Frame-Options" not in children
    assert client.get("/don-vi/legacy/332/")["X-Frame-Options"] == "DENY"
    html = client.get("/don-vi/legacy/332/").content.decode()
    assert (
        "&lt;iframe src=&quot;http://testserver/nhung/don-vi/legacy/332/" in html
        or '&lt;iframe src="http://testserver/nhung/don-vi/legacy/332/' in html
    )


def test_language_switch_to_english_and_back(client, all_published):
    response = client.get("/ngon-ngu/en/?next=/xep-hang/")
    assert response.status_code == 302 and response["Location"] == "/xep-hang/"
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert client.get("/ngon-ngu/en/?next=https://evil.example/").headers["Location"] == "/"


def test_json_of_rankings_is_valid_utf8_with_diacritics(client, all_published):
    body = client.get("/xep-hang/?parent=legacy.332&period=2024-08&format=json").content.decode("utf-8")
    assert "Xã Thủ Sỹ" in body and json.loads(body)["results"]


def test_vietnamese_is_the_default_whatever_the_browser_asks(client, all_published):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in html


def test_group_columns_without_figures_are_left_out_of_page_and_files(client, all_published):
    august = client.get("/xep-hang/?parent=legacy.332&period=2024-08").content.decode()
    july = client.get("/xep-hang/?parent=legacy.332&period=2024-07").content.decode()
    assert "Nhóm 1" not in august  # 8/2024 was published with totals and rates only
    assert "Nhóm 1" in july
    header = (
        client.get("/xep-hang/?parent=legacy.332&period=2024-08&format=csv").content.decode("utf-8-sig").splitlines()[0]
    )
    assert "Nhóm" not in header


def test_english_switch_translates_the_interface_and_keeps_vietnamese_numbers(client, all_published):
    client.get("/ngon-ngu/en/?next=/")
    html = client.get("/xep-hang/?parent=legacy.332&period=2024-08").content.decode()
    assert 'lang="en"' in html
    assert "Ranking of the units of Huyện Tiên Lữ" in html
    assert "Download the data shown" in html
    assert "89,63" in html  # figures stay in the Vietnamese format
    vi = client.get("/ngon-ngu/vi/?next=/")
    assert vi.status_code == 302
    assert "Tải dữ liệu đang xem" in client.get("/xep-hang/?parent=legacy.332&period=2024-08").content.decode()


def test_profile_history_downloads_include_predecessors_marked(client, all_published):
    import csv
    import io

    body = client.get("/don-vi/legacy/12364/?format=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["Tháng", "Mã đơn vị", "Đơn vị", "Trước sáp nhập"]
    assert {r[2] for r in rows[1:]} == {"Xã Hải Triều", "Xã Đức Thắng"}
    assert all(r[3] == "x" for r in rows[1:])
    data = client.get("/don-vi/legacy/332/?format=json").json()
    assert data["history"][0]["period"] == "2024-08" and data["history"][0]["total"] == 88.03


def test_compare_downloads_the_compared_totals(client, all_published):
    a, b = _unit("Xã Thủ Sỹ"), _unit("Xã Lệ Xá")
    data = client.get(f"/so-sanh/?u={a.tree}.{a.code}&u={b.tree}.{b.code}&format=json").json()
    last = data["totals_by_month"][-1]
    assert last["period"] == "2024-08" and last[a.code] == 89.63 and last[b.code] == 87.31


def test_profile_history_charts_have_visible_titles_and_the_rank_chart_is_labelled(client, all_published):
    import re

    unit = _unit("Xã Thụy Lôi")
    html = client.get(f"/don-vi/{unit.tree}/{unit.code}/").content.decode()
    history = html.split('id="hist-h"', 1)[1]
    titles = re.findall(r'<span class="chart-title" id="[^"]+">([^<]+)</span>', history)
    assert titles == ["Điểm tổng hợp theo tháng", "Thứ hạng theo tháng", "Điểm các nhóm chỉ số theo tháng"]
    subtitles = re.findall(r'<span class="chart-sub" id="[^"]+">([^<]+)</span>', history)
    assert all(s.startswith("Xã Thụy Lôi") and "Nguồn: Cổng Dịch vụ công quốc gia" in s for s in subtitles)
    assert "trong 15 đơn vị cùng cấp thuộc Huyện Tiên Lữ; hạng 1 ở trên cùng" in history
    assert "Hạng (1 = cao nhất)" in history


def test_a_district_ranked_alone_has_no_rank_chart(client, all_published):
    html = client.get("/don-vi/legacy/332/").content.decode()
    assert "Điểm tổng hợp theo tháng" in html and "Thứ hạng theo tháng" not in html


def test_why_never_says_no_change_beside_a_changed_total(client, all_published):
    """Tiên Lữ's 8/2024 was published with its total only (+2,61 against July): the change cannot be split."""
    html = client.get("/don-vi/legacy/332/?period=2024-08").content.decode()
    why = html.split('id="why-h"', 1)[1].split("</section>", 1)[0]
    assert "+2,61" in html.split('id="total-h"', 1)[1]
    assert "Không có thay đổi" not in why
    assert "chỉ có điểm tổng hợp, không có điểm từng nhóm, nên chưa tách được mức thay đổi +2,61 điểm" in why


def test_compare_leaves_out_groups_nobody_has_and_names_the_rest(client, published, all_published):
    a, b = _unit("Xã Thủ Sỹ"), _unit("Xã Lệ Xá")
    url = f"/so-sanh/?u={a.tree}.{a.code}&u={b.tree}.{b.code}"
    html = client.get(url).content.decode()  # 8/2024: the totals only
    table = html.split('id="cmp-h"', 1)[1].split("</table>", 1)[0]
    assert "Nhóm" not in table and "—</td><td" not in table
    assert "chỉ có điểm tổng hợp, chưa có điểm theo nhóm chỉ số" in html


def test_why_it_changed_names_the_groups_and_criteria_that_moved(client, all_published):
    from indicators.models import Indicator
    from rankings.models import RankingResult

    unit = _unit("Xã Thụy Lôi")
    result = RankingResult.objects.get(public=True, unit=unit, period_key="2024-07", scope="peer")
    result.details["why"]["criteria_worse"] = [{"code": "2.2", "measure": "rate", "change": "-3.50"}]
    result.save()
    html = client.get(f"/don-vi/{unit.tree}/{unit.code}/?period=2024-07").content.decode()
    why = html.split('id="why-h"', 1)[1].split("</section>", 1)[0]
    criterion = Indicator.objects.filter(code="2.2").first().name
    assert f"Tiêu chí “{criterion}” kém đi" in why and "-3,5%" in why
    moved = result.details["why"]["groups_gained"] + result.details["why"]["groups_lost"]
    assert moved, "the demo month has group changes"
    group = Indicator.objects.filter(code=moved[0]["code"], kind="group").first().name
    assert f"Nhóm “{group}”" in why
    if result.details["to_next_rank"]:
        assert "để lên hạng trên" in why


def test_compare_names_every_group_row_from_the_catalogue(client, published):
    a, b = _unit("Xã Thủ Sỹ"), _unit("Xã Lệ Xá")
    html = client.get(f"/so-sanh/?u={a.tree}.{a.code}&u={b.tree}.{b.code}").content.decode()  # 7/2024
    table = html.split('id="cmp-h"', 1)[1].split("</table>", 1)[0]
    for name in ("1. Công khai, minh bạch", "3. Dịch vụ công trực tuyến", "6. Số hóa hồ sơ"):
        assert f'<th scope="row">{name}</th>' in table
