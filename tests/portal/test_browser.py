"""A citizen in a real browser (Debian's Chromium through Playwright), and axe-core on every page type.

Screenshots at 375 px and 1280 px go to test-artifacts/ (kept by CI, ignored by git).
"""

import csv
import importlib
import os
from pathlib import Path

import pytest

from units.models import AdministrativeUnit

from .factories import tien_lu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).parent / "vendor/axe-core/axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def catalogue_766(transactional_db):
    """A transactional test starts from a flushed database: put the catalogue (a data migration) back."""
    from django.apps import apps
    from django.db import connection

    from indicators.models import Framework

    if not Framework.objects.exists():
        importlib.import_module("indicators.migrations.0002_catalogue_766").load(apps, connection.schema_editor())


@pytest.fixture
def site(catalogue_766, all_published, live_server, monkeypatch):
    """The demo, ranked and published, served by a live server."""
    from django.db import connection

    # The server's request threads must not keep connections open past the test database's life.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    return live_server.url


@pytest.fixture
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright runs an event loop in this thread; the ORM work is done before it starts.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _follow(page, locator) -> None:
    """Click a link or a submit button the way a person does, and wait for the next page."""
    with page.expect_navigation():
        locator.click()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_citizen_finds_a_commune_sees_why_it_moved_compares_and_downloads(site, browser, tmp_path):
    for width in (375, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800}, accept_downloads=True, locale="vi-VN")
        page = context.new_page()
        page.goto(site + "/")
        assert "Huyện Tiên Lữ tháng 8/2024" in page.inner_text("h1")
        _shot(page, f"home-{width}")

        _follow(page, page.get_by_role("link", name="Bảng xếp hạng đầy đủ, tìm kiếm và tải dữ liệu"))
        page.get_by_label("Tìm theo tên").fill("thuy loi")
        _follow(page, page.get_by_role("button", name="Xem"))
        assert page.get_by_role("link", name="Xã Thụy Lôi").is_visible()
        _shot(page, f"rankings-{width}")

        _follow(page, page.get_by_role("link", name="Xã Thụy Lôi"))
        assert "Xã Thụy Lôi" in page.inner_text("h1")
        why = page.inner_text("#why-h + ul")
        assert "để lên hạng trên" in why
        _shot(page, f"unit-{width}")

        _follow(page, page.get_by_role("link", name="So sánh với đơn vị khác"))
        page.get_by_label("Thêm đơn vị").fill("thu sy")
        _follow(page, page.get_by_role("button", name="Tìm"))
        _follow(page, page.get_by_role("link", name="Thêm Xã Thủ Sỹ"))
        assert page.locator("svg.chart").count() == 1, page.url + page.inner_text("main")[:1500]
        assert "89,63" in page.inner_text("main")
        _shot(page, f"compare-{width}")

        page.goto(site + "/xep-hang/?parent=legacy.332&level=commune&period=2024-08")
        with page.expect_download() as download_info:
            page.get_by_role("link", name="CSV").click()
        path = tmp_path / f"ranking-{width}.csv"
        download_info.value.save_as(path)
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
        assert rows[1][3] == "Xã Thủ Sỹ" and len(rows) == 16
        context.close()


