import pytest

pytestmark = pytest.mark.django_db


def test_home_shows_the_latest_published_month_of_the_home_unit(client, all_published):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="vi"' in html
    assert "Huyện Tiên Lữ tháng 8/2024" in html
    assert "88,03" in html
    # Communes in rank order, best first and marked, worst last and marked.
    assert html.index("Xã Thủ Sỹ") < html.index("Xã Hải Triều") < html.index("Xã Cương Chính")
    assert "cao nhất" in html and "thấp nhất" in html
    assert "Số liệu tính tại thời điểm 12h00 ngày 05/09/2024" in html
    # The 12-month trend is an SVG with a visible title, a subtitle naming the unit and the source, and a description.
    trend = html.split('id="trend-h"', 1)[1]
    assert '<span class="chart-title" id="trend-' in trend and "Điểm tổng hợp theo tháng" in trend
    assert "Huyện Tiên Lữ, 9/2023–8/2024. Nguồn: Cổng Dịch vụ công quốc gia" in trend
    assert "<svg" in trend and "<desc" in trend


def test_home_skips_an_unpublished_month(client, published):
    html = client.get("/").content.decode()
    assert "Huyện Tiên Lữ tháng 7/2024" in html
    assert "tháng 8/2024" not in html


def test_home_with_nothing_published_shows_no_figures(client, ranked):
    html = client.get("/").content.decode()
    assert "Chưa có kỳ đánh giá nào được công bố" in html
    assert "88,03" not in html


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


def test_home_links_the_months_published_dispatch_pdf(client, all_published, settings, tmp_path):
    from django.core.files.base import ContentFile

    from dispatches.models import Dispatch
    from indicators.models import Period

    settings.MEDIA_ROOT = tmp_path
    dispatch = Dispatch(
        unit=all_published,
        period=Period.objects.get(year=2024, month=8),
        status="published",
        subject="công khai kết quả Bộ chỉ số tháng 8/2024",
        frozen_data={},
    )
    dispatch.pdf.save("tien-lu-2024-08.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    dispatch.save()
    html = client.get("/").content.decode()
    assert "Công văn công khai kết quả tháng 8/2024 (PDF)" in html


def test_home_opens_the_latest_month_with_the_units_own_figures(client, demo):
    """Hưng Yên's 2/2025 is published (Mỹ Hào reported) but Tiên Lữ has no figures that month."""
    from indicators.services import period_get
    from publishing.services import publication_publish
    from rankings.services import rankings_compute
    from units.models import AdministrativeUnit

    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    for key in ("2024-07", "2024-08", "2025-02"):
        rankings_compute(period_key=key)
    publication_publish(period=period_get(year=2024, month=8), scope=tien_lu)
    publication_publish(period=period_get(year=2025, month=2), scope=tien_lu.parent)
    html = client.get("/").content.decode()
    assert "Huyện Tiên Lữ tháng 8/2024" in html
    assert "88,03" in html


def test_a_republished_month_says_when_it_was_updated_and_links_the_corrections_log(client, demo):
    from indicators.services import period_get
    from publishing.services import publication_publish
    from rankings.services import rankings_compute
    from units.models import AdministrativeUnit

    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    for key in ("2024-07", "2024-08"):
        rankings_compute(period_key=key)
    august = period_get(year=2024, month=8)
    publication_publish(period=august, scope=tien_lu)
    assert "Cập nhật ngày" not in client.get("/xep-hang/?period=2024-08&parent=legacy.332").content.decode()
    again = publication_publish(period=august, scope=tien_lu)
    html = client.get("/xep-hang/?period=2024-08&parent=legacy.332").content.decode()
    assert f"Cập nhật ngày {again.published_at:%d/%m/%Y} (công bố lần 2" in html
    assert "/phuong-phap/?period=2024-08" in html
    assert "Cập nhật ngày" in client.get("/").content.decode()


def test_home_opens_a_month_published_without_the_districts_own_row_and_says_so(client, demo, tmp_path):
    """The clerk's 9/2024 file has the 15 communes but not Tiên Lữ's own row; the leader published it."""
    import csv

    from django.core.management import call_command

    from indicators.services import period_get
    from publishing.services import publication_publish
    from rankings.models import RankingResult
    from rankings.services import rankings_compute
    from units.models import AdministrativeUnit

    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    for key in ("2024-07", "2024-08"):
        rankings_compute(period_key=key)
    publication_publish(period=period_get(year=2024, month=8), scope=tien_lu)
    august = RankingResult.objects.filter(
        public=True, period_key="2024-08", parent=tien_lu, scope="peer"
    ).select_related("unit")
    path = tmp_path / "tien-lu-9-2024.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Đơn vị", "Điểm tổng hợp"])
        for r in august:
            writer.writerow([r.unit.name, str(r.total + 1).replace(".", ",")])
    call_command(
        "import_scores", str(path), "--period", "2024-09", "--scope", "Huyện Tiên Lữ", "--as-of", "2024-10-05 12:00"
    )
    rankings_compute(period_key="2024-09")
    publication_publish(period=period_get(year=2024, month=9), scope=tien_lu)

    html = client.get("/").content.decode()
    assert "Kết quả Bộ chỉ số các đơn vị thuộc Huyện Tiên Lữ tháng 9/2024" in html
    assert "không có dòng của chính Huyện Tiên Lữ" in html
    assert "Kết quả gần nhất có điểm của đơn vị: tháng 8/2024, 88,03 điểm." in html
    assert "Số liệu tính tại thời điểm 12h00 ngày 05/10/2024" in html
    ranking = html.split('id="children-h"', 1)[1]
    assert ranking.index("Xã Thủ Sỹ") < ranking.index("90,63") < ranking.index("Xã Cương Chính")
    assert "period=2024-09" in ranking  # the full ranking of the month shown
