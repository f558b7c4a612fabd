"""The correction path in a real browser (Debian's Chromium through Playwright): staff upload a corrected
month through the web, the public keeps seeing the published figures, then the leader reviews the
differences and republishes, and only then does the public page change (with "cập nhật ngày …")."""

import io
import os
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from accounts.models import UnitAssignment
from indicators.services import period_get
from publishing.models import Publication
from publishing.services import publication_publish
from tests.conftest import ensure_reference_data
from units.models import AdministrativeUnit

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PUBLIC = "/xep-hang/?parent=legacy.332&level=commune&period=2024-08"


@pytest.fixture
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        yield chromium
        chromium.close()


def _corrected_file(tmp_path) -> Path:
    """Tiên Lữ's communes for 8/2024 as the clerk retyped them, Thủ Sỹ corrected from 89,63 to 51,17."""
    from indicators.demo import TIEN_LU_2024_08

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Tên cơ quan, đơn vị", "Điểm tổng hợp"])
    for n, (name, total, _change, _progress) in enumerate(TIEN_LU_2024_08, start=1):
        sheet.append([n, name, "51,17" if "Thủ Sỹ" in name else total])
    path = tmp_path / "tien-lu-8-2024-sua.xlsx"
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def _sign_in(browser, base, username):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(base + "/tai-khoan/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "mat-khau-dai-123")
    page.press("#id_password", "Enter")
    page.wait_for_load_state()
    return page


# Longer than 60 lines on purpose: one correction followed through the browser, from the clerk's upload to the leader's republication.
def test_staff_correct_through_the_web_and_the_public_changes_only_when_the_leader_republishes(
    live_server, browser, monkeypatch, tmp_path, settings
):
    from django.db import connection

    from indicators.demo import demo_load

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    ensure_reference_data()
    demo_load()
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    for month in (7, 8):
        publication_publish(period=period_get(year=2024, month=month), scope=tien_lu)
    users = get_user_model().objects
    for username, role in (("canbo", "staff"), ("lanhdao", "leader")):
        UnitAssignment.objects.create(
            user=users.create_user(username, password="mat-khau-dai-123"), unit=tien_lu, role=role
        )
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    citizen = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
    citizen.goto(base + PUBLIC)
    assert "89,63" in citizen.content() and "51,17" not in citizen.content()

    # Staff: upload, map, resolve, preview, write.
    clerk = _sign_in(browser, base, "canbo")
    clerk.goto(base + "/nhap-lieu/tai-len/")
    clerk.set_input_files("#id_file", str(_corrected_file(tmp_path)))
    clerk.fill("#id_period", "2024-08")
    clerk.fill("#id_scope", "Huyện Tiên Lữ")
    clerk.fill("#id_data_as_of", "12:00 20/09/2024")
    clerk.get_by_role("button", name="Tải lên và ghép cột").click()
    clerk.wait_for_url("**/ghep-cot/")
    clerk.get_by_role("button", name="Tiếp: xác định đơn vị").click()
    clerk.wait_for_url("**/don-vi/")
    clerk.get_by_role("button", name="Tiếp: xem trước").click()
    clerk.wait_for_url("**/xem-truoc/")
    clerk.get_by_role("button", name="Ghi số liệu").click()
    clerk.wait_for_url("**/trang-thai/")
    status = clerk.content()
    assert "Đã ghi lần nhập số" in status and "/cong-bo/" in status  # what happens next, and who does it
    clerk.screenshot(path=str(ARTIFACTS / "correction-1-clerk-applied-1280.png"), full_page=True)

    # The public still sees what the leader published.
    citizen.reload()
    assert "89,63" in citizen.content() and "51,17" not in citizen.content()

    # The leader: the desk marks the pending change, the review shows it, confirming republishes.
    leader = _sign_in(browser, base, "lanhdao")
    leader.goto(base + "/cong-bo/")
    assert "Có thay đổi chưa công bố" in leader.content()
    leader.locator("a", has_text="Xem lại và công bố lại").first.click()
    leader.wait_for_url("**/xem-lai/")
    review = leader.content()
    assert "Khác với bản đang công bố" in review and "89,63" in review and "51,17" in review
    leader.screenshot(path=str(ARTIFACTS / "correction-2-leader-review-1280.png"), full_page=True)
    leader.get_by_role("button", name="Công bố lại").click()  # the confirmation box is required first
    assert "xem-lai" in leader.url and Publication.objects.get(scope=tien_lu, period__month=8).version == 1
    leader.check("#confirm")
    leader.get_by_role("button", name="Công bố lại").click()
    leader.wait_for_url("**/cong-bo/")
    assert "lần 2" in leader.content()

    citizen.reload()
    page = citizen.content()
    assert "51,17" in page and "89,63" not in page and "Cập nhật ngày" in page
    citizen.screenshot(path=str(ARTIFACTS / "correction-3-public-republished-375.png"), full_page=True)
