import pytest

pytestmark = pytest.mark.django_db


def test_home_shows_the_home_units_latest_month_in_vietnamese(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="vi"' in html
    assert "Huyện Tiên Lữ tháng 8/2024" in html
    assert "88,03" in html
    # Communes in order of their total, best first, worst last.
    assert html.index("Xã Thủ Sỹ") < html.index("Xã Hải Triều") < html.index("Xã Cương Chính")
    assert "Số liệu tính tại thời điểm 12h00 ngày 05/09/2024" in html


def test_home_without_units_explains_what_to_do(client, settings, unit_tree):
    settings.PORTAL_HOME_UNIT = "Không có đơn vị này"
    response = client.get("/")
    assert response.status_code == 200
    assert "load_units" in response.content.decode()


def test_health_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"