def test_every_page_type_has_no_serious_accessibility_violation(site, browser):
    unit = AdministrativeUnit.objects.get(tree="legacy", code="12364")  # merged: predecessors' history
    commune = AdministrativeUnit.objects.filter(parent__code="332", name="Xã Thủ Sỹ").first()
    pages = {
        "home": "/",
        "rankings": "/xep-hang/?parent=legacy.332&level=commune&period=2024-08",
        "rankings-quarter": "/xep-hang/?parent=legacy.332&level=commune&period=2024-Q2",
        "unit": f"/don-vi/{commune.tree}/{commune.code}/",
        "unit-merged": f"/don-vi/{unit.tree}/{unit.code}/",
        "district": "/don-vi/legacy/332/",
        "scorecard": "/don-vi/legacy/332/bang-diem/",
        "compare": f"/so-sanh/?u={commune.tree}.{commune.code}&u=legacy.332",
        "map": "/ban-do/?parent=legacy.332&period=2024-08",
        "methodology": "/phuong-phap/?period=2024-08",
        "open-data": "/du-lieu-mo/",
        "embed-unit": "/nhung/don-vi/legacy/332/",
        "embed-children": "/nhung/xep-hang/legacy/332/",
        "rankings-nationwide": "/xep-hang/?parent=all",
        "search": "/tim-kiem/?q=thu+sy",
        "login": "/tai-khoan/login/",
        "error-404": "/xep-hang/?parent=legacy.332&level=commune&period=2030-01",
        "error-404-unknown": "/khong-co-trang-nay/",
    }
    statuses = {"error-404": 404, "error-404-unknown": 404}
    found = {}
    for width in (360, 1280):
        # axe is injected as a script: the pages' Content-Security-Policy would (rightly) block it.
        context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
        page = context.new_page()
        for name, url in pages.items():
            response = page.goto(site + url)
            assert response.status == statuses.get(name, 200), url
            # Usable at phone width: nothing wider than the screen except inside scrollable tables.
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name} is {overflow}px wider than a {width}px screen"
            violations = _axe(page)
            if violations:
                found[f"{name}@{width}"] = violations
            if name == "district" and width == 1280:  # the embed code can be copied with one button
                page.get_by_text("Nhúng vào cổng thông tin của đơn vị").click()
                assert page.get_by_role("button", name="Sao chép mã nhúng").count() >= 1
            if name in ("map", "methodology", "scorecard", "district", "embed-children", "unit-merged", "error-404"):
                _shot(page, f"{name}-{width}")
        # The English interface too.
        context.add_cookies([{"name": "django_language", "value": "en", "url": site}])
        for name in ("home", "rankings", "unit", "error-404"):
            page.goto(site + pages[name])
            assert page.get_attribute("html", "lang") == "en"
            violations = _axe(page)
            if violations:
                found[f"{name}-en@{width}"] = violations
        context.close()
    assert not found, found


def test_scorecard_prints_on_one_a4_page(site, browser, tmp_path):
    from pypdf import PdfReader

    page = browser.new_page()
    page.goto(site + "/don-vi/legacy/332/bang-diem/")
    page.emulate_media(media="print")
    pdf = tmp_path / "scorecard.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True, print_background=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "scorecard-a4.pdf").write_bytes(pdf.read_bytes())
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Huyện Tiên Lữ" in text and "88,03" in text
    page.close()


# --- issue 15: phones, charts, the map, dead ends, accounts -----------------------------------------------

PHONE, DESKTOP = 375, 1280


def _page(browser, width: int, **kwargs):
    context = browser.new_context(viewport={"width": width, "height": 800}, **kwargs)
    return context, context.new_page()


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _scrolled_tables(page) -> list[str]:
    """The table regions that need a sideways scroll (wider than their box)."""
    return page.evaluate(
        "[...document.querySelectorAll('.table-scroll')].filter(d => d.scrollWidth > d.clientWidth + 1)"
        ".map(d => d.getAttribute('aria-label') || d.getAttribute('aria-labelledby'))"
    )


def test_phone_ranking_shows_rank_name_total_change_and_band_without_sideways_scroll(site, browser):
    context, page = _page(browser, PHONE)
    page.goto(site + "/xep-hang/?parent=legacy.332&level=commune&period=2024-Q2")
    assert _overflow(page) <= 1 and _scrolled_tables(page) == []
    row = page.locator("table.data tbody tr").first
    for css in (".c-rank", ".c-unit", ".c-total", ".c-total_change", ".c-rank_change", ".c-band"):
        cell = row.locator(css)
        assert cell.is_visible(), css
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE, css
    # Each figure is named beside it (the column's name, drawn by the stylesheet from data-label).
    named = row.locator(".c-total_change").evaluate("td => getComputedStyle(td, '::before').content")
    assert named == '"Thay đổi điểm"'
    assert row.locator(".c-band").evaluate("td => getComputedStyle(td, '::before').content") == '"Xếp loại"'
    # Sorting stays: the header is the row of sort links.
    _follow(page, page.locator("thead").get_by_role("link", name="Tổng điểm"))
    assert "sort=total" in page.url
    _shot(page, f"rankings-quarter-{PHONE}")
    page.goto(site + "/")
    assert _overflow(page) <= 1 and _scrolled_tables(page) == []
    first = page.locator("#children-h ~ .table-scroll tbody tr").first
    assert first.locator(".c-unit").is_visible() and first.locator("td").last.is_visible()
    context.close()


