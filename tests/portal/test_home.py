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


def test_health_reports_database_cache_and_broker(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok" and body["cache"] == "ok"
    assert body["broker"] in {"ok", "eager"}


def test_health_reports_a_broker_that_is_down_without_failing_the_web(client, settings):
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 200
    assert response.json()["broker"] == "error"
