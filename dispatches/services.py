"""Writes of dispatches: draft from the data, edit, regenerate, freeze when final, render once into storage,
publish, and attach the signed copy."""

import datetime
import difflib
import hashlib
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services import audit_record
from config.enqueue import enqueue, send, stale_before
from indicators.formatting import format_number
from indicators.models import Period
from publishing import selectors as gate
from units.models import AdministrativeUnit
from units.text import clean_text

from . import pdf, signing, wording
from .models import Dispatch, RenderState, SignedDispatch, UpstreamDocument
from .selectors import dispatch_data, issuer_profile
from .snapshot import DispatchData

EDITABLE_FIELDS = ["subject", "recipients", "legal_bases", "requirements", "cc"]
# The most characters each text may have: generous for a letter (the longest real "yêu cầu" is
# about 6,000), and small enough that a render stays well inside the worker's time limit.
TEXT_LIMITS = {"subject": 500, "recipients": 3000, "legal_bases": 6000, "requirements": 30000, "cc": 3000}
FIELD_LABELS = {
    "subject": gettext_lazy("Trích yếu"),
    "recipients": gettext_lazy("Kính gửi"),
    "legal_bases": gettext_lazy("Căn cứ"),
    "requirements": gettext_lazy("Yêu cầu"),
    "cc": gettext_lazy("Nơi nhận"),
}
# Render progress in coarse stages (percent shown to the leader).
STAGE_PERCENT = {pdf.STAGE_LAYOUT: 20, pdf.STAGE_WRITE: 70, pdf.STAGE_FIELDS: 90}


def text_too_long(*, field: str, value: str) -> str | None:
    """The Vietnamese message for a dispatch text over its limit, or None."""
    limit = TEXT_LIMITS[field]
    if len(value) <= limit:
        return None
    return _("“%(field)s” dài %(length)s ký tự, vượt giới hạn %(limit)s ký tự.") % {
        "field": FIELD_LABELS[field],
        "length": format_number(len(value)),
        "limit": format_number(limit),
    }


RENDER_TASK = "dispatches.render"


def quoted_data(*, unit: AdministrativeUnit, period: Period) -> DispatchData:
    """The figures a dispatch of the month quotes now: the published ones once the month is published for
    the unit (what a final dispatch freezes), else the working ones (a draft prepared before publishing)."""
    return dispatch_data(unit=unit, period=period, public=gate.is_public(period=period, unit=unit))


def dispatch_defaults(*, unit: AdministrativeUnit, period: Period, data: DispatchData | None = None) -> dict:
    """The pre-filled text of a dispatch: from the issuer's profile and the month's figures."""
    data = data or quoted_data(unit=unit, period=period)
    profile = issuer_profile(unit=unit)
    recipients = profile.recipients or wording.default_recipients(data)
    return {
        "subject": wording.default_subject(data),
        "recipients": recipients,
        "legal_bases": wording.default_legal_bases(data, profile.legal_bases),
        "requirements": wording.default_requirements(data, recipients),
        "cc": profile.cc or "Như trên;\nLưu: VT.",
    }


def dispatch_figures_problem(*, unit: AdministrativeUnit, period: Period, data: DispatchData | None = None) -> str:
    """Why the month cannot be dispatched ("" when it can): it has no figures for the unit or its units."""
    data = data or quoted_data(unit=unit, period=period)
    if data.total or data.groups or data.criteria or data.subordinates or data.departments:
        return ""
    return _("Tháng %(period)s chưa có số liệu của %(unit)s hay các đơn vị trực thuộc: chưa thể tạo công văn.") % {
        "period": period,
        "unit": unit.name,
    }


def freeze_refusal(*, unit: AdministrativeUnit, period: Period) -> str:
    """Why a dispatch of the unit's month cannot be finalised now ("" when it can): the month needs figures
    of the unit or its subordinates, it must be published for the unit (a final dispatch quotes only
    published figures), and the published figures must hold some."""
    working = dispatch_figures_problem(unit=unit, period=period, data=dispatch_data(unit=unit, period=period))
    if working:
        return working
    if not gate.is_public(period=period, unit=unit):
        return _(
            "Tháng %(period)s của %(unit)s chưa được công bố: lãnh đạo cần xem lại và công bố số liệu tháng "
            "(mục Công bố) trước khi chốt công văn, vì công văn chỉ trích số liệu đã công bố."
        ) % {"period": period, "unit": unit.name}
    return dispatch_figures_problem(unit=unit, period=period, data=dispatch_data(unit=unit, period=period, public=True))


def dispatch_superseded(*, dispatch: Dispatch) -> bool:
    """Whether the month was republished (or withdrawn) after the dispatch froze its figures."""
    frozen = (dispatch.frozen_data or {}).get("publication")
    if not frozen:
        return False
    publication = gate.covering_publication(period=dispatch.period, unit=dispatch.unit)
    return publication is None or (publication.pk, publication.version) != (frozen["id"], frozen["version"])


