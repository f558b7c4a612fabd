"""A citizen in a real browser (Debian's Chromium through Playwright), and axe-core on every page type.

Screenshots at 375 px and 1280 px go to test-artifacts/ (kept by CI, ignored by git).
"""

import csv
import importlib
import os
from pathlib import Path

import pytest

from units.models import AdministrativeUnit

from .factories import publish, quarter_build, rankings_build, tien_lu

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
MONTHS = [(2023, 9), (2023, 10), (2023, 11), (2023, 12)] + [(2024, m) for m in range(1, 9)]


@pytest.fixture
def catalogue_766(transactional_db):
    """A transactional test starts from a flushed database: put the catalogue (a data migration) back."""
    from django.apps import apps
    from django.db import connection

    from indicators.models import Framework

    if not Framework.objects.exists():
        importlib.import_module("indicators.migrations.0002_catalogue_766").load(apps, connection.schema_editor())


@pytest.fixture
def site(catalogue_766, demo, live_server, monkeypatch):
    """The demo, ranked and published, served by a live server."""
    from django.db import connection

    # The server's request threads must not keep connections open past the test database's life.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    for year, month in MONTHS:
        rankings_build(year=year, month=month)
        publish(year=year, month=month, scope=tien_lu())
    quarter_build(year=2024, quarter=2)
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
    }
    found = {}
    for width in (360, 1280):
        # axe is injected as a script: the pages' Content-Security-Policy would (rightly) block it.
        context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
        page = context.new_page()
        for name, url in pages.items():
            response = page.goto(site + url)
            assert response.status == 200, url
            # Usable at phone width: nothing wider than the screen except inside scrollable tables.
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name} is {overflow}px wider than a {width}px screen"
            violations = _axe(page)
            if violations:
                found[f"{name}@{width}"] = violations
            if name == "district" and width == 1280:  # the embed code can be copied with one button
                page.get_by_text("Nhúng vào cổng thông tin của đơn vị").click()
                assert page.get_by_role("button", name="Sao chép mã nhúng").count() >= 1
            if name in ("map", "methodology", "scorecard", "district", "embed-children", "unit-merged"):
                _shot(page, f"{name}-{width}")
        # The English interface too.
        context.add_cookies([{"name": "django_language", "value": "en", "url": site}])
        for name in ("home", "rankings", "unit"):
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
