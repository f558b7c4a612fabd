"""What a clerk meets on the way (issue 15): a month typed as people write it, the scope already
there, no made-up "data as of", warnings about the wrong month, errors that can be found, a
corrected file that keeps the choices, and a clear next step after writing."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import UnitAssignment
from imports.models import ImportBatch
from imports.services import import_commit
from indicators.models import Period
from units.models import AdministrativeUnit

from .conftest import TIEN_LU_TITLE, preview_file, tien_lu_xlsx, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, tien_lu):
    user = get_user_model().objects.create_user("nhaplieu", password="mat-khau-dai-123")
    UnitAssignment.objects.create(user=user, unit=tien_lu, role="staff")
    assert client.login(username="nhaplieu", password="mat-khau-dai-123")
    return user


def post_upload(client, data, *, period="8/2024", name="a.xlsx", **extra):
    fields = {"file": SimpleUploadedFile(name, data), "period": period, "scope": "Huyện Tiên Lữ"}
    return client.post("/nhap-lieu/tai-len/", {**fields, "data_as_of": "12:00 05/09/2024", **extra})


def test_the_upload_form_takes_a_typed_month_and_starts_with_the_clerks_one_scope(client, staff, tien_lu):
    page = client.get("/nhap-lieu/tai-len/").content.decode()
    assert 'name="scope" value="Huyện Tiên Lữ"' in page
    assert 'type="month"' not in page and "2024-08 hoặc 8/2024" in page
    data_as_of = re.search(r'<input[^>]*name="data_as_of"[^>]*>', page).group(0)
    assert "value=" not in data_as_of  # no default: the upload time is never the data's time
    assert "không phải lúc tải lên" in page

    response = post_upload(client, tien_lu_xlsx(), period="8/2024")

    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.period.key == "2024-08"
    assert batch.data_as_of.strftime("%H:%M %d/%m/%Y") == "05:00 05/09/2024"  # 12:00 in Hà Nội, stored in UTC


def test_a_title_naming_another_month_is_a_warning(staff, tien_lu, demo):
    september = Period.objects.get_or_create(year=2024, month=9)[0]
    preview = preview_file(data=tien_lu_xlsx(), file_name="pl.xlsx", period=september, scope=tien_lu)
    assert TIEN_LU_TITLE[-1] == "THÁNG 8/2024"
    assert "Tiêu đề tệp ghi tháng 8/2024 nhưng đang nhập cho tháng 9/2024: kiểm tra lại tháng." in [
        i.message for i in preview.warnings
    ]
    august = Period.objects.get(year=2024, month=8)
    preview = preview_file(data=tien_lu_xlsx(), file_name="pl.xlsx", period=august, scope=tien_lu)
    assert not any("Tiêu đề tệp ghi tháng" in i.message for i in preview.warnings)


def test_totals_identical_to_the_previous_month_are_a_warning(staff, tien_lu):
    data = xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "80,5"], ["Xã Lệ Xá", "81"]])
    october, november = (Period.objects.get_or_create(year=2024, month=m)[0] for m in (10, 11))
    import_commit(
        preview=preview_file(data=data, file_name="t10.xlsx", period=october, scope=tien_lu),
        file_name="t10.xlsx",
        file_sha256="x",
    )
    preview = preview_file(data=data, file_name="t11.xlsx", period=november, scope=tien_lu)
    assert any("Điểm tổng hợp của cả 2 đơn vị trùng hệt tháng trước" in i.message for i in preview.warnings)


def test_error_rows_are_marked_and_the_error_summary_links_to_them(client, staff, tien_lu):
    post_upload(client, xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "tám mươi"], ["Xã Lệ Xá", "81"]]))
    batch = ImportBatch.objects.get()
    page = client.get(f"/nhap-lieu/{batch.pk}/xem-truoc/").content.decode()
    assert '<tr id="row-2" class="status-error has-errors">' in page
    assert '<tr id="row-3" class="status-new">' in page
    assert '<a href="#row-2">Trang “Sheet1”, dòng 2, cột “Điểm tổng hợp”: “tám mươi” không phải là số.</a>' in page


def test_a_corrected_file_keeps_the_batchs_mapping_and_unit_choices(client, staff, tien_lu):
    thu_sy = AdministrativeUnit.objects.get(parent=tien_lu, short_name="Thủ Sỹ")
    rows = [["Tên", "Điểm tổng hợp", "Ghi chú"], ["UBND xã Thủ Sĩ Mới", "tám mươi", "x"]]
    post_upload(client, xlsx_bytes(rows), sheet="")
    first = ImportBatch.objects.get()
    client.post(f"/nhap-lieu/{first.pk}/ghep-cot/", {"col-0": "unit", "col-1": "total", "col-2": ""})
    client.post(f"/nhap-lieu/{first.pk}/don-vi/", {"unit-2": str(thu_sy.pk)})
    preview = client.get(f"/nhap-lieu/{first.pk}/xem-truoc/").content.decode()
    assert f"/nhap-lieu/tai-len/?tu={first.pk}" in preview

    page = client.get(f"/nhap-lieu/tai-len/?tu={first.pk}").content.decode()
    assert 'name="period" value="2024-08"' in page and f'name="replaces" value="{first.pk}"' in page
    rows[1][1] = "80,5"
    post_upload(client, xlsx_bytes(rows), period="2024-08", replaces=str(first.pk))

    second = ImportBatch.objects.exclude(pk=first.pk).get()
    assert second.mapping == {"Tên": "unit", "Điểm tổng hợp": "total", "Ghi chú": ""}
    assert second.unit_choices == {"UBND xã Thủ Sĩ Mới": str(thu_sy.pk)}
    client.post(f"/nhap-lieu/{second.pk}/ghi/", {"base_revision": "0"})
    status = client.get(f"/nhap-lieu/{second.pk}/trang-thai/").content.decode()
    assert "Bước tiếp theo:" in status and "Lãnh đạo xem lại và công bố tháng này tại" in status
    assert '<a href="/cong-bo/">/cong-bo/</a>' in status
