"""Whatever a visitor types into the URL, the portal answers with a page, a clear 400 or a clear 404, never an error."""

import pytest

pytestmark = pytest.mark.django_db

BASE = "/xep-hang/?parent=legacy.332&level=commune&period=2024-08"


@pytest.mark.parametrize(
    "query",
    [
        "&sort=khong-co",
        "&sort=-total",
        "&page=999",
        "&page=abc",
        "&per_page=-1",
        "&level=galaxy",
        "&q=%27%22<script>",
    ],
)
def test_rankings_tolerates_odd_parameters(client, all_published, query):
    # Odd values fall back to the defaults (first page, default size, the lowest level, rank order).
    response = client.get(BASE + query)
    assert response.status_code == 200
    assert b"<script>" not in response.content


@pytest.mark.parametrize(
    ("url", "status", "reason"),
    [
        ("/xep-hang/?parent=legacy.332&period=2024-13", 400, "Kỳ “2024-13” không hợp lệ: tháng phải từ 1 đến 12."),
        ("/xep-hang/?parent=legacy.332&period=abc", 400, "Kỳ “abc” không hợp lệ: ghi theo dạng NĂM-THÁNG (2024-08)"),
        ("/xep-hang/?parent=legacy.332&period=2023-08", 404, "Tháng 8/2023 chưa được công bố"),
        ("/xep-hang/?parent=khong.co", 404, "Không tìm thấy đơn vị cấp trên “khong.co”."),
        ("/don-vi/legacy/332/?period=1999-01", 400, "Kỳ “1999-01” nằm ngoài thời gian áp dụng Bộ chỉ số"),
        ("/phuong-phap/?period=xx", 400, "Kỳ “xx” không hợp lệ"),
    ],
)
def test_malformed_periods_are_400_and_unknown_ones_404_with_the_reason(client, all_published, url, status, reason):
    response = client.get(url)
    assert response.status_code == status
    assert reason in response.content.decode()


def test_compare_ignores_unknown_units(client, all_published):
    response = client.get("/so-sanh/?u=khong.co&u=legacy.332&u=")
    assert response.status_code == 200
    assert "Cần ít nhất 2 đơn vị" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("/xep-hang/?parent=legacy.332%00", "tham số “parent”"),
        ("/don-vi/legacy/33%002/", "đường dẫn"),
        ("/nhung/don-vi/legacy/%00/", "đường dẫn"),
        ("/cong-van/cong-khai/332%00/2024-08.pdf", "đường dẫn"),
        ("/api/v1/rankings/?period=2024-08&parent=3%0032", "tham số “parent”"),
        ("/so-sanh/?u=legacy.%00", "tham số “u”"),
    ],
)
def test_a_nul_character_anywhere_in_the_address_is_a_400_in_vietnamese(all_published, url, where):
    from django.test import Client

    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 400
    html = response.content.decode()
    assert "ký tự không hợp lệ (NUL, %00)" in html and where in html


def test_a_nul_character_in_a_cookie_is_a_400_not_a_database_error(all_published):
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = client.get("/")
    assert response.status_code == 400 and "cookie “sessionid”" in response.content.decode()


def test_a_missing_page_says_so_in_vietnamese(client, all_published):
    response = client.get("/don-vi/legacy/khong-co/")
    assert response.status_code == 404
    assert "Không có đơn vị nào mang mã “khong-co” trong danh mục “legacy”." in response.content.decode()
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404 and '<h1 id="error-h">Không tìm thấy trang</h1>' in response.content.decode()


def test_error_pages_speak_english_to_a_visitor_who_chose_it(client, all_published, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404 and '<h1 id="error-h">Page not found</h1>' in response.content.decode()
