"""A clerk in a real browser (Debian's Chromium through Playwright): one click brings the month from
the (fake) national portal into a preview, a second writes it."""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from accounts.models import UnitAssignment
from imports.models import NationalWatch, PortalUnitLink
from indicators.models import Score
from tests.conftest import ensure_reference_data
from units.models import AdministrativeUnit

from . import fake_portal

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        yield chromium
        chromium.close()


def test_a_clerk_fetches_the_month_from_the_portal_previews_it_and_writes_it(
    live_server, browser, settings, monkeypatch
):
    from django.db import connection

    from indicators.demo import demo_load

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    ensure_reference_data()
    demo_load()
    app, url, stop = fake_portal.start()
    settings.NATIONAL_PORTAL_URL, settings.NATIONAL_PORTAL_RETRIES = url, 0
    hung_yen = AdministrativeUnit.objects.get(tree="legacy", level="province", code="33")
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    PortalUnitLink.objects.create(unit=hung_yen, portal_id=fake_portal.HUNG_YEN_ID)
    PortalUnitLink.objects.create(unit=tien_lu, portal_id=fake_portal.TIEN_LU_ID)
    user = get_user_model().objects.create_user("nhaplieu", password="mat-khau-dai-123")
    UnitAssignment.objects.create(user=user, unit=tien_lu, role="staff")
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(live_server.url + "/nhap-lieu/tai-len/")
        page.fill("#id_username", "nhaplieu")
        page.fill("#id_password", "mat-khau-dai-123")
        page.press("#id_password", "Enter")
        page.wait_for_url("**/nhap-lieu/tai-len/")
        # The monthly fetch, turned on with one click on the same page.
        page.get_by_role("button", name="Bật cho Huyện Tiên Lữ").click()
        page.wait_for_url("**/nhap-lieu/tai-len/")
        assert "vào các ngày 1-10 hằng tháng" in page.content()
        assert page.get_by_role("button", name="Tắt cho Huyện Tiên Lữ").count() == 1
        assert page.get_by_text("Replaces").count() == 0  # the corrected file's hidden field has no label
        page.screenshot(path=str(ARTIFACTS / "import-national-monthly-on-1280.png"), full_page=True)
        page.fill("#id_national-period", "2024-08")
        page.fill("#id_national-scope", "Huyện Tiên Lữ")
        page.get_by_role("button", name="Lấy số liệu từ Cổng DVCQG").click()

        page.wait_for_url("**/xem-truoc/")
        assert "Chưa có gì được ghi." in page.content()
        assert page.get_by_text("UBND xã Thủ Sỹ → Xã Thủ Sỹ").count() == 1
        page.screenshot(path=str(ARTIFACTS / "import-national-preview-1280.png"), full_page=True)
        page.get_by_role("button", name="Ghi số liệu").click()

        page.wait_for_url("**/trang-thai/")
        assert "Đã ghi lần nhập số" in page.content()
    finally:
        stop()
    assert len(app.requests) == 1
    assert NationalWatch.objects.get(scope=tien_lu).active
    thu_sy = AdministrativeUnit.objects.get(parent=tien_lu, short_name="Thủ Sỹ")
    total = Score.objects.get(unit=thu_sy, period__year=2024, period__month=8, indicator__code="total")
    assert str(total.points) == "89.63" and total.rank == 1


def test_a_leader_records_the_units_a_file_does_not_mention_from_the_preview(
    live_server, browser, monkeypatch, tmp_path
):
    """Xã Hải Thắng is dated to no start in the dataset, and the file lacks Cương Chính's row: the leader
    says, with one click each, that Hải Thắng did not exist yet and that Cương Chính had no data."""
    from django.db import connection

    from indicators.demo import demo_load
    from tests.imports.conftest import TIEN_LU_HEADERS, TIEN_LU_ROWS, TIEN_LU_TITLE, xlsx_bytes

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    ensure_reference_data()
    demo_load()
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    hai_thang = AdministrativeUnit.objects.get(tree="legacy", code="12364")
    hai_thang.valid_from = None
    hai_thang.save()
    rows = [r for r in TIEN_LU_ROWS if "Cương Chính" not in r[1]]
    upload = tmp_path / "phu-luc-8-2024.xlsx"
    upload.write_bytes(xlsx_bytes([TIEN_LU_HEADERS, *rows], title=TIEN_LU_TITLE))
    user = get_user_model().objects.create_user("lanhdao", password="mat-khau-dai-123")
    UnitAssignment.objects.create(user=user, unit=tien_lu, role="leader")
    ARTIFACTS.mkdir(exist_ok=True)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/nhap-lieu/tai-len/")
    page.fill("#id_username", "lanhdao")
    page.fill("#id_password", "mat-khau-dai-123")
    page.press("#id_password", "Enter")
    page.wait_for_url("**/nhap-lieu/tai-len/")
    page.set_input_files("#id_file", str(upload))
    page.fill("#id_period", "2024-08")
    page.fill("#id_scope", "Huyện Tiên Lữ")
    page.fill("#id_data_as_of", "12:00 05/09/2024")
    page.get_by_role("button", name="Tải lên và ghép cột").click()
    page.wait_for_url("**/ghep-cot/")
    page.goto(page.url.replace("/ghep-cot/", "/xem-truoc/"))

    missing = page.locator("section.missing-units")
    assert "2 đơn vị không có trong tệp" in missing.inner_text()
    page.screenshot(path=str(ARTIFACTS / "import-missing-units-1280.png"), full_page=True)
    page.locator(f"#missing-{hai_thang.pk}").get_by_role("button", name="Chưa tồn tại khi đó").click()
    page.wait_for_url("**/xem-truoc/")
    assert "Xã Hải Thắng chưa tồn tại trong tháng 8/2024: hiệu lực từ 01/09/2024." in page.content()
    cuong_chinh = AdministrativeUnit.objects.get(parent=tien_lu, name="Xã Cương Chính")
    page.locator(f"#missing-{cuong_chinh.pk}").get_by_role("button", name="Không có số liệu tháng này").click()
    page.wait_for_url("**/xem-truoc/")
    item = page.locator(f"#missing-{cuong_chinh.pk}").inner_text()
    assert "đã ghi nhận: không có số liệu tháng này" in item
    assert page.locator(f"#missing-{hai_thang.pk}").count() == 0
    hai_thang.refresh_from_db()
    assert str(hai_thang.valid_from) == "2024-09-01"
