"""Drafting, freezing and rendering dispatches: pre-filled text, frozen figures, one stored PDF per set of inputs."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from dispatches.models import Dispatch, RenderState
from dispatches.services import (
    dispatch_draft,
    dispatch_freeze,
    dispatch_publish,
    dispatch_render,
    dispatch_reopen,
    dispatch_update,
)
from indicators.models import Period, Score
from indicators.selectors import framework_for
from indicators.services import Value, indicators_by_code, revision_apply
from publishing.services import publication_publish
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def august():
    return Period.objects.get(year=2024, month=8)


def text_of(dispatch: Dispatch) -> dict:
    return {f: getattr(dispatch, f) for f in ["subject", "recipients", "legal_bases", "requirements", "cc"]}


def test_draft_prefills_text_from_the_issuer_profile_and_the_data(tien_lu, august):
    dispatch = dispatch_draft(unit=tien_lu, period=august, user=None)
    assert dispatch.status == Dispatch.Status.DRAFT and dispatch.frozen_data is None
    assert dispatch.subject.endswith("cung cấp dịch vụ công tháng 8/2024")
    assert dispatch.recipients == "Các phòng, ngành thuộc UBND huyện;\nUBND các xã, thị trấn."
    assert dispatch.legal_bases.startswith("Căn cứ Quyết định số 766/QĐ-TTg ngày 23/6/2022")
    lines = dispatch.requirements.splitlines()
    assert lines[0].startswith("Căn cứ kết quả nêu trên, UBND huyện yêu cầu các phòng, ngành thuộc UBND huyện;")
    # Weakest groups, lowest communes, slow progress, undigitised dossiers: all from the data.
    assert "(Chỉ số Thanh toán trực tuyến: đạt tỷ lệ 72,67%; Chỉ số Số hóa hồ sơ: đạt tỷ lệ 78,4%)" in lines[1]
    assert "Cương Chính: 83,28 điểm, Ngô Quyền: 83,58 điểm" in lines[2]
    assert "Cương Chính: 82,71%, Thiện Phiến: 92,54%" in lines[2]
    assert "(Đức Thắng: 13, Nhật Tân: 11, Hưng Đạo: 5)" in lines[3]
    assert dispatch.cc.startswith("Như trên;")
    assert dispatch_draft(unit=tien_lu, period=august, user=None).pk == dispatch.pk


def test_update_saves_text_of_a_draft_and_refuses_a_final_one(tien_lu, august):
    dispatch = dispatch_draft(unit=tien_lu, period=august, user=None)
    text = {**text_of(dispatch), "subject": "công khai kết quả tháng 8/2024", "requirements": "1. Một yêu cầu."}
    dispatch_update(dispatch=dispatch, **text)
    dispatch.refresh_from_db()
    assert dispatch.subject == "công khai kết quả tháng 8/2024" and dispatch.requirements == "1. Một yêu cầu."
    with pytest.raises(ValidationError) as error:
        dispatch_update(dispatch=dispatch, **{**text, "subject": "  "})
    assert "Trích yếu" in str(error.value)
    dispatch = dispatch_freeze(dispatch=dispatch)
    with pytest.raises(ValidationError):
        dispatch_update(dispatch=dispatch, **{**text, "subject": "khác"})
    dispatch.refresh_from_db()
    assert dispatch.subject == "công khai kết quả tháng 8/2024"


def test_freeze_keeps_the_figures_when_a_later_revision_changes_them(tien_lu, august):
    dispatch = dispatch_freeze(dispatch=dispatch_draft(unit=tien_lu, period=august, user=None))
    assert dispatch.status == Dispatch.Status.FINAL and dispatch.finalised_at is not None
    assert dispatch.frozen_data["total"]["points"] == "88.03"
    assert [s["unit"]["short_name"] for s in dispatch.frozen_data["subordinates"][:2]] == ["Thủ Sỹ", "Hải Triều"]
    codes = indicators_by_code(framework=framework_for())
    revision_apply(
        period=august,
        scope=tien_lu,
        values=[Value(unit_id=tien_lu.pk, indicator_id=codes["total"].pk, points=Decimal("90.10"))],
        file_name="later.xlsx",
        file_sha256="",
        data_as_of=datetime.datetime(2024, 9, 10, 12, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
    )
    assert Score.objects.get(unit=tien_lu, period=august, indicator__code="total").points == Decimal("90.10")
    dispatch.refresh_from_db()
    assert dispatch.frozen_data["total"]["points"] == "88.03"
    assert dispatch.frozen_data["data_as_of"].startswith("2024-09-05T")


def test_render_stores_one_pdf_per_set_of_inputs_and_reuses_it(tien_lu, august):
    dispatch = dispatch_freeze(dispatch=dispatch_draft(unit=tien_lu, period=august, user=None))
    dispatch = dispatch_render(dispatch=dispatch)
    assert dispatch.render_state == RenderState.DONE and dispatch.render_progress == 100
    assert dispatch.pdf.name == f"dispatches/{dispatch.render_key}.pdf"
    assert default_storage.exists(dispatch.pdf.name)
    first_bytes = dispatch.pdf.read()
    assert first_bytes.startswith(b"%PDF-1.7") and b"/FT /Sig" in first_bytes
    modified = default_storage.get_modified_time(dispatch.pdf.name)

    again = dispatch_render(dispatch=dispatch)
    assert again.pdf.name == dispatch.pdf.name
    assert default_storage.get_modified_time(dispatch.pdf.name) == modified  # served from storage, not re-rendered
    assert len(default_storage.listdir("dispatches")[1]) == 1

    # Other text → other inputs → another file (the reopened draft is edited, then frozen again).
    dispatch_reopen(dispatch=dispatch)
    dispatch.refresh_from_db()
    dispatch_update(dispatch=dispatch, **{**text_of(dispatch), "cc": "Như trên;\nLưu: VT, VP."})
    changed = dispatch_render(dispatch=dispatch_freeze(dispatch=dispatch))
    assert changed.render_key != again.render_key
    assert sorted(default_storage.listdir("dispatches")[1]) == sorted(
        [f"{again.render_key}.pdf", f"{changed.render_key}.pdf"]
    )


def test_freezing_queues_the_render_task_on_commit(tien_lu, august, django_capture_on_commit_callbacks):
    dispatch = dispatch_draft(unit=tien_lu, period=august, user=None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dispatch_freeze(dispatch=dispatch)
    dispatch.refresh_from_db()
    assert dispatch.render_state == RenderState.QUEUED and not dispatch.pdf
    assert len(callbacks) == 1
    callbacks[0]()  # the broker delivers the task (eager in tests)
    dispatch.refresh_from_db()
    assert dispatch.render_state == RenderState.DONE and default_storage.exists(dispatch.pdf.name)


def test_publish_needs_a_final_rendered_dispatch(tien_lu, august):
    dispatch = dispatch_draft(unit=tien_lu, period=august, user=None)
    with pytest.raises(ValidationError):
        dispatch_publish(dispatch=dispatch)
    dispatch = dispatch_freeze(dispatch=dispatch)
    with pytest.raises(ValidationError):
        dispatch_publish(dispatch=dispatch)
    dispatch = dispatch_publish(dispatch=dispatch_render(dispatch=dispatch))
    assert dispatch.status == Dispatch.Status.PUBLISHED and dispatch.published_at is not None
    with pytest.raises(ValidationError):
        dispatch_reopen(dispatch=dispatch)


def test_final_dispatch_without_frozen_data_is_refused_by_the_database(tien_lu, august):
    from django.db import IntegrityError, transaction

    dispatch = dispatch_draft(unit=tien_lu, period=august, user=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.filter(pk=dispatch.pk).update(status=Dispatch.Status.FINAL)


def test_a_unit_without_issuer_profile_gets_a_letterhead_from_its_name(demo, august):
    from dispatches import pdf

    commune = AdministrativeUnit.objects.get(tree="legacy", code="12367")  # Xã Thủ Sỹ, no profile entered
    publication_publish(period=august, scope=commune.parent)
    dispatch = dispatch_freeze(dispatch=dispatch_draft(unit=commune, period=august, user=None))
    assert dispatch.frozen_data["issuer"]["issuing_body"] == "ỦY BAN NHÂN DÂN\nXÃ THỦ SỸ"
    assert dispatch.frozen_data["issuer"]["parent_authority"] == ""
    assert dispatch.frozen_data["subordinates"] == []
    assert pdf.dispatch_pdf(dispatch).startswith(b"%PDF")
    # A commune writes to its own staff: it has no "phòng, ban, ngành" and no units under it.
    assert dispatch.recipients == "Các công chức chuyên môn thuộc UBND xã;\nBộ phận Một cửa UBND xã."


def test_render_reports_progress_in_coarse_stages(tien_lu, august, monkeypatch):
    from dispatches import services

    seen = []
    original = services._progress
    monkeypatch.setattr(
        services, "_progress", lambda d, state, pct, error="": (seen.append(pct), original(d, state, pct, error))
    )
    dispatch = dispatch_render(
        dispatch=dispatch_freeze(dispatch=dispatch_draft(unit=tien_lu, period=august, user=None))
    )
    # Started, laying out, writing the PDF, adding the signature fields; then done.
    assert seen == [10, 20, 70, 90]
    assert dispatch.render_progress == 100 and dispatch.render_state == RenderState.DONE


def test_finalising_and_rendering_are_recorded_in_the_audit_trail(tien_lu, august):
    from django.contrib.auth.models import User

    from accounts.models import AuditEvent

    leader = User.objects.create_user("lanhdao")
    dispatch = dispatch_freeze(dispatch=dispatch_draft(unit=tien_lu, period=august), user=leader)
    dispatch_render(dispatch=dispatch)
    events = list(
        AuditEvent.objects.filter(action__startswith="dispatch")
        .order_by("at")
        .values_list("action", "username", "unit_id", "period_id")
    )
    assert events == [
        ("dispatch_final", "lanhdao", tien_lu.pk, august.pk),
        ("dispatch_render", "hệ thống", tien_lu.pk, august.pk),
    ]
