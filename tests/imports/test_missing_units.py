"""The units of the scope a file does not mention: listed in the preview, and a leader records for each
"no data this month" or "did not exist then", so that the coverage of the group's ranks counts right."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent, UnitAssignment
from imports.models import ImportBatch, UnitAbsence
from rankings.models import RankingResult, RankingRun
from rankings.services import ranking_run_execute, rankings_compute
from units.models import AdministrativeUnit

from .conftest import TIEN_LU_HEADERS, TIEN_LU_ROWS, TIEN_LU_TITLE, xlsx_bytes

pytestmark = pytest.mark.django_db


def _login(client, tien_lu, role):
    user = get_user_model().objects.create_user(f"tl-{role}", password="mat-khau-dai-123")
    UnitAssignment.objects.create(user=user, unit=tien_lu, role=role)
    assert client.login(username=f"tl-{role}", password="mat-khau-dai-123")
    return user


@pytest.fixture
def as_in_the_dataset(demo, tien_lu):
    """Xã Hải Thắng as the dataset's snapshot has it: under Tiên Lữ with no start date, although in 8/2024
    its predecessors Hải Triều and Đức Thắng still reported; and the file without Cương Chính's row."""
    hai_thang = AdministrativeUnit.objects.get(tree="legacy", code="12364")
    hai_thang.valid_from = None
    hai_thang.save()
    rankings_compute(period_key="2024-08")
    rows = [r for r in TIEN_LU_ROWS if "Cương Chính" not in r[1]]
    return hai_thang, xlsx_bytes([TIEN_LU_HEADERS, *rows], title=TIEN_LU_TITLE)


def _preview_page(client, data) -> tuple[ImportBatch, str]:
    client.post(
        "/nhap-lieu/tai-len/",
        {
            "file": SimpleUploadedFile("phu-luc.xlsx", data),
            "period": "2024-08",
            "scope": "Huyện Tiên Lữ",
            "data_as_of": "2024-09-05T12:00",
        },
    )
    batch = ImportBatch.objects.latest("pk")
    return batch, client.get(f"/nhap-lieu/{batch.pk}/xem-truoc/").content.decode()


def _peer(unit_name):
    return RankingResult.objects.get(period_key="2024-08", public=False, scope="peer", unit__name=unit_name)


def test_staff_see_the_units_the_file_does_not_mention_but_cannot_record_anything(client, tien_lu, as_in_the_dataset):
    hai_thang, data = as_in_the_dataset
    _login(client, tien_lu, "staff")
    batch, page = _preview_page(client, data)
    assert "2 đơn vị không có trong tệp" in page
    # In Vietnamese order: Cương Chính before Hải Thắng.
    assert page.index("Xã Cương Chính</li>") < page.index("Xã Hải Thắng</li>")
    assert 'value="no_data"' not in page and "Chỉ lãnh đạo hoặc quản trị viên được ghi nhận" in page

    response = client.post(f"/nhap-lieu/{batch.pk}/don-vi-thieu/", {"unit": hai_thang.pk, "choice": "not_yet"})
    page = client.get(response["Location"]).content.decode()
    assert "Chỉ lãnh đạo hoặc quản trị viên của Huyện Tiên Lữ được ghi nhận" in page
    hai_thang.refresh_from_db()
    assert hai_thang.valid_from is None and not UnitAbsence.objects.exists()


def test_a_leader_records_no_data_and_did_not_exist_then_and_coverage_counts_right(
    client, tien_lu, as_in_the_dataset, django_capture_on_commit_callbacks
):
    hai_thang, data = as_in_the_dataset
    leader = _login(client, tien_lu, "leader")
    assert _peer("Xã Thủ Sỹ").peer_count == 16  # Hải Thắng counted as a peer without data
    batch, page = _preview_page(client, data)
    assert 'name="choice" value="no_data"' in page and 'value="not_yet"' in page and 'value="no_longer"' in page

    cuong_chinh = AdministrativeUnit.objects.get(parent=tien_lu, name="Xã Cương Chính")
    response = client.post(f"/nhap-lieu/{batch.pk}/don-vi-thieu/", {"unit": cuong_chinh.pk, "choice": "no_data"})
    page = client.get(response["Location"]).content.decode()
    assert "Đã ghi nhận: Xã Cương Chính không có số liệu tháng 8/2024." in page
    assert "đã ghi nhận: không có số liệu tháng này" in page
    absence = UnitAbsence.objects.get()
    assert (absence.unit, absence.period.key, absence.recorded_by) == (cuong_chinh, "2024-08", leader)
    event = AuditEvent.objects.get(action="unit_absence")
    assert event.unit == cuong_chinh and event.user == leader and "không có số liệu tháng 8/2024" in event.summary

    before = RankingRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/nhap-lieu/{batch.pk}/don-vi-thieu/", {"unit": hai_thang.pk, "choice": "not_yet"})
    page = client.get(response["Location"]).content.decode()
    assert "Đã sửa thời gian hiệu lực: Xã Hải Thắng chưa tồn tại trong tháng 8/2024: hiệu lực từ 01/09/2024." in page
    hai_thang.refresh_from_db()
    assert hai_thang.valid_from == datetime.date(2024, 9, 1)
    event = AuditEvent.objects.get(action="unit_change", unit=hai_thang)
    assert (event.before, event.after) == (
        {"valid_from": None, "valid_to": "2025-06-30"},
        {"valid_from": "2024-09-01", "valid_to": "2025-06-30"},
    )
    assert "1 đơn vị không có trong tệp" in page and "Xã Hải Thắng</li>" not in page

    runs = RankingRun.objects.filter(pk__gt=before)
    assert {"2024-08"} <= {r.period_key for r in runs} and {r.public for r in runs} == {False, True}
    for run in runs:  # as a worker would
        if RankingRun.objects.get(pk=run.pk).state == RankingRun.State.QUEUED:
            ranking_run_execute(run_id=run.pk)
    # Hải Thắng is no longer a peer in 8/2024; Cương Chính, recorded as having no data, still is.
    thu_sy = _peer("Xã Thủ Sỹ")
    assert (thu_sy.peer_count, thu_sy.ranked_count) == (15, 15)
    assert not RankingResult.objects.filter(period_key="2024-08", unit=hai_thang).exists()


def test_did_not_exist_then_is_refused_for_a_unit_with_figures_that_month(client, tien_lu, as_in_the_dataset):
    _hai_thang, data = as_in_the_dataset
    _login(client, tien_lu, "leader")
    batch, _page = _preview_page(client, data)
    cuong_chinh = AdministrativeUnit.objects.get(parent=tien_lu, name="Xã Cương Chính")  # the demo holds its 8/2024
    response = client.post(f"/nhap-lieu/{batch.pk}/don-vi-thieu/", {"unit": cuong_chinh.pk, "choice": "no_longer"})
    page = client.get(response["Location"]).content.decode()
    assert "Xã Cương Chính có số liệu tháng" in page and "không sửa được" in page
    cuong_chinh.refresh_from_db()
    assert (
        cuong_chinh.valid_to == datetime.date(2025, 6, 30) and not AuditEvent.objects.filter(unit=cuong_chinh).exists()
    )
