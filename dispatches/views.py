"""Staff and leader pages for dispatches (draft, preview, regenerate, final, PDF, publish, signed copy, upstream
documents) and the public list and download."""

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from indicators.selectors import period_find
from publishing import selectors as gate
from units.collation import by_name

from . import pdf
from .forms import (
    DispatchTextForm,
    NewDispatchForm,
    RegenerateForm,
    SignedCopyForm,
    UnitMonthForm,
    UpstreamDocumentForm,
)
from .models import Dispatch, RenderState, UpstreamDocument
from .selectors import (
    dispatch_allowed,
    dispatches_for_user,
    public_file,
    published_dispatch,
    published_dispatches,
    signed_copy,
    upstream_documents,
    upstream_suggestions,
)
from .services import (
    dispatch_attach_signed,
    dispatch_draft,
    dispatch_freeze,
    dispatch_publish,
    dispatch_regenerate,
    dispatch_render_request,
    dispatch_reopen,
    dispatch_snapshot,
    dispatch_staleness,
    dispatch_superseded,
    dispatch_update,
    freeze_refusal,
    upstream_document_add,
    upstream_document_delete,
)
from .signing import SignatureRefused


def _dispatch(request, pk: int, action: str) -> Dispatch:
    dispatch = get_object_or_404(Dispatch.objects.select_related("unit", "period"), pk=pk)
    if not dispatch_allowed(user=request.user, unit=dispatch.unit, action=action):
        raise PermissionDenied(_("Bạn không được phân công cho đơn vị này."))
    return dispatch


@login_required
@require_GET
def dispatch_list(request):
    dispatches = dispatches_for_user(user=request.user).order_by(
        "-period__year", "-period__month", by_name("unit__name")
    )
    return render(request, "dispatches/list.html", {"dispatches": dispatches[:200], "form": NewDispatchForm()})


@login_required
@require_POST
def dispatch_new(request):
    form = NewDispatchForm(request.POST)
    if form.is_valid() and not dispatch_allowed(user=request.user, unit=form.cleaned_data["unit"], action="edit"):
        form.add_error("unit", _("Bạn không được phân công cho đơn vị này."))
    if not form.is_valid():
        dispatches = dispatches_for_user(user=request.user)[:200]
        return render(request, "dispatches/list.html", {"dispatches": dispatches, "form": form}, status=400)
    dispatch = dispatch_draft(unit=form.cleaned_data["unit"], period=form.cleaned_data["period"], user=request.user)
    return redirect("dispatches:dispatch-edit", pk=dispatch.pk)


@login_required
def dispatch_edit(request, pk: int):
    dispatch = _dispatch(request, pk, "view")
    form = DispatchTextForm(instance=dispatch)
    if request.method == "POST":
        _dispatch(request, pk, "edit")
        form = DispatchTextForm(request.POST, instance=Dispatch.objects.get(pk=pk))
        if form.is_valid():
            try:
                dispatch_update(dispatch=dispatch, **{f: form.cleaned_data[f] for f in form.Meta.fields})
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Đã lưu dự thảo."))
                return redirect("dispatches:dispatch-edit", pk=pk)
    signed = signed_copy(dispatch=dispatch)
    context = {
        "dispatch": dispatch,
        "form": form,
        "can_finalise": dispatch_allowed(user=request.user, unit=dispatch.unit, action="finalise"),
        "can_attach": dispatch_allowed(user=request.user, unit=dispatch.unit, action="attach"),
        "rendering": dispatch.render_state in (RenderState.QUEUED, RenderState.RUNNING),
        "staleness": dispatch_staleness(dispatch=dispatch) if signed is None else None,
        "signed": signed,
        "signed_form": SignedCopyForm(),
        # Why it cannot be finalised yet (the month is not published, or has no published figures).
        "freeze_refusal": freeze_refusal(unit=dispatch.unit, period=dispatch.period)
        if dispatch.status == Dispatch.Status.DRAFT
        else "",
        "superseded": dispatch_superseded(dispatch=dispatch),
        "month_public": gate.is_public(period=dispatch.period, unit=dispatch.unit),
    }
    return render(request, "dispatches/edit.html", context, status=400 if form.errors else 200)


