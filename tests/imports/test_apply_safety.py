"""Applying a batch safely: what the preview accepts applies, a failure can be retried, a stale
preview does not overwrite a colleague's revision, and concurrent clicks write one revision."""

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from accounts.models import UnitAssignment
from imports.models import ImportBatch
from imports.services import batch_create
from indicators.models import ImportRevision, Score
from indicators.services import period_parse
from units.models import AdministrativeUnit

from .conftest import xlsx_bytes
from .test_web import upload

pytestmark = pytest.mark.django_db

LONG_NAME = "UBND xã " + "Hải Triều Mới " * 22  # some 300 characters


@pytest.fixture
def staff(client, tien_lu):
    user = get_user_model().objects.create_user("nhaplieu", password="mat-khau-dai-123")
    UnitAssignment.objects.create(user=user, unit=tien_lu, role="staff")
    assert client.login(username="nhaplieu", password="mat-khau-dai-123")
    return user


def test_a_300_character_name_chosen_to_be_created_is_an_error_in_the_preview_not_a_crash(client, staff, tien_lu):
    upload(client, xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], [LONG_NAME, "89,63"]]), name="dai.xlsx")
    batch = ImportBatch.objects.get()
    client.post(f"/nhap-lieu/{batch.pk}/don-vi/", {"unit-2": "create"})

    page = client.get(f"/nhap-lieu/{batch.pk}/xem-truoc/").content.decode()
    assert "Không tạo được đơn vị từ tên này: tên dài" in page and "tối đa 200" in page
    assert "<button>Ghi số liệu</button>" not in page

    response = client.post(f"/nhap-lieu/{batch.pk}/ghi/", {"base_revision": "0"})
    assert response.status_code == 302 and response["Location"] == f"/nhap-lieu/{batch.pk}/xem-truoc/"
    batch.refresh_from_db()
    assert batch.state == "failed" and "Không tạo được đơn vị" in batch.errors[0]["message"]
    assert not AdministrativeUnit.objects.filter(parent=tien_lu, tree="custom").exists()
    assert ImportRevision.objects.count() == 0


def test_a_figure_too_large_for_its_column_is_an_error_in_the_preview(client, staff, tien_lu):
    upload(
        client,
        xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp", "Xếp hạng"], ["Xã Thủ Sỹ", "89,63", "99999999999"]]),
        name="hang.xlsx",
    )
    batch = ImportBatch.objects.get()
    page = client.get(f"/nhap-lieu/{batch.pk}/xem-truoc/").content.decode()
    assert "99999999999 quá lớn để lưu" in page and "<button>Ghi số liệu</button>" not in page


@pytest.mark.postgres
def test_a_batch_the_database_refuses_fails_with_a_message_and_applies_once_the_cause_is_gone(client, staff, tien_lu):
    upload(client, xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "89,63"]]), name="a.xlsx")
    batch = ImportBatch.objects.get()
    with connection.cursor() as cursor:  # a real refusal from the database that no preview foresees
        cursor.execute("ALTER TABLE indicators_scorerecord ADD CONSTRAINT test_refuse CHECK (points < 50)")

    response = client.post(f"/nhap-lieu/{batch.pk}/ghi/", {"base_revision": "0"})

    assert response["Location"] == f"/nhap-lieu/{batch.pk}/xem-truoc/"
    batch.refresh_from_db()
    assert batch.state == "failed"
    assert batch.errors[0]["message"].startswith("Không ghi được số liệu (cơ sở dữ liệu từ chối:")
    assert "test_refuse" in batch.errors[0]["message"] and "bấm Ghi lại" in batch.errors[0]["message"]
    assert ImportRevision.objects.count() == 0 and Score.objects.count() == 0
    page = client.get(f"/nhap-lieu/{batch.pk}/xem-truoc/").content.decode()
    assert "Không có gì được ghi." in page

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE indicators_scorerecord DROP CONSTRAINT test_refuse")
    client.post(f"/nhap-lieu/{batch.pk}/ghi/", {"base_revision": "0"})

    batch.refresh_from_db()
    assert batch.state == "applied" and batch.revision.number == 1 and batch.errors == []