@transaction.atomic
def dispatch_draft(*, unit: AdministrativeUnit, period: Period, user=None) -> Dispatch:
    """The unit's dispatch for the month: the existing one, or a new draft pre-filled from the data."""
    existing = Dispatch.objects.filter(unit=unit, period=period).first()
    if existing is not None:
        return existing
    text = dispatch_defaults(unit=unit, period=period)
    return Dispatch.objects.create(
        unit=unit,
        period=period,
        created_by=user if user is not None and user.is_authenticated else None,
        generated_text=text,
        **text,
    )


def dispatch_update(
    *, dispatch: Dispatch, subject: str, recipients: str, legal_bases: str, requirements: str, cc: str
) -> Dispatch:
    """Save edited text; only a draft can change (a final dispatch is what the leader approved)."""
    if dispatch.status != Dispatch.Status.DRAFT:
        raise ValidationError({"subject": _("Công văn đã chốt, không sửa được nội dung. Hãy mở lại dự thảo trước.")})
    # The text enters the portal here: without invisible direction controls (they print reversed).
    text = {
        "subject": subject,
        "recipients": recipients,
        "legal_bases": legal_bases,
        "requirements": requirements,
        "cc": cc,
    }
    text = {name: clean_text(value).strip() for name, value in text.items()}
    if not text["subject"]:
        raise ValidationError({"subject": _("Trích yếu (V/v) không được để trống.")})
    too_long = {name: text_too_long(field=name, value=value) for name, value in text.items()}
    if any(too_long.values()):
        raise ValidationError({name: message for name, message in too_long.items() if message})
    for name, value in text.items():
        setattr(dispatch, name, value)
    dispatch.save(update_fields=[*EDITABLE_FIELDS, "updated_at"])
    return dispatch


def dispatch_snapshot(*, dispatch: Dispatch) -> DispatchData:
    """The data a dispatch quotes: its frozen snapshot when final, the figures it would quote while a draft."""
    if dispatch.frozen_data is not None:
        return DispatchData.from_json(dispatch.frozen_data)
    return quoted_data(unit=dispatch.unit, period=dispatch.period)


@dataclass(frozen=True)
class FieldChange:
    """How regenerating one editable field from the data would change it."""

    field: str
    label: str
    current: str
    regenerated: str
    edited: bool  # the text differs from what was generated for it: someone wrote it by hand

    @property
    def diff(self) -> list[tuple[str, str]]:
        """(mark, line) pairs: "-" removed, "+" added, " " kept."""
        lines = difflib.ndiff(self.current.splitlines(), self.regenerated.splitlines())
        return [(line[0], line[2:]) for line in lines if line[:1] in "-+ "]


@dataclass(frozen=True)
class Staleness:
    """Whether a dispatch quotes older figures or text than the data now gives."""

    figures_changed: bool
    changes: list[FieldChange]

    @property
    def stale(self) -> bool:
        return self.figures_changed or bool(self.changes)


def dispatch_staleness(*, dispatch: Dispatch) -> Staleness:
    """Compare the dispatch with what the current data gives: frozen figures (a final one) and generated text."""
    live = quoted_data(unit=dispatch.unit, period=dispatch.period)
    figures_changed = False
    if dispatch.frozen_data is not None:
        try:
            figures_changed = DispatchData.from_json(dispatch.frozen_data).to_json() != live.to_json()
        except ValueError:  # frozen in an older shape: it can only be older than the data
            figures_changed = True
    fresh = dispatch_defaults(unit=dispatch.unit, period=dispatch.period, data=live)
    generated = dispatch.generated_text or {}
    changes = []
    for field in EDITABLE_FIELDS:
        current = getattr(dispatch, field)
        if fresh[field] == generated.get(field, current) or fresh[field] == current:
            continue
        changes.append(
            FieldChange(
                field=field,
                label=FIELD_LABELS[field],
                current=current,
                regenerated=fresh[field],
                edited=field not in generated or current != generated[field],
            )
        )
    return Staleness(figures_changed=figures_changed, changes=changes)


