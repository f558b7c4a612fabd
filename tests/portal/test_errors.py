"""Every dead end answers in Vietnamese with the site's header, the reason and a way forward; the API in JSON."""

import urllib.error
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import Role, UnitAssignment

pytestmark = pytest.mark.django_db


def _assert_error_page(response, status: int):
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert 'name="viewport"' in html
    assert 'class="site-header"' in html  # the site's header and navigation, not Django's bare page
    assert "Not Found" not in html and "Forbidden" not in html
    assert 'href="/"' in html  # a way home
    return html


def test_unknown_unit_says_which_code_was_not_found_and_offers_search(client, unit_tree):
    html = _assert_error_page(client.get("/don-vi/legacy/999999/"), 404)
    assert "Không tìm thấy trang" in html
    assert "Không có đơn vị nào mang mã “999999” trong danh mục “legacy”." in html
    assert 'action="/tim-kiem/"' in html


def test_unpublished_month_links_the_nearest_published_months_and_they_open(client, published):
    html = _assert_error_page(client.get("/xep-hang/?parent=legacy.332&level=commune&period=2024-08"), 404)
    assert "Tháng 8/2024 chưa được công bố" in html
    # July is the nearest published month; the link keeps the parent and the level.
    link = "/xep-hang/?parent=legacy.332&amp;level=commune&amp;period=2024-07"
    assert f'href="{link}"' in html and "Xem tháng 7/2024" in html
    assert client.get(link.replace("&amp;", "&")).status_code == 200
    assert "2024-08" not in html.split("Bạn có thể", 1)[1].split("</ul>", 1)[0]


def test_unit_page_of_an_unpublished_month_offers_the_latest_published_one(client, published):
    html = _assert_error_page(client.get("/don-vi/legacy/332/?period=2024-08"), 404)
    assert "Xem tháng 7/2024" in html
    assert 'href="/don-vi/legacy/332/"' in html


@pytest.mark.parametrize(
    ("period", "reason"),
    [
        ("banana", "Kỳ “banana” không hợp lệ: ghi theo dạng NĂM-THÁNG (2024-08)"),
        ("2024-13", "tháng phải từ 1 đến 12"),
    ],
)
def test_a_malformed_period_says_how_to_write_one(client, all_published, period, reason):
    # A 400, as the API answers the same text (one period rule), still with the months that exist.
    html = _assert_error_page(client.get(f"/xep-hang/?parent=legacy.332&period={period}"), 400)
    assert reason in html
    assert "Xem tháng 8/2024" in html  # with nothing to measure against, the newest months


def test_unknown_address_is_the_portal_404(client, unit_tree):
    html = _assert_error_page(client.get("/khong-co-trang-nay/"), 404)
    assert "Địa chỉ này không có trên cổng" in html


def test_a_clerk_who_tries_to_publish_sees_why_not(client, published):
    clerk = get_user_model().objects.create_user("canbo-tl", password="x")
    UnitAssignment.objects.create(user=clerk, unit=published, role=Role.STAFF)
    client.force_login(clerk)
    response = client.post(f"/cong-bo/{published.pk}/2024-08/cong-bo/")
    html = _assert_error_page(response, 403)
    assert "Không có quyền truy cập" in html
    assert "Tài khoản này không có quyền thực hiện thao tác này cho Huyện Tiên Lữ." in html
    assert "Đăng nhập bằng tài khoản khác" in html


def test_a_form_without_its_security_token_says_to_reload(unit_tree):
    client = Client(enforce_csrf_checks=True)
    html = _assert_error_page(client.post("/tai-khoan/login/", {"username": "a", "password": "b"}), 403)
    assert "Hãy tải lại trang rồi gửi lại" in html


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/v1/rankings/?period=2024-08&parent=332", 404, "Chưa có kết quả xếp hạng cho kỳ này."),
        ("/api/v1/khong-co/", 404, "Không có địa chỉ này trong API"),
        ("/api/v1/rankings/?period=banana", 400, "Tham số period"),
    ],
)
def test_api_errors_are_json_never_html(client, published, url, status, message):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert message in response.json()["error"]


def test_api_refuses_post_in_json(client, unit_tree):
    response = client.post("/api/v1/units/?q=tien")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    assert "chỉ dùng GET" in response.json()["error"]


def _get(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_without_a_database_pages_say_try_again_later_in_vietnamese_and_the_api_in_json(server_without_database):
    """A real server whose database does not answer: a 503 page drawn without the database, and JSON under /api/."""
    status, headers, body = _get(f"{server_without_database}/xep-hang/")
    assert status == 503 and headers["Retry-After"] == "30"
    assert '<html lang="vi">' in body and 'name="viewport"' in body and 'class="site-header"' in body
    assert "Hệ thống tạm thời chưa phục vụ được" in body
    status, headers, body = _get(f"{server_without_database}/api/v1/units/?q=tien")
    assert status == 503 and headers["Content-Type"] == "application/json"
    assert "thử lại sau" in body


def test_a_bad_request_is_the_portal_400_without_the_technical_reason(client, unit_tree):
    response = client.get("/", HTTP_HOST="evil.example")  # not in ALLOWED_HOSTS: Django refuses it as a 400
    html = _assert_error_page(response, 400)
    assert "Yêu cầu không hợp lệ" in html and "evil.example" not in html