def test_a_stale_preview_does_not_overwrite_a_colleagues_revision(client, staff, tien_lu):
    thu_sy = AdministrativeUnit.objects.get(parent=tien_lu, short_name="Thủ Sỹ")
    upload(client, xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "80"]]), name="P.xlsx")
    mine = ImportBatch.objects.get()
    page = client.get(f"/nhap-lieu/{mine.pk}/xem-truoc/").content.decode()
    assert 'name="base_revision" value="0"' in page  # staff A's preview compares with no revision yet

    leader = get_user_model().objects.create_user("lanhdao", password="mat-khau-dai-123")
    UnitAssignment.objects.create(user=leader, unit=tien_lu, role="leader")
    client.login(username="lanhdao", password="mat-khau-dai-123")
    upload(client, xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "90"]]), name="Q.xlsx")
    theirs = ImportBatch.objects.exclude(pk=mine.pk).get()
    client.post(f"/nhap-lieu/{theirs.pk}/ghi/", {"base_revision": "0"})
    assert ImportRevision.objects.get().created_by == leader

    client.login(username="nhaplieu", password="mat-khau-dai-123")
    response = client.post(f"/nhap-lieu/{mine.pk}/ghi/", {"base_revision": "0"})

    assert response["Location"] == f"/nhap-lieu/{mine.pk}/xem-truoc/"
    page = client.get(response["Location"]).content.decode()
    assert "lanhdao đã ghi lần nhập số 1" in page and "Hãy xem lại bản xem trước rồi mới ghi." in page
    assert ImportRevision.objects.count() == 1
    assert str(Score.objects.get(unit=thu_sy, indicator__code="total").points) == "90.00"

    # Looked at again, the preview compares with the leader's revision; applying it is a deliberate choice.
    assert 'name="base_revision" value="1"' in page
    client.post(f"/nhap-lieu/{mine.pk}/ghi/", {"base_revision": "1"})
    assert str(Score.objects.get(unit=thu_sy, indicator__code="total").points) == "80.00"
    assert ImportRevision.objects.count() == 2


def test_a_sheet_name_over_100_characters_is_a_form_error(client, staff, tien_lu):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/nhap-lieu/tai-len/",
        {
            "file": SimpleUploadedFile("a.xlsx", xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "80"]])),
            "period": "2024-08",
            "scope": "Huyện Tiên Lữ",
            "data_as_of": "2024-09-05T12:00",
            "sheet": "x" * 101,
        },
    )
    assert response.status_code == 200
    assert "Tên trang tính dài 101 ký tự, tối đa 100 ký tự." in response.content.decode()
    assert ImportBatch.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_six_concurrent_clicks_on_ghi_write_one_revision_and_no_error(live_server, unit_tree):
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    user = get_user_model().objects.create_user("nhaplieu", password="mat-khau-dai-123")
    UnitAssignment.objects.create(user=user, unit=tien_lu, role="staff")
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def form_post(path, fields):
        token = next(c.value for c in jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(live_server.url + path, data=body, headers={"Referer": live_server.url})
        return opener.open(request, timeout=60)

    opener.open(live_server.url + "/tai-khoan/login/", timeout=30)
    form_post("/tai-khoan/login/", {"username": "nhaplieu", "password": "mat-khau-dai-123"})
    batch = batch_create(
        data=xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "80"], ["Xã Lệ Xá", "81"]]),
        file_name="a.xlsx",
        period=period_parse("2024-08"),
        scope=tien_lu,
        data_as_of=timezone.now(),
        user=user,
    )
    statuses, start = [], threading.Barrier(6)

    def click():
        start.wait()
        try:
            response = form_post(f"/nhap-lieu/{batch.pk}/ghi/", {"base_revision": "0"})
            statuses.append((response.status, response.url))
        except urllib.error.HTTPError as exc:
            statuses.append((exc.code, ""))

    threads = [threading.Thread(target=click) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(statuses) == 6
    assert all(status == 200 and url.endswith(f"/nhap-lieu/{batch.pk}/trang-thai/") for status, url in statuses)
    assert ImportRevision.objects.filter(scope=tien_lu).count() == 1
    batch.refresh_from_db()
    assert batch.state == "applied"
