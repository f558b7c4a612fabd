"""The staff flow through real HTTP requests: upload a real file, map, resolve, preview, apply."""

import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import UnitAssignment
from imports.models import ImportBatch, MappingPreset
from indicators.models import ImportRevision, Period, Score
from indicators.periods import period_span
from units.models import AdministrativeUnit

from .conftest import tien_lu_xlsx, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, tien_lu):
    user = get_user_model().objects.create_user("nhaplieu", password="mat-khau-dai-123")
    UnitAssignment.objects.create(user=user, unit=tien_lu, role="staff")
    assert client.login(username="nhaplieu", password="mat-khau-dai-123")
    return user


def upload(client, data, name="phu-luc-8-2024.xlsx", scope="Huyện Tiên Lữ"):
    return client.post(
        "/nhap-lieu/tai-len/",
        {
            "file": SimpleUploadedFile(name, data),
            "period": "2024-08",
            "scope": scope,
            "data_as_of": "2024-09-05T12:00",
        },
    )


def selected_targets(html: str) -> dict[str, str]:
    """What the mapping page pre-selected for each column, as a user would see it."""
    out = {}
    for select in re.findall(r'<select id="(col-\d+)" name="col-\d+">(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', select[1])
        out[select[0]] = chosen.group(1) if chosen else ""
    return out


def test_staff_import_the_tien_lu_appendix_from_upload_to_applied(client, staff, demo, tien_lu):
    revisions = ImportRevision.objects.filter(scope=tien_lu, period__year=2024, period__month=8).count()

    response = upload(client, tien_lu_xlsx())
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/nhap-lieu/{batch.pk}/ghep-cot/"

    page = client.get(f"/nhap-lieu/{batch.pk}/ghep-cot/").content.decode()
    assert "dòng tiêu đề cột là dòng 5" in page
    targets = selected_targets(page)
    assert targets == {"col-0": "", "col-1": "unit", "col-2": "total", "col-3": "total:change", "col-4": "2:rate"}
    response = client.post(f"/nhap-lieu/{batch.pk}/ghep-cot/", {**targets, "preset_name": "Phụ lục Tiên Lữ"})
    assert response["Location"] == f"/nhap-lieu/{batch.pk}/don-vi/"
    assert MappingPreset.objects.get(name="Phụ lục Tiên Lữ").scope == tien_lu

    page = client.get(f"/nhap-lieu/{batch.pk}/don-vi/").content.decode()
    assert "Mọi dòng đều đã xác định được đơn vị." in page
    assert "UBND xã Dị ché</td><td>Xã Dị Chế" in page
    assert client.post(f"/nhap-lieu/{batch.pk}/don-vi/").status_code == 302

    page = client.get(f"/nhap-lieu/{batch.pk}/xem-truoc/").content.decode()
    assert "Chưa có gì được ghi." in page
    assert "Ghi số liệu" in page
    # The demo already holds these figures; Đức Thắng's digitisation counts are not in the file.
    assert "Đức Thắng" in page and "(bỏ — tệp không có)" in page
    assert ImportRevision.objects.filter(scope=tien_lu, period__year=2024, period__month=8).count() == revisions

    response = client.post(f"/nhap-lieu/{batch.pk}/ghi/")
    assert response["Location"] == f"/nhap-lieu/{batch.pk}/trang-thai/"
    page = client.get(response["Location"]).content.decode()
    assert f"Đã ghi lần nhập số {revisions + 1} cho Huyện Tiên Lữ, tháng 8/2024: 15 đơn vị, 30 giá trị." in page
    batch.refresh_from_db()
    assert batch.state == "applied" and batch.revision.created_by == staff
    assert client.get(f"/nhap-lieu/{batch.pk}/trang-thai/?format=json").json()["state"] == "applied"