def test_quarter_and_nationwide_tables_are_not_cut_off_on_a_desktop(site, browser):
    context, page = _page(browser, DESKTOP)
    for name, url in [
        ("rankings-quarter", "/xep-hang/?parent=legacy.332&level=commune&period=2024-Q2"),
        ("rankings-nationwide", "/xep-hang/?parent=all"),
    ]:
        page.goto(site + url)
        assert _scrolled_tables(page) == [], url
        _shot(page, f"{name}-{DESKTOP}")
    page.goto(site + "/xep-hang/?parent=legacy.332&level=commune&period=2024-Q2")
    assert page.get_by_text("Nhóm 6: Số hóa hồ sơ").is_visible()  # the group columns are named
    context.close()


def test_touch_targets_of_navigation_and_table_links_are_at_least_24px(site, browser):
    context, page = _page(browser, PHONE)
    for url in ("/", "/xep-hang/?parent=legacy.332&level=commune&period=2024-08", "/ban-do/?parent=legacy.332"):
        page.goto(site + url)
        small = page.evaluate(
            "[...document.querySelectorAll('.site-header nav a, table.data a')]"
            ".map(a => [a.innerText.trim(), a.getBoundingClientRect().height]).filter(([t, h]) => h < 24)"
        )
        assert small == [], (url, small)
    context.close()


def test_charts_have_visible_titles_and_text_of_at_least_12px_on_a_phone(site, browser):
    context, page = _page(browser, PHONE)
    commune = AdministrativeUnit.objects.filter(parent__code="332", name="Xã Thủ Sỹ").first()
    page.goto(site + f"/don-vi/{commune.tree}/{commune.code}/")
    titles = page.locator("#hist-h ~ .chart-box .chart-title")
    assert titles.all_inner_texts() == [
        "Điểm tổng hợp theo tháng",
        "Thứ hạng theo tháng",
        "Điểm các nhóm chỉ số theo tháng",
    ]
    assert all(t.is_visible() for t in titles.all())
    assert "Nguồn: Cổng Dịch vụ công quốc gia" in page.locator("#hist-h ~ .chart-box .chart-sub").first.inner_text()
    sizes = page.evaluate(
        "[...document.querySelectorAll('svg.chart text')]"
        ".map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"
    )
    assert sizes and min(sizes) >= 12, min(sizes)
    # The rank chart says what its axis is.
    assert page.locator("svg.chart .axis-title", has_text="Hạng (1 = cao nhất)").count() == 1
    _shot(page, f"unit-charts-{PHONE}")
    context.close()


def test_map_colours_markers_by_band_with_a_legend_and_no_marker_hides_another(site, browser):
    for width in (PHONE, DESKTOP):
        context, page = _page(browser, width)
        page.goto(site + "/ban-do/?parent=legacy.332&period=2024-Q2")
        dots = page.evaluate(
            "[...document.querySelectorAll('svg.map circle.dot')].map(c => {const r = c.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2, r.width, c.getAttribute('fill')]})"
        )
        assert len(dots) == 15
        assert len({fill for *_xy, fill in dots}) >= 3  # Xuất sắc, Tốt, Khá that quarter
        for i, (x1, y1, d, _f1) in enumerate(dots):
            for x2, y2, _d, _f2 in dots[i + 1 :]:
                assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 >= d * 0.95  # none on top of another
        legend = page.locator(".chart-box .legend").inner_text()
        assert "Xuất sắc (từ 90 điểm): 2 đơn vị" in legend and "Khá" in legend
        assert "dùng chung một tọa độ" in page.locator(".shared-note").inner_text()
        labels = page.evaluate(
            "[...document.querySelectorAll('svg.map text.place')]"
            ".map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"
        )
        assert labels and min(labels) >= 12
        _shot(page, f"map-quarter-{width}")
        context.close()