@transaction.atomic
def dispatch_regenerate(*, dispatch: Dispatch, fields: list[str], user=None) -> Dispatch:
    """Rewrite the chosen fields of a draft from the current data; the others keep their text. Every field's
    generated text is brought up to date, so a kept edit is still known as an edit."""
    dispatch = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
    if dispatch.status != Dispatch.Status.DRAFT:
        raise ValidationError(_("Công văn đã chốt: hãy mở lại dự thảo trước khi tạo lại từ số liệu."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Không có mục “%(fields)s” trong công văn.") % {"fields": ", ".join(sorted(unknown))})
    fresh = dispatch_defaults(unit=dispatch.unit, period=dispatch.period)
    for field in fields:
        setattr(dispatch, field, fresh[field])
    dispatch.generated_text = fresh
    dispatch.save(update_fields=[*EDITABLE_FIELDS, "generated_text", "updated_at"])
    return dispatch


@transaction.atomic
def dispatch_freeze(*, dispatch: Dispatch, user=None) -> Dispatch:
    """Mark final: freeze the published figures it quotes and queue the PDF. Raises ValidationError, with the
    reason in Vietnamese, when the month is not published for the unit or has no figures (freeze_refusal)."""
    dispatch = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
    if dispatch.status != Dispatch.Status.DRAFT:
        return dispatch
    problem = freeze_refusal(unit=dispatch.unit, period=dispatch.period)
    if problem:
        raise ValidationError(problem)
    publication = gate.covering_publication(period=dispatch.period, unit=dispatch.unit)
    data = dispatch_data(unit=dispatch.unit, period=dispatch.period, public=True)
    # Which publication it quotes: republishing the month later marks it superseded (dispatch_superseded).
    dispatch.frozen_data = {**data.to_json(), "publication": {"id": publication.pk, "version": publication.version}}
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
        raise ValidationError(_("Công văn đã công khai, không mở lại được."))
    dispatch.status = Dispatch.Status.DRAFT
    dispatch.frozen_data = None
    dispatch.finalised_at = None
    dispatch.finalised_by = None
    dispatch.render_state = RenderState.IDLE
    dispatch.render_progress = 0
    dispatch.save()
    return dispatch


def dispatch_render_request(*, dispatch: Dispatch) -> None:
    """Queue the PDF rendering once the surrounding transaction commits.

    The render state says "queued" from now on (and since when, in `updated_at`): when the broker
    is down it stays so, with the reason, and `dispatches_requeue_stale` sends it again later.
    """
    Dispatch.objects.filter(pk=dispatch.pk).update(
        render_state=RenderState.QUEUED, render_progress=0, render_error="", updated_at=timezone.now()
    )
    dispatch.render_state = RenderState.QUEUED
    pk = dispatch.pk
    enqueue(RENDER_TASK, args=[pk], on_unsent=lambda exc: _unsent(pk, exc))


def _unsent(pk: int, exc: Exception) -> None:
    Dispatch.objects.filter(pk=pk, render_state=RenderState.QUEUED).update(
        render_error=_("Đang chờ hàng đợi (chưa gửi được: %(error)s)") % {"error": exc}
    )


def dispatches_requeue_stale(*, older_than: datetime.timedelta | None = None) -> int:
    """Send again the renders of final dispatches still queued after `older_than` (a broker outage).

    Safe to repeat: a render of the same inputs finds its stored file. Returns how many were sent.
    """
    stale = Dispatch.objects.filter(
        render_state=RenderState.QUEUED, updated_at__lte=stale_before(older_than), frozen_data__isnull=False
    ).exclude(status=Dispatch.Status.DRAFT)
    return sum(
        send(RENDER_TASK, args=[pk], on_unsent=lambda exc, pk=pk: _unsent(pk, exc))
        for pk in stale.order_by("pk").values_list("pk", flat=True)
    )


def _progress(dispatch: Dispatch, state: str, percent: int, error: str = "") -> None:
    Dispatch.objects.filter(pk=dispatch.pk).update(render_state=state, render_progress=percent, render_error=error)


def storage_name(key: str) -> str:
    return f"dispatches/{key}.pdf"


def dispatch_render(*, dispatch: Dispatch) -> Dispatch:
    """Render the frozen dispatch, with its empty signature fields, unless a PDF for the same inputs is already
    stored; point the dispatch at it.

    Idempotent: the file is named by the hash of its inputs, so a second run (or a run killed half-way and
    repeated) finds the same file and leaves the same row. The stored file is the one the signatures must
    extend, so it is never rewritten once there.
    """
    if dispatch.frozen_data is None:
        raise ValueError(_("Công văn chưa chốt số liệu: không thể tạo tệp PDF."))
    data = DispatchData.from_json(dispatch.frozen_data)
    text = pdf.dispatch_text(dispatch)
    key = pdf.render_key(data=data, text=text)
    name = storage_name(key)
    _progress(dispatch, RenderState.RUNNING, 10)
    try:
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as stored:
                content = stored.read()
        else:
            content = pdf.html_to_pdf(
                pdf.document_html(data=data, text=text),
                identifier=key,
                signature_fields=True,
                on_stage=lambda stage: _progress(dispatch, RenderState.RUNNING, STAGE_PERCENT[stage]),
            )
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
    """Make a final, rendered dispatch downloadable by everyone from the month's public address; only while
    its month is published for the unit (withdrawing the month hides it again)."""
    if dispatch.status == Dispatch.Status.DRAFT:
        raise ValidationError(_("Chỉ công khai được công văn đã chốt."))
    if not gate.is_public(period=dispatch.period, unit=dispatch.unit):
        raise ValidationError(
            _("Tháng %(period)s của %(unit)s chưa được công bố (hoặc đã gỡ): chưa công khai được công văn.")
            % {"period": dispatch.period, "unit": dispatch.unit.name}
        )
    if dispatch.render_state != RenderState.DONE or not dispatch.pdf:
        raise ValidationError(_("Tệp PDF chưa tạo xong; hãy chờ rồi công khai."))
    Dispatch.objects.filter(pk=dispatch.pk).update(status=Dispatch.Status.PUBLISHED, published_at=timezone.now())
    dispatch.refresh_from_db()
    return dispatch


def _signed_name(sha256: str) -> str:
    return f"dispatches/signed/{sha256}.pdf"


@transaction.atomic
def dispatch_attach_signed(
    *, dispatch: Dispatch, content: bytes, number: str, issued_on: datetime.date, user=None
) -> SignedDispatch:
    """Verify the signed copy of a final dispatch, keep it with the issued number and date, and publish it.

    Refused (signing.SignatureRefused or ValidationError, with the reason in Vietnamese, nothing stored)
    unless it is the final PDF the portal made with only signatures added, each intact.
    """
    dispatch = Dispatch.objects.select_for_update().select_related("unit", "period").get(pk=dispatch.pk)
    if dispatch.status == Dispatch.Status.DRAFT or dispatch.render_state != RenderState.DONE or not dispatch.pdf:
        raise ValidationError(_("Công văn chưa chốt hoặc chưa có tệp PDF để ký: không nhận tệp đã ký."))
    if SignedDispatch.objects.filter(dispatch=dispatch).exists():
        raise ValidationError(_("Công văn này đã có bản ký số; không thay được bản đã ban hành."))
    if not number.strip():
        raise ValidationError(_("Hãy ghi số, ký hiệu văn bản đã cấp (ví dụ “193/UBND-KSTTHC”)."))
    with dispatch.pdf.open("rb") as stored:
        finalised = stored.read()
    verification = signing.verify_signed(finalised=finalised, signed=content)
    sha256 = hashlib.sha256(content).hexdigest()
    name = default_storage.save(_signed_name(sha256), ContentFile(content))
    try:
        signed = SignedDispatch.objects.create(
            dispatch=dispatch,
            pdf=name,
            sha256=sha256,
            finalised_sha256=hashlib.sha256(finalised).hexdigest(),
            issued_number=number.strip(),
            issued_on=issued_on,
            signer_subject=verification.signer.signer,
            signed_at=verification.signer.signed_at,
            trusted=verification.trusted,
            report=[check.as_json() for check in verification.signatures],
            uploaded_by=user if user is not None and user.is_authenticated else None,
        )
        if dispatch.status != Dispatch.Status.PUBLISHED:
            dispatch_publish(dispatch=dispatch)
    except Exception:
        default_storage.delete(name)
        raise
    audit_record(
        user=user,
        action="dispatch_final",
        unit=dispatch.unit,
        period=dispatch.period,
        summary=f"Nhận bản ký số công văn {signed.issued_number} tháng {dispatch.period} của {dispatch.unit}",
        after={"sha256": sha256, "signer": signed.signer_subject, "trusted": signed.trusted},
    )
    return signed


def upstream_document_add(
    *,
    scope: AdministrativeUnit,
    period: Period,
    kind: str,
    number: str,
    issued_on: datetime.date,
    issuer: str,
    subject: str,
    user=None,
) -> UpstreamDocument:
    """Record an upstream document of the month for a scope; its dispatches cite it in "Căn cứ"."""
    number = number.strip()
    if not re.fullmatch(r"\d+/\S+", number):
        raise ValidationError({"number": _("Số, ký hiệu phải có số trước dấu “/”, ví dụ “303/VPUB-PVHCC&KSTT”.")})
    if UpstreamDocument.objects.filter(scope=scope, period=period, number=number).exists():
        raise ValidationError(
            {
                "number": _("Văn bản số %(number)s đã được nhập cho %(scope)s, tháng %(period)s.")
                % {"number": number, "scope": scope.name, "period": period}
            }
        )
    if not issuer.strip() or not subject.strip():
        raise ValidationError(_("Cơ quan ban hành và trích yếu không được để trống."))
    return UpstreamDocument.objects.create(
        scope=scope,
        period=period,
        kind=kind.strip() or "Công văn",
        number=number,
        issued_on=issued_on,
        issuer=issuer.strip(),
        subject=subject.strip(),
        created_by=user if user is not None and user.is_authenticated else None,
    )


def upstream_document_delete(*, document: UpstreamDocument) -> None:
    document.delete()
