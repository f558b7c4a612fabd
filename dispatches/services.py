"""Writes of dispatches: draft from the data, edit, freeze when final, render once into storage, publish."""

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit_record
from indicators.models import Period
from publishing import selectors as gate
from units.models import AdministrativeUnit

from . import pdf, wording
from .models import Dispatch, RenderState
from .selectors import dispatch_data, issuer_profile

EDITABLE_FIELDS = ["subject", "recipients", "legal_bases", "requirements", "cc"]


def dispatch_defaults(*, unit: AdministrativeUnit, period: Period, data: dict | None = None) -> dict:
    """The pre-filled text of a new dispatch: from the issuer's profile and the month's figures (the
    published ones once the month is published: those are what the final dispatch will quote)."""
    data = data or dispatch_data(unit=unit, period=period, public=gate.is_public(period=period, unit=unit))
    profile = issuer_profile(unit=unit)
    recipients = profile.recipients or wording.default_recipients(data)
    return {
        "subject": wording.default_subject(data),
        "recipients": recipients,
        "legal_bases": profile.legal_bases or wording.DECISION_766,
        "requirements": wording.default_requirements(data, recipients),
        "cc": profile.cc or "Như trên;\nLưu: VT.",
    }


@transaction.atomic
def dispatch_draft(*, unit: AdministrativeUnit, period: Period, user=None) -> Dispatch:
    """The unit's dispatch for the month: the existing one, or a new draft pre-filled from the data."""
    existing = Dispatch.objects.filter(unit=unit, period=period).first()
    if existing is not None:
        return existing
    return Dispatch.objects.create(
        unit=unit,
        period=period,
        created_by=user if user is not None and user.is_authenticated else None,
        **dispatch_defaults(unit=unit, period=period),
    )


def dispatch_update(
    *, dispatch: Dispatch, subject: str, recipients: str, legal_bases: str, requirements: str, cc: str
) -> Dispatch:
    """Save edited text; only a draft can change (a final dispatch is what the leader approved)."""
    if dispatch.status != Dispatch.Status.DRAFT:
        raise ValidationError({"subject": "Công văn đã chốt, không sửa được nội dung. Hãy mở lại dự thảo trước."})
    if not subject.strip():
        raise ValidationError({"subject": "Trích yếu (V/v) không được để trống."})
    dispatch.subject = subject.strip()
    dispatch.recipients = recipients.strip()
    dispatch.legal_bases = legal_bases.strip()
    dispatch.requirements = requirements.strip()
    dispatch.cc = cc.strip()
    dispatch.save(update_fields=[*EDITABLE_FIELDS, "updated_at"])
    return dispatch


def dispatch_snapshot(*, dispatch: Dispatch) -> dict:
    """The data a dispatch quotes: its frozen snapshot when final; while a draft, the published figures
    once the month is published, else the working ones (a draft prepared before publishing)."""
    if dispatch.frozen_data is not None:
        return dispatch.frozen_data
    public = gate.is_public(period=dispatch.period, unit=dispatch.unit)
    return dispatch_data(unit=dispatch.unit, period=dispatch.period, public=public)


def freeze_refusal(*, unit: AdministrativeUnit, period: Period) -> str:
    """Why a dispatch of the unit's month cannot be finalised now ("" when it can): the month must be
    published for the unit, and the published figures must hold the unit's or its subordinates'."""
    publication = gate.covering_publication(period=period, unit=unit)
    if publication is None:
        return _(
            "Tháng %(period)s của %(unit)s chưa được công bố: lãnh đạo cần xem lại và công bố số liệu tháng "
            "(mục Công bố) trước khi chốt công văn, vì công văn chỉ trích số liệu đã công bố."
        ) % {"period": period, "unit": unit.name}
    children = list(AdministrativeUnit.objects.filter(parent=unit).values_list("pk", flat=True))
    if not gate.public_total_ids(period=period, unit_ids=[unit.pk, *children]):
        return _(
            "Tháng %(period)s chưa có điểm tổng hợp đã công bố của %(unit)s hay của đơn vị trực thuộc nào: "
            "hãy nhập số liệu của tháng rồi công bố trước khi chốt công văn."
        ) % {"period": period, "unit": unit.name}
    return ""


def dispatch_superseded(*, dispatch: Dispatch) -> bool:
    """Whether the month was republished after the dispatch froze its figures (offer to regenerate)."""
    frozen = (dispatch.frozen_data or {}).get("publication")
    if not frozen:
        return False
    publication = gate.covering_publication(period=dispatch.period, unit=dispatch.unit)
    return publication is None or (publication.pk, publication.version) != (frozen["id"], frozen["version"])