def test_unknown_communes_are_created_when_the_user_chooses_so(client, staff, tien_lu):
    upload(client, tien_lu_xlsx())
    batch = ImportBatch.objects.get()
    client.post(
        f"/nhap-lieu/{batch.pk}/ghep-cot/",
        selected_targets(client.get(f"/nhap-lieu/{batch.pk}/ghep-cot/").content.decode()),
    )
    page = client.get(f"/nhap-lieu/{batch.pk}/don-vi/").content.decode()
    rows = re.findall(r'name="unit-(\d+)"', page)
    assert len(rows) == 5 and "Không tìm thấy đơn vị “UBND xã Hải Triều”" in page

    preview = client.get(f"/nhap-lieu/{batch.pk}/xem-truoc/").content.decode()
    assert "Lỗi (phải sửa trước khi ghi)" in preview and "<button>Ghi số liệu</button>" not in preview
    assert client.post(f"/nhap-lieu/{batch.pk}/ghi/").status_code == 302
    assert Score.objects.filter(unit__parent=tien_lu).count() == 0  # refused: nothing written

    client.post(f"/nhap-lieu/{batch.pk}/don-vi/", {f"unit-{row}": "create" for row in rows})
    # Listed apart, and only a leader or an administrator may confirm: staff cannot write it.
    preview = client.get(f"/nhap-lieu/{batch.pk}/xem-truoc/").content.decode()
    peers = AdministrativeUnit.objects.filter(parent=tien_lu).valid_in(period_span("2024-08")).count() + 5
    assert "5 đơn vị sẽ được tạo mới" in preview and f"tính trên {peers} đơn vị" in preview
    assert "Chỉ lãnh đạo hoặc quản trị viên được xác nhận tạo đơn vị mới" in preview
    assert "<button>Ghi số liệu</button>" not in preview
    client.post(f"/nhap-lieu/{batch.pk}/ghi/", {"base_revision": "0", "confirm_new_units": "1"})
    batch.refresh_from_db()
    assert batch.state == "failed" and "chỉ lãnh đạo hoặc quản trị viên" in batch.errors[0]["message"]
    assert not AdministrativeUnit.objects.filter(parent=tien_lu, tree="custom").exists()

    leader = get_user_model().objects.create_user("lanhdao", password="mat-khau-dai-123")
    UnitAssignment.objects.create(user=leader, unit=tien_lu, role="leader")
    UnitAssignment.objects.create(user=leader, unit=tien_lu, role="staff")
    batch.created_by = leader  # the leader takes the batch over (a batch is its creator's)
    batch.save()
    client.login(username="lanhdao", password="mat-khau-dai-123")
    preview = client.get(f"/nhap-lieu/{batch.pk}/xem-truoc/").content.decode()
    assert 'name="confirm_new_units" value="1" required' in preview
    client.post(f"/nhap-lieu/{batch.pk}/ghi/", {"base_revision": "0"})  # not ticked
    batch.refresh_from_db()
    assert batch.state == "failed" and "đánh dấu ô xác nhận tạo đơn vị" in batch.errors[0]["message"]
    client.post(f"/nhap-lieu/{batch.pk}/ghi/", {"base_revision": "0", "confirm_new_units": "1"})

    batch.refresh_from_db()
    assert batch.state == "applied"
    created = AdministrativeUnit.objects.filter(parent=tien_lu, tree="custom")
    assert sorted(u.short_name for u in created) == ["Dị ché", "Hải Triều", "Minh Phượng", "Ngô Quyền", "Đức Thắng"]
    assert Score.objects.filter(unit__parent=tien_lu, period__year=2024, period__month=8).count() == 30


def test_picking_a_unit_for_an_unknown_name_remembers_the_name(client, staff, tien_lu):
    upload(client, xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["UBND xã Thủ Sĩ Mới", "89,63"]]), name="a.xlsx")
    batch = ImportBatch.objects.get()
    thu_sy = AdministrativeUnit.objects.get(parent=tien_lu, short_name="Thủ Sỹ")
    client.post(f"/nhap-lieu/{batch.pk}/don-vi/", {"unit-2": str(thu_sy.pk)})
    client.post(f"/nhap-lieu/{batch.pk}/ghi/")

    assert str(Score.objects.get(unit=thu_sy, indicator__code="total").points) == "89.63"
    assert thu_sy.aliases.get().alias == "UBND xã Thủ Sĩ Mới"


def test_a_broken_upload_shows_the_reason_on_the_upload_form_and_keeps_nothing(client, staff, tien_lu):
    response = upload(client, b"PK\x03\x04 not really a zip", name="hong.xlsx")
    assert response.status_code == 200
    assert "Tệp bị hỏng: không giải nén được" in response.content.decode()
    assert ImportBatch.objects.count() == 0 and ImportRevision.objects.count() == 0


def test_the_file_is_read_once_at_upload_and_never_again(client, staff, demo, tien_lu, monkeypatch):
    from imports import services

    reads = []
    real = services.read_table
    monkeypatch.setattr(services, "read_table", lambda *a, **k: reads.append(a[1]) or real(*a, **k))
    upload(client, tien_lu_xlsx())
    batch = ImportBatch.objects.get()
    assert batch.staged["header_row"] == 5 and batch.staged["rows"][0] == [
        6,
        ["1", "UBND xã Thủ Sỹ", "89,63", "6,96", "100"],
    ]

    targets = selected_targets(client.get(f"/nhap-lieu/{batch.pk}/ghep-cot/").content.decode())
    client.post(f"/nhap-lieu/{batch.pk}/ghep-cot/", targets)
    client.get(f"/nhap-lieu/{batch.pk}/don-vi/")
    client.post(f"/nhap-lieu/{batch.pk}/don-vi/")
    client.get(f"/nhap-lieu/{batch.pk}/xem-truoc/")
    client.post(f"/nhap-lieu/{batch.pk}/ghi/")

    batch.refresh_from_db()
    assert batch.state == "applied"
    assert reads == ["phu-luc-8-2024.xlsx"]  # the upload; map, resolve, preview and apply used the staged rows


