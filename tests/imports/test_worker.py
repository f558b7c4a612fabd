"""A large upload is applied by a real Celery worker on Redis and PostgreSQL, through the page's "Ghi"."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import UnitAssignment
from imports.models import ImportBatch
from imports.services import batch_create
from indicators.models import ImportRevision, Score
from indicators.services import period_parse
from tests.conftest import ensure_reference_data
from tests.workers import _wait
from units.models import AdministrativeUnit

from .conftest import xlsx_bytes

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_large_upload_is_applied_by_a_real_worker_once(client, settings, start_worker, worker_log):
    ensure_reference_data()
    settings.IMPORT_BACKGROUND_BYTES = 0  # every upload goes to the worker
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    user = get_user_model().objects.create_user("nhaplieu", password="mat-khau-dai-123")
    UnitAssignment.objects.create(user=user, unit=tien_lu, role="staff")
    client.login(username="nhaplieu", password="mat-khau-dai-123")
    batch = batch_create(
        data=xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "80,5"], ["Xã Lệ Xá", "81"]]),
        file_name="lon.xlsx",
        period=period_parse("2024-08"),
        scope=tien_lu,
        data_as_of=timezone.now(),
        user=user,
    )
    start_worker()

    response = client.post(f"/nhap-lieu/{batch.pk}/ghi/", {"base_revision": "0"})
    assert response["Location"] == f"/nhap-lieu/{batch.pk}/trang-thai/"
    assert client.post(f"/nhap-lieu/{batch.pk}/ghi/", {"base_revision": "0"})["Location"].endswith("/trang-thai/")

    _wait(lambda: ImportBatch.objects.get(pk=batch.pk).state == "applied", timeout=90, what="the apply", log=worker_log)
    assert ImportRevision.objects.filter(scope=tien_lu).count() == 1
    assert str(Score.objects.get(unit__parent=tien_lu, unit__short_name="Thủ Sỹ", indicator__code="total").points) == (
        "80.50"
    )
    assert client.get(f"/nhap-lieu/{batch.pk}/trang-thai/?format=json").json()["revision"] == 1
