"""Staff and leader pages for dispatches (draft, live preview, final, PDF, publish) and the public PDF download."""

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

from indicators.models import Period
from publishing import selectors as gate

from . import pdf
from .forms import DispatchTextForm, NewDispatchForm
from .models import Dispatch, RenderState
from .selectors import dispatch_allowed, dispatches_for_user, published_dispatch, published_dispatches
from .services import (
    dispatch_draft,
    dispatch_freeze,
    dispatch_publish,
    dispatch_render_request,
    dispatch_reopen,
    dispatch_snapshot,
    dispatch_superseded,
    dispatch_update,
    freeze_refusal,
)


def _dispatch(request, pk: int, action: str) -> Dispatch:
    dispatch = get_object_or_404(Dispatch.objects.select_related("unit", "period"), pk=pk)
    if not dispatch_allowed(user=request.user, unit=dispatch.unit, action=action):
        raise PermissionDenied(_("Bạn không được phân công cho đơn vị này."))
    return dispatch


@login_required
@require_GET
def dispatch_list(request):
    dispatches = dispatches_for_user(user=request.user).order_by("-period__year", "-period__month", "unit__name")
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
    context = {
        "dispatch": dispatch,
        "form": form,
        "can_finalise": dispatch_allowed(user=request.user, unit=dispatch.unit, action="finalise"),
        "rendering": dispatch.render_state in (RenderState.QUEUED, RenderState.RUNNING),
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
def dispatch_preview(request, pk: int):
    """The dispatch as HTML with the PDF's own template; a POST previews unsaved text."""
    dispatch = _dispatch(request, pk, "view")
    text = pdf.dispatch_text(dispatch)
    if request.method == "POST":
        form = DispatchTextForm(request.POST, instance=Dispatch(unit=dispatch.unit, period=dispatch.period))
        form.is_valid()
        text = {f: form.cleaned_data.get(f, "") or "" for f in form.Meta.fields}
    html = pdf.document_html(
        data=dispatch_snapshot(dispatch=dispatch), text=text, stylesheet_href=static(pdf.STYLESHEET)
    )
    return HttpResponse(html)


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


def _pdf_response(dispatch: Dispatch) -> FileResponse:
    name = f"cong-van-{dispatch.unit.code}-{dispatch.period.key}.pdf"
    return FileResponse(dispatch.pdf.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


@login_required
@require_GET
def dispatch_download(request, pk: int):
    dispatch = _dispatch(request, pk, "download")
    if dispatch.render_state != RenderState.DONE or not dispatch.pdf:
        raise Http404(_("Tệp PDF chưa được tạo."))
    return _pdf_response(dispatch)


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


@require_GET
def public_pdf(request, unit_code: str, period: str):
    """Anyone may download a published dispatch of a unit for a month."""
    year, month = (int(part) for part in period.split("-"))
    month_row = Period.objects.filter(year=year, month=month).first()  # a GET never creates a month
    dispatch = published_dispatch(unit_code=unit_code, period=month_row) if month_row else None
    if dispatch is None:
        raise Http404(_("Chưa có công văn công khai cho đơn vị và tháng này."))
    return _pdf_response(dispatch)


@require_GET
def public_list(request):
    """Published dispatches anyone can download, newest month first."""
    return render(request, "dispatches/public_list.html", {"dispatches": published_dispatches()[:120]})