def test_upload_for_a_scope_not_assigned_is_refused(client, staff):
    response = upload(client, tien_lu_xlsx(), scope="Thị xã Mỹ Hào")
    assert response.status_code == 200
    assert "Bạn không được phân công nhập số liệu cho Thị xã Mỹ Hào." in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_upload_over_the_size_limit_is_refused(client, staff, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    response = upload(client, tien_lu_xlsx())
    assert "vượt giới hạn" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_unit_staff_sign_in_on_the_import_login_page(client, tien_lu):
    response = client.get("/nhap-lieu/tai-len/")
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/login/?next=/nhap-lieu/tai-len/"
    user = get_user_model().objects.create_user("xa", password="mat-khau-dai-123")  # not Django staff
    UnitAssignment.objects.create(user=user, unit=tien_lu, role="staff")

    response = client.post(
        "/tai-khoan/login/", {"username": "xa", "password": "mat-khau-dai-123", "next": "/nhap-lieu/tai-len/"}
    )

    assert response["Location"] == "/nhap-lieu/tai-len/"
    assert "Tải tệp số liệu lên" in client.get("/nhap-lieu/tai-len/").content.decode()


def test_another_users_batch_is_not_visible(client, staff, tien_lu):
    upload(client, tien_lu_xlsx())
    batch = ImportBatch.objects.get()
    other = get_user_model().objects.create_user("khac", password="mat-khau-dai-123")
    UnitAssignment.objects.create(user=other, unit=tien_lu, role="staff")
    client.login(username="khac", password="mat-khau-dai-123")
    assert client.get(f"/nhap-lieu/{batch.pk}/xem-truoc/").status_code == 404


def test_the_template_lists_the_scope_units_and_imports_back_without_mapping(client, staff, tien_lu):
    response = client.get("/nhap-lieu/mau/", {"scope": "332", "period": "2024-08"})
    assert response["Content-Disposition"] == 'attachment; filename="mau-nhap-332-2024-08.xlsx"'
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[2] for row in ws.iter_rows(min_row=6, values_only=True)]
    assert "Thị trấn Vương" in names and len(names) == AdministrativeUnit.objects.filter(parent=tien_lu).count()

    for row in ws.iter_rows(min_row=6):
        row[3].value = "80,5"
        row[5].value = "17"
    buffer = io.BytesIO()
    ws.parent.save(buffer)
    from .conftest import preview_file

    preview = preview_file(
        data=buffer.getvalue(),
        file_name="mau.xlsx",
        period=Period.objects.get_or_create(year=2024, month=8)[0],
        scope=tien_lu,
    )
    assert preview.errors == [] and len(preview.rows) == len(names)
    assert {r.resolution.method for r in preview.rows} == {"code"}
    assert [t.text if t else None for _h, t in preview.columns][:6] == [
        None,
        "unit_code",
        "unit",
        "total",
        "total:change",
        "1",
    ]


def test_revisions_page_compares_and_reverts_a_month(client, staff, demo, tien_lu):
    upload(client, xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "70,5"]]), name="sua.xlsx")
    batch = ImportBatch.objects.get()
    client.post(f"/nhap-lieu/{batch.pk}/ghi/")
    august = Period.objects.get(year=2024, month=8)
    first, second = ImportRevision.objects.filter(scope=tien_lu, period=august).order_by("number")

    page = client.get(f"/nhap-lieu/lich-su/{tien_lu.pk}/2024-08/", {"a": first.number, "b": second.number})
    html = page.content.decode()
    assert "Khác nhau giữa lần 1 và lần 2" in html
    assert "Xã Thủ Sỹ" in html and "89,63" in html and "70,5" in html

    response = client.post(f"/nhap-lieu/lich-su/{first.pk}/hoan-tac/")
    assert response.status_code == 302
    thu_sy = AdministrativeUnit.objects.get(parent=tien_lu, short_name="Thủ Sỹ")
    assert str(Score.objects.get(unit=thu_sy, period=august, indicator__code="total").points) == "89.63"
    assert "Đã hoàn tác tháng 8/2024 về lần nhập số 1" in client.get(response["Location"]).content.decode()