@transaction.atomic
def dispatch_freeze(*, dispatch: Dispatch, user=None) -> Dispatch:
    """Mark final: freeze the published figures it quotes and queue the PDF. Raises ValidationError,
    with the reason in Vietnamese, when the month is not published or has no published figures."""
    dispatch = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
    if dispatch.status != Dispatch.Status.DRAFT:
        return dispatch
    refusal = freeze_refusal(unit=dispatch.unit, period=dispatch.period)
    if refusal:
        raise ValidationError(refusal)
    publication = gate.covering_publication(period=dispatch.period, unit=dispatch.unit)
    dispatch.frozen_data = {
        **dispatch_data(unit=dispatch.unit, period=dispatch.period, public=True),
        "publication": {"id": publication.pk, "version": publication.version},
    }
    dispatch.status = Dispatch.Status.FINAL
    dispatch.finalised_at = timezone.now()
    dispatch.finalised_by = user if user is not None and user.is_authenticated else None
    dispatch.save()
    audit_record(
        user=user,
        action="dispatch_final",
        unit=dispatch.unit,
        period=dispatch.period,
        summary=f"Duyệt công văn tháng {dispatch.period} của {dispatch.unit}; chốt số liệu",
    )
    dispatch_render_request(dispatch=dispatch)
    return dispatch


@transaction.atomic
def dispatch_reopen(*, dispatch: Dispatch) -> Dispatch:
    """Back to draft (not once published): the frozen figures are dropped and will be read again."""
    if dispatch.status == Dispatch.Status.PUBLISHED:
        raise ValidationError("Công văn đã công khai, không mở lại được.")
    dispatch.status = Dispatch.Status.DRAFT
    dispatch.frozen_data = None
    dispatch.finalised_at = None
    dispatch.finalised_by = None
    dispatch.render_state = RenderState.IDLE
    dispatch.render_progress = 0
    dispatch.save()
    return dispatch


def dispatch_render_request(*, dispatch: Dispatch) -> None:
    """Queue the PDF rendering once the surrounding transaction commits."""
    from .tasks import dispatch_render_task

    Dispatch.objects.filter(pk=dispatch.pk).update(render_state=RenderState.QUEUED, render_progress=0, render_error="")
    dispatch.render_state = RenderState.QUEUED
    pk = dispatch.pk
    transaction.on_commit(lambda: dispatch_render_task.delay(pk))


def _progress(dispatch: Dispatch, state: str, percent: int, error: str = "") -> None:
    Dispatch.objects.filter(pk=dispatch.pk).update(render_state=state, render_progress=percent, render_error=error)


def storage_name(key: str) -> str:
    return f"dispatches/{key}.pdf"


def dispatch_render(*, dispatch: Dispatch) -> Dispatch:
    """Render the frozen dispatch unless a PDF for the same inputs is already stored; point the dispatch at it.

    Idempotent: the file is named by the hash of its inputs, so a second run (or a run killed
    half-way and repeated) finds or rewrites the same file and leaves the same row.
    """
    if dispatch.frozen_data is None:
        raise ValueError("Công văn chưa chốt số liệu: không thể tạo tệp PDF.")
    text = pdf.dispatch_text(dispatch)
    key = pdf.render_key(data=dispatch.frozen_data, text=text)
    name = storage_name(key)
    _progress(dispatch, RenderState.RUNNING, 10)
    try:
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as stored:
                content = stored.read()
        else:
            html = pdf.document_html(data=dispatch.frozen_data, text=text)
            _progress(dispatch, RenderState.RUNNING, 20)
            expected = pdf.expected_pages(dispatch.frozen_data)

            def on_page(number: int) -> None:
                # Layout is most of the work: 20 % → 80 % over the expected pages, then the PDF is written.
                _progress(dispatch, RenderState.RUNNING, 20 + min(60, 60 * number // expected))

            content = pdf.html_to_pdf(html, identifier=key, on_page=on_page)
            _progress(dispatch, RenderState.RUNNING, 90)
            name = default_storage.save(name, ContentFile(content))
            audit_record(
                user=None,
                action="dispatch_render",
                unit=dispatch.unit,
                period=dispatch.period,
                summary=f"Kết xuất công văn tháng {dispatch.period} của {dispatch.unit} ({name})",
                after={"sha256": hashlib.sha256(content).hexdigest()},
            )
    except Exception as error:
        _progress(dispatch, RenderState.FAILED, 0, str(error))
        raise
    Dispatch.objects.filter(pk=dispatch.pk).update(
        pdf=name,
        render_key=key,
        pdf_sha256=hashlib.sha256(content).hexdigest(),
        render_state=RenderState.DONE,
        render_progress=100,
        render_error="",
    )
    dispatch.refresh_from_db()
    return dispatch


def dispatch_publish(*, dispatch: Dispatch) -> Dispatch:
    """Make a final, rendered dispatch downloadable by everyone from the month's public address; only
    while its month is published for the unit (withdrawing the month hides it again)."""
    if dispatch.status == Dispatch.Status.DRAFT:
        raise ValidationError("Chỉ công khai được công văn đã chốt.")
    if not gate.is_public(period=dispatch.period, unit=dispatch.unit):
        raise ValidationError(
            _("Tháng %(period)s của %(unit)s chưa được công bố (hoặc đã gỡ): chưa công khai được công văn.")
            % {"period": dispatch.period, "unit": dispatch.unit.name}
        )
    if dispatch.render_state != RenderState.DONE or not dispatch.pdf:
        raise ValidationError("Tệp PDF chưa tạo xong; hãy chờ rồi công khai.")
    Dispatch.objects.filter(pk=dispatch.pk).update(status=Dispatch.Status.PUBLISHED, published_at=timezone.now())
    dispatch.refresh_from_db()
    return dispatch
