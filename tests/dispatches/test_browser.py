"""A leader and a clerk in a real browser (Debian's Chromium through Playwright): the preview under the site's
CSP, render progress from the static script, the signed copy uploaded and then served to the public.

Screenshots go to test-artifacts/ (kept by CI, ignored by git).
"""

import datetime
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import Role, UnitAssignment
from dispatches.models import Dispatch, SignedDispatch
from dispatches.signing import APPENDIX_FIELD, SEAL_FIELD, SIGNER_FIELD

from .factories import legacy, publish_months, rank_months
from .signing_tools import make_ca, make_signer, sign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]


@pytest.fixture
def site(demo, live_server, monkeypatch, settings, tmp_path):
    from django.db import connection

    # The server's request threads must not keep connections open past the test database's life.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    settings.MEDIA_ROOT = tmp_path
    rank_months("2024-07", "2024-08")
    publish_months(legacy("332"), "2024-07", "2024-08")
    return live_server.url


@pytest.fixture
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Person:
    """One person's browser tab, logged in as a user with a role on a unit; it records what the console said."""

    def __init__(self, browser, base: str, *, username: str | None = None, role: str | None = None, unit=None):
        self.context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        if username:
            user = get_user_model().objects.create_user(username=username, password="mật-khẩu-dài-123")
            UnitAssignment.objects.create(user=user, unit=unit, role=role)
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            self.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
        self.page = self.context.new_page()
        self.base = base
        self.console: list[str] = []
        self.page.on("console", lambda message: self.console.append(message.text))
        self.page.on("pageerror", lambda error: self.console.append(str(error)))

    def open(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def submit(self, locator) -> None:
        with self.page.expect_navigation():
            locator.click()

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.console if "Content Security Policy" in m or "Refused to" in m]


def _signed_elsewhere(finalised: bytes) -> bytes:
    """The signing tool's work (leader, then the body on the seal and the appendix), in a thread of its own:
    pyHanko runs its own event loop, and Playwright's is running in this one."""

    def work() -> bytes:
        ca = make_ca()
        signer = make_signer(ca, common_name="Nguyễn Thị Tố Uyên", organization="UBND huyện Tiên Lữ")
        body = make_signer(ca, common_name="UBND huyện Tiên Lữ", organization="UBND huyện Tiên Lữ")
        signed = sign(finalised, field=SIGNER_FIELD, who=signer, ca=ca)
        signed = sign(signed, field=SEAL_FIELD, who=body, ca=ca)
        return sign(signed, field=APPENDIX_FIELD, who=body, ca=ca)

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


# Longer than 60 lines on purpose: one person's path through the browser, step by step, as a leader and a clerk click it.
def test_leader_previews_finalises_and_the_clerk_publishes_the_signed_copy(site, browser):
    tien_lu = legacy("332")
    from dispatches.services import dispatch_draft
    from indicators.models import Period

    dispatch = dispatch_draft(unit=tien_lu, period=Period.objects.get(year=2024, month=8))
    leader = Person(browser, site, username="lanhdao", role=Role.LEADER, unit=tien_lu)
    page = leader.open(f"/cong-van/{dispatch.pk}/")
    # The preview frame shows the dispatch under the site's CSP, and follows the text as it is typed.
    frame = page.frame_locator("iframe[name=preview]")
    frame.get_by_text("Độc lập - Tự do - Hạnh phúc").wait_for()
    page.fill("#id_requirements", "1. Yêu cầu gõ thử trong trình duyệt.")
    frame.get_by_text("Yêu cầu gõ thử trong trình duyệt.").wait_for(timeout=10_000)
    assert leader.csp_violations == []
    leader.shot("dispatch-edit-preview")

    leader.submit(page.get_by_role("button", name="Duyệt và chốt số liệu"))
    # Progress is polled by the static script until the file is there.
    page.locator("#render-status[data-state=done]").wait_for(timeout=30_000)
    assert page.locator("#render-status .download").is_visible()
    assert leader.csp_violations == []
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.FINAL and dispatch.requirements.startswith("Căn cứ kết quả")
    with dispatch.pdf.open("rb") as stored:
        finalised = stored.read()

    signed = _signed_elsewhere(finalised)

    clerk = Person(browser, site, username="vanthu", role=Role.STAFF, unit=tien_lu)
    page = clerk.open(f"/cong-van/{dispatch.pk}/")
    # A tampered copy first: refused with the reason, nothing kept.
    tampered = signed[:3000] + bytes([signed[3000] ^ 1]) + signed[3001:]
    page.set_input_files("#id_file", {"name": "da-ky.pdf", "mimeType": "application/pdf", "buffer": tampered})
    page.fill("#id_number", "193/UBND-VP")
    page.fill("#id_issued_on", "2024-09-10")
    clerk.submit(page.get_by_role("button", name="Kiểm tra chữ ký và ban hành"))
    assert "Không nhận tệp đã ký: Tệp không phải bản đã chốt của công văn này" in page.content()
    assert not SignedDispatch.objects.exists()
    page.set_input_files("#id_file", {"name": "da-ky.pdf", "mimeType": "application/pdf", "buffer": signed})
    page.fill("#id_number", "193/UBND-VP")
    page.fill("#id_issued_on", "2024-09-10")
    clerk.submit(page.get_by_role("button", name="Kiểm tra chữ ký và ban hành"))
    assert "Đã nhận bản ký số công văn 193/UBND-VP" in page.content()
    assert "Đã ký số bởi Nguyễn Thị Tố Uyên (UBND huyện Tiên Lữ) lúc" in page.locator("#signed-copy").inner_text()
    clerk.shot("dispatch-signed-copy")

    citizen = Person(browser, site)
    page = citizen.open("/cong-van/cong-khai/")
    row = page.locator("tr", has_text="Huyện Tiên Lữ")
    note = row.locator(".signature-note").inner_text()
    copy = SignedDispatch.objects.get()
    when = copy.signed_at.astimezone(datetime.timezone(datetime.timedelta(hours=7)))
    assert note.startswith(f"Đã ký số bởi Nguyễn Thị Tố Uyên (UBND huyện Tiên Lữ) lúc {when:%H:%M %d/%m/%Y}")
    assert "Số 193/UBND-VP ngày 10/09/2024" in row.inner_text()
    citizen.shot("dispatch-public-list-signed")
    # The public file is the signed copy, byte for byte; the unsigned one is not served.
    with page.expect_download() as download:
        row.get_by_role("link", name="Tải PDF").click()
    served = Path(download.value.path()).read_bytes()
    assert served == signed and served != finalised
    assert citizen.csp_violations == []