@login_required
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def dispatch_preview(request, pk: int):
    """The dispatch as HTML with the PDF's own template; a POST previews unsaved text. The one staff route
    the portal's own pages may frame (every other page keeps frame-ancestors 'none')."""
    dispatch = _dispatch(request, pk, "view")
    text = pdf.dispatch_text(dispatch)
    if request.method == "POST":
        form = DispatchTextForm(request.POST, instance=Dispatch(unit=dispatch.unit, period=dispatch.period))
        form.is_valid()
        text = {f: form.cleaned_data.get(f, "") or "" for f in form.Meta.fields}
    try:
        data = dispatch_snapshot(dispatch=dispatch)
    except ValueError as error:  # figures frozen in an older shape
        return HttpResponse(str(error), status=409, content_type="text/plain; charset=utf-8")
    html = pdf.document_html(
        data=data, text=text, stylesheet_href=static(pdf.STYLESHEET), style_nonce=str(request.csp_nonce)
    )
    return HttpResponse(html)


@login_required
def dispatch_regenerate_view(request, pk: int):
    """ "Tạo lại từ số liệu": what regenerating would change, field by field, before anything is replaced."""
    dispatch = _dispatch(request, pk, "edit")
    staleness = dispatch_staleness(dispatch=dispatch)
    form = RegenerateForm(request.POST or None, changes=staleness.changes)
    if request.method == "POST" and form.is_valid():
        try:
            dispatch_regenerate(dispatch=dispatch, fields=form.cleaned_data["fields"], user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã tạo lại từ số liệu các mục đã chọn."))
        return redirect("dispatches:dispatch-edit", pk=pk)
    return render(request, "dispatches/regenerate.html", {"dispatch": dispatch, "staleness": staleness, "form": form})


@login_required
@require_POST
def dispatch_finalise(request, pk: int):
    dispatch = _dispatch(request, pk, "finalise")
    try:
        dispatch_freeze(dispatch=dispatch, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã chốt công văn; tệp PDF đang được tạo."))
    return redirect("dispatches:dispatch-edit", pk=pk)


@login_required
@require_POST
def dispatch_reopen_view(request, pk: int):
    dispatch = _dispatch(request, pk, "finalise")
    try:
        dispatch_reopen(dispatch=dispatch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("dispatches:dispatch-edit", pk=pk)


@login_required
@require_POST
def dispatch_render_view(request, pk: int):
    dispatch = _dispatch(request, pk, "download")
    if dispatch.frozen_data is None:
        messages.error(request, _("Công văn chưa chốt số liệu: không thể tạo tệp PDF."))
    else:
        dispatch_render_request(dispatch=dispatch)
    return redirect("dispatches:dispatch-edit", pk=pk)


@login_required
@require_GET
def dispatch_status(request, pk: int):
    dispatch = _dispatch(request, pk, "view")
    done = dispatch.render_state == RenderState.DONE and bool(dispatch.pdf)
    return JsonResponse(
        {
            "state": dispatch.render_state,
            "label": dispatch.get_render_state_display(),
            "progress": dispatch.render_progress,
            "error": dispatch.render_error,
            "pdf_url": reverse("dispatches:dispatch-download", args=[pk]) if done else None,
        }
    )


def _pdf_response(dispatch: Dispatch, file, *, signed: bool = False) -> FileResponse:
    suffix = "-da-ky" if signed else ""
    name = f"cong-van-{dispatch.unit.code}-{dispatch.period.key}{suffix}.pdf"
    return FileResponse(file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


@login_required
@require_GET
def dispatch_download(request, pk: int):
    """The final PDF to sign (with its empty signature fields), for the leader."""
    dispatch = _dispatch(request, pk, "download")
    if dispatch.render_state != RenderState.DONE or not dispatch.pdf:
        raise Http404(_("Tệp PDF chưa được tạo."))
    return _pdf_response(dispatch, dispatch.pdf)


@login_required
@require_POST
def dispatch_publish_view(request, pk: int):
    dispatch = _dispatch(request, pk, "publish")
    try:
        dispatch_publish(dispatch=dispatch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã công khai công văn."))
    return redirect("dispatches:dispatch-edit", pk=pk)


@login_required
@require_POST
def dispatch_attach_view(request, pk: int):
    """The clerk uploads the signed PDF with its number and date; a refused file leaves nothing behind."""
    dispatch = _dispatch(request, pk, "attach")
    form = SignedCopyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            signed = dispatch_attach_signed(
                dispatch=dispatch,
                content=form.cleaned_data["file"].read(),
                number=form.cleaned_data["number"],
                issued_on=form.cleaned_data["issued_on"],
                user=request.user,
            )
        except (SignatureRefused, ValidationError) as error:
            messages.error(request, _("Không nhận tệp đã ký: %(reason)s") % {"reason": _reason(error)})
        else:
            messages.success(
                request,
                _("Đã nhận bản ký số công văn %(number)s và công khai trên cổng.") % {"number": signed.issued_number},
            )
    else:
        reasons = "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items())
        messages.error(request, _("Không nhận tệp đã ký: %(reason)s") % {"reason": reasons})
    return redirect("dispatches:dispatch-edit", pk=pk)


def _reason(error: Exception) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


@require_GET
def public_pdf(request, unit_code: str, period: str):
    """Anyone may download a published dispatch of a unit for a month: the signed copy once there is one."""
    month_row = period_find(period)  # read by the one period rule; a GET never creates a month
    dispatch = published_dispatch(unit_code=unit_code, period=month_row) if month_row else None
    if dispatch is None:
        raise Http404(_("Chưa có công văn công khai cho đơn vị và tháng này."))
    return _pdf_response(dispatch, public_file(dispatch), signed=signed_copy(dispatch=dispatch) is not None)


@require_GET
def public_list(request):
    """Published dispatches anyone can download, newest month first."""
    return render(request, "dispatches/public_list.html", {"dispatches": published_dispatches()[:120]})


@login_required
def upstream_list(request):
    """The month's upstream documents of a scope: entered once, offered again from the previous month."""
    chooser = UnitMonthForm(request.GET or None)
    if not chooser.is_valid():
        return render(request, "dispatches/upstream.html", {"chooser": chooser})
    scope, period = chooser.cleaned_data["unit"], chooser.cleaned_data["period"]
    if not dispatch_allowed(user=request.user, unit=scope, action="edit"):
        raise PermissionDenied(_("Bạn không được phân công cho đơn vị này."))
    form = UpstreamDocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            upstream_document_add(scope=scope, period=period, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã lưu văn bản cấp trên của tháng."))
            return redirect(request.get_full_path())
    documents = [d for d in upstream_documents(unit=scope, period=period) if d.scope_id == scope.pk]
    suggestions = upstream_suggestions(scope=scope, period=period) if not documents else []
    if request.method == "GET" and suggestions:
        form = UpstreamDocumentForm(initial=suggestions[0])
    context = {"chooser": chooser, "scope": scope, "period": period, "documents": documents, "form": form}
    context["suggested"] = bool(suggestions)
    return render(request, "dispatches/upstream.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def upstream_delete(request, pk: int):
    document = get_object_or_404(UpstreamDocument.objects.select_related("scope", "period"), pk=pk)
    if not dispatch_allowed(user=request.user, unit=document.scope, action="edit"):
        raise PermissionDenied(_("Bạn không được phân công cho đơn vị này."))
    upstream_document_delete(document=document)
    messages.success(request, _("Đã xóa văn bản."))
    query = f"?unit={document.scope.code}&period={document.period.key}"
    return redirect(reverse("dispatches:upstream-list") + query)