def test_a_saved_preset_is_applied_to_next_months_file_with_the_same_headers(client, staff, tien_lu):
    upload(client, tien_lu_xlsx())
    first = ImportBatch.objects.get()
    targets = selected_targets(client.get(f"/nhap-lieu/{first.pk}/ghep-cot/").content.decode())
    targets["col-3"] = ""  # this office does not keep the published change
    client.post(f"/nhap-lieu/{first.pk}/ghep-cot/", {**targets, "preset_name": "Phụ lục hằng tháng"})

    upload(client, tien_lu_xlsx(), name="phu-luc-9-2024.xlsx")
    second = ImportBatch.objects.exclude(pk=first.pk).get()
    page = client.get(f"/nhap-lieu/{second.pk}/ghep-cot/").content.decode()

    assert "Đã áp dụng mẫu ghép cột “Phụ lục hằng tháng”" in page
    assert selected_targets(page)["col-3"] == ""


def test_the_background_task_applies_once_and_can_run_twice(client, staff, tien_lu):
    from imports.tasks import import_apply_task

    upload(client, xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "70,5"]]), name="lon.xlsx")
    batch = ImportBatch.objects.get()

    import_apply_task(batch.pk, staff.pk)
    import_apply_task(batch.pk, staff.pk)

    batch.refresh_from_db()
    assert batch.state == "applied" and batch.progress == 100
    assert ImportRevision.objects.filter(scope=tien_lu).count() == 1
    status = client.get(f"/nhap-lieu/{batch.pk}/trang-thai/?format=json").json()
    assert status == {"state": "applied", "progress": 100, "revision": 1, "errors": []}


def test_a_failed_background_import_keeps_its_messages(client, staff, tien_lu):
    from imports.tasks import import_apply_task

    upload(client, xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "tám mươi"]]), name="loi.xlsx")
    batch = ImportBatch.objects.get()
    import_apply_task(batch.pk, staff.pk)

    batch.refresh_from_db()
    assert batch.state == "failed"
    assert batch.errors == [
        {"sheet": "Sheet1", "row": 2, "column": "Điểm tổng hợp", "message": "“tám mươi” không phải là số."}
    ]
    page = client.get(f"/nhap-lieu/{batch.pk}/trang-thai/").content.decode()
    assert "dòng 2, cột “Điểm tổng hợp”: “tám mươi” không phải là số." in page
    assert ImportRevision.objects.count() == 0


def test_the_batch_list_shows_the_users_uploads_in_a_fixed_number_of_queries(
    client, staff, tien_lu, django_assert_num_queries
):
    for name in ("a.xlsx", "b.xlsx", "c.xlsx"):
        upload(client, tien_lu_xlsx(), name=name)
    # session, user, the portal's home unit (two, from the base template), assigned units, batches with joins
    with django_assert_num_queries(6):
        page = client.get("/nhap-lieu/").content.decode()
    assert all(name in page for name in ("a.xlsx", "b.xlsx", "c.xlsx"))
    assert 'list="assigned-units"' in client.get("/nhap-lieu/tai-len/").content.decode()


def test_a_criteria_table_goes_through_the_pages_to_the_scope_itself(client, unit_tree):
    from .test_criteria_table import HEADER, ROWS, TITLE

    ha_noi = AdministrativeUnit.objects.get(tree="legacy", level="province", name="Thành phố Hà Nội")
    get_user_model().objects.create_superuser("quantri", password="mat-khau-dai-123")
    client.login(username="quantri", password="mat-khau-dai-123")
    client.post(
        "/nhap-lieu/tai-len/",
        {
            "file": SimpleUploadedFile("phu-luc-1.xlsx", xlsx_bytes([HEADER, *ROWS], title=TITLE)),
            "period": "2024-12",
            "scope": "Hà Nội",
            "data_as_of": "2025-01-06T09:00",
        },
    )
    batch = ImportBatch.objects.get()
    targets = selected_targets(client.get(f"/nhap-lieu/{batch.pk}/ghep-cot/").content.decode())
    assert targets == {"col-0": "", "col-1": "criterion", "col-2": "value", "col-3": "change"}
    client.post(f"/nhap-lieu/{batch.pk}/ghep-cot/", targets)
    client.post(f"/nhap-lieu/{batch.pk}/don-vi/")
    page = client.get(f"/nhap-lieu/{batch.pk}/xem-truoc/").content.decode()
    assert "1 dòng mới" in page and "Tổng điểm các nhóm là 68,8" in page

    client.post(f"/nhap-lieu/{batch.pk}/ghi/")

    assert Score.objects.filter(unit=ha_noi, period__year=2024, period__month=12).count() == 31