def test_a_dead_end_leads_to_the_nearest_published_month_and_to_search(site, browser):
    for width in (PHONE, DESKTOP):
        context, page = _page(browser, width)
        response = page.goto(site + "/xep-hang/?parent=legacy.332&level=commune&period=2024-10")
        assert response.status == 404
        assert page.get_attribute("html", "lang") == "vi" and _overflow(page) <= 1
        assert "Tháng 10/2024 chưa được công bố" in page.inner_text("main")
        _shot(page, f"error-404-month-{width}")
        _follow(page, page.get_by_role("link", name="Xem tháng 8/2024"))
        assert "tháng 8/2024" in page.inner_text("h1")
        page.goto(site + "/don-vi/legacy/khong-co/")
        page.get_by_label("Tìm đơn vị theo tên").fill("thu sy")
        _follow(page, page.get_by_role("button", name="Tìm"))
        _shot(page, f"search-{width}")
        _follow(page, page.get_by_role("link", name="Xã Thủ Sỹ"))
        assert "Xã Thủ Sỹ" in page.inner_text("h1")
        context.close()


def test_without_a_database_the_page_says_try_again_and_passes_axe(browser, server_without_database):
    for width in (PHONE, DESKTOP):
        context, page = _page(browser, width, bypass_csp=True)
        response = page.goto(server_without_database + "/")
        assert response.status == 503 and page.get_attribute("html", "lang") == "vi"
        assert "Hệ thống tạm thời chưa phục vụ được" in page.inner_text("h1") and _overflow(page) <= 1
        assert _axe(page) == []
        _shot(page, f"error-503-{width}")
        context.close()


def test_a_clerk_and_an_administrator_sign_in_and_see_only_the_links_they_can_use(site, browser):
    from django.contrib.auth import get_user_model

    from accounts.models import Role, UnitAssignment

    users = get_user_model().objects
    clerk = users.create_user("canbo.tienlu", password="demo-canbo")
    UnitAssignment.objects.create(user=clerk, unit=tien_lu(), role=Role.STAFF)
    users.create_user("quantri", password="demo-quantri", is_staff=True, is_superuser=True)
    from dispatches.models import Dispatch
    from indicators.models import Period

    # A dispatch of another unit: the clerk is not assigned to Hà Nội.
    elsewhere = Dispatch.objects.create(
        unit=AdministrativeUnit.objects.get(tree="legacy", code="01"),
        period=Period.objects.get(year=2024, month=8),
        subject="công khai kết quả Bộ chỉ số tháng 8/2024",
        frozen_data={},
    )
    for width in (PHONE, DESKTOP):
        for username, password, sees_admin in (
            ("canbo.tienlu", "demo-canbo", False),
            ("quantri", "demo-quantri", True),
        ):
            context, page = _page(browser, width, bypass_csp=True)
            page.goto(site + "/")
            _follow(page, page.get_by_role("link", name="Đăng nhập"))
            assert _axe(page) == []
            page.get_by_label("Tên đăng nhập").fill(username)
            page.get_by_label("Mật khẩu").fill(password)
            _follow(page, page.get_by_role("button", name="Đăng nhập"))
            nav = page.get_by_role("navigation", name="Điều hướng chính")
            assert nav.get_by_role("button", name="Đăng xuất").is_visible()
            assert (nav.get_by_role("link", name="Quản lý").count() == 1) is sees_admin
            if sees_admin:
                _follow(page, nav.get_by_role("link", name="Quản lý"))
                assert "/admin/login/" not in page.url and page.url.endswith("/admin/")
            else:  # another unit's dispatch: a Vietnamese 403 with the reason, on the site's layout
                response = page.goto(site + f"/cong-van/{elsewhere.pk}/")
                assert response.status == 403 and "Bạn không được phân công cho đơn vị này." in page.inner_text("main")
                assert _axe(page) == [] and _overflow(page) <= 1
                _shot(page, f"error-403-{width}")
            _shot(page, f"signed-in-{username}-{width}")
            context.close()
