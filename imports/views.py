"""Staff pages of the import flow: upload → map columns → resolve units → preview → apply → status."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required as django_login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators.models import ImportRevision
from indicators.periods import month_period_span
from indicators.revisions import revision_compare, revision_revert
from indicators.selectors import framework_for, period_find
from indicators.services import indicators_by_code
from units.collation import name_key
from units.models import AdministrativeUnit
from units.selectors import AmbiguousUnit, UnitNotFound, unit_lookup

from .forms import NationalFetchForm, UploadForm, target_field
from .mapping import all_targets, preset_key
from .models import ImportBatch, NationalWatch
from .national import national_batch_create, national_watch_set
from .resolve import TO_CREATE, UnitResolver
from .selectors import assigned_units, batches_for, can_import, presets_for
from .services import (
    BatchAlreadyApplied,
    ImportRejected,
    MissingUnitRefused,
    batch_create,
    batch_preview,
    batch_update,
    can_correct_units,
    can_create_units,
    import_apply,
    import_apply_enqueue,
    latest_revision_number,
    missing_unit_record,
    preset_save,
)
from .template_file import template_xlsx

# Unit staff are not Django "staff": they sign in on the portal's login page, not the admin's.
login_required = django_login_required


def _batch(request, pk: int) -> ImportBatch:
    batch = get_object_or_404(ImportBatch.objects.select_related("period", "scope"), pk=pk)
    if not (request.user.is_superuser or batch.created_by_id == request.user.pk):
        raise Http404
    if not can_import(user=request.user, scope=batch.scope):
        raise Http404
    return batch


def _preview_or_errors(request, batch):
    try:
        return batch_preview(batch=batch, user=request.user), []
    except ImportRejected as exc:
        return None, exc.issues


@login_required
def batch_list(request):
    batches = batches_for(user=request.user)[:50]
    return render(
        request,
        "imports/batch_list.html",
        {"batches": batches, "units": assigned_units(user=request.user)},
    )


def _upload_initial(request) -> tuple[dict, ImportBatch | None]:
    """What the upload form starts with: the clerk's one scope, or a corrected file's batch."""
    initial: dict = {}
    units = list(assigned_units(user=request.user)[:2])
    if len(units) == 1:
        initial["scope"] = units[0].name
    previous = None
    key = request.POST.get("replaces") or request.GET.get("tu")
    if key and str(key).isdigit():
        try:
            previous = _batch(request, int(key))
        except Http404:
            previous = None
    if previous is not None:
        initial |= {
            "period": previous.period.key,
            "scope": previous.scope.name,
            "sheet": previous.sheet,
            "replaces": previous.pk,
        }
    return initial, previous


@login_required
def batch_create_view(request):
    initial, previous = _upload_initial(request)
    form = UploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = batch_create(
                data=upload.read(),
                file_name=upload.name,
                period=form.cleaned_data["period"],
                scope=form.cleaned_data["scope"],
                data_as_of=form.cleaned_data["data_as_of"],
                user=request.user,
                sheet=form.cleaned_data["sheet"],
            )
        except ImportRejected as exc:
            for issue in exc.issues:
                form.add_error(None, str(issue))
        else:
            if previous is not None:
                # The corrected file keeps the choices made for the one it replaces.
                batch_update(batch=batch, mapping=previous.mapping or None, choices=previous.unit_choices)
                messages.info(request, _("Đã giữ cách ghép cột và các đơn vị đã chọn của tệp trước."))
            return redirect("imports:batch-map", pk=batch.pk)
    return render(
        request,
        "imports/upload.html",
        {
            "form": form,
            "national": NationalFetchForm(prefix="national", initial={"scope": initial.get("scope", "")}),
            "units": assigned_units(user=request.user),
            "watches": _watches(request.user),
            "fetch_days": settings.NATIONAL_PORTAL_FETCH_DAYS,
            "previous": previous,
        },
    )


def _watches(user) -> list[tuple[AdministrativeUnit, bool]]:
    """The user's scopes, each with whether its month is fetched from the national portal on its own."""
    units = list(assigned_units(user=user).order_by("name"))
    watching = set(NationalWatch.objects.filter(scope__in=units, active=True).values_list("scope_id", flat=True))
    return [(unit, unit.pk in watching) for unit in units]


@login_required
@require_POST
def national_watch_view(request):
    """Turn the monthly fetch from the national portal on or off for one of the user's scopes."""
    scope_id = request.POST.get("scope", "")
    if not scope_id.isdigit():
        raise Http404
    scope = get_object_or_404(AdministrativeUnit, pk=int(scope_id))
    active = request.POST.get("active") == "1"
    national_watch_set(scope=scope, user=request.user, active=active)
    if active:
        messages.success(
            request,
            _(
                "Đã bật: vào các ngày %(days)s hằng tháng, cổng tự lấy số liệu tháng trước của %(scope)s từ Cổng "
                "DVCQG thành bản xem trước và gửi thư cho cán bộ. Chưa có gì được ghi cho đến khi có người bấm "
                "“Ghi số liệu”."
            )
            % {"days": settings.NATIONAL_PORTAL_FETCH_DAYS, "scope": scope.name},
        )
        if not settings.NATIONAL_PORTAL_FETCH_ENABLED:
            messages.warning(
                request,
                _("Máy chủ này chưa bật việc lấy tự động (NATIONAL_PORTAL_FETCH_ENABLED); báo quản trị hệ thống."),
            )
    else:
        messages.success(request, _("Đã tắt tự động lấy số liệu từ Cổng DVCQG cho %(scope)s.") % {"scope": scope.name})
    return redirect("imports:batch-create")


@login_required
@require_POST
def national_fetch_view(request):
    """The staff button "Lấy số liệu từ Cổng DVCQG": the month into a batch, then straight to its preview."""
    form = NationalFetchForm(request.POST, prefix="national")
    if form.is_valid():
        try:
            batch = national_batch_create(
                period=form.cleaned_data["period"],
                scope=form.cleaned_data["scope"],
                user=request.user,
                level=form.cleaned_data["level"] or None,
            )
        except ImportRejected as exc:
            for issue in exc.issues:
                form.add_error(None, str(issue))
        else:
            preview = batch_preview(batch=batch, user=request.user)
            if preview.unresolved:
                return redirect("imports:batch-resolve", pk=batch.pk)
            return redirect("imports:batch-preview", pk=batch.pk)
    upload = UploadForm(initial=_upload_initial(request)[0])
    return render(
        request,
        "imports/upload.html",
        {
            "form": upload,
            "national": form,
            "units": assigned_units(user=request.user),
            "watches": _watches(request.user),
            "fetch_days": settings.NATIONAL_PORTAL_FETCH_DAYS,
        },
        status=400,
    )


@login_required
def batch_map(request, pk: int):
    batch = _batch(request, pk)
    preview, problems = _preview_or_errors(request, batch)
    if preview is None:
        return render(request, "imports/problems.html", {"batch": batch, "problems": problems})
    indicators = indicators_by_code(framework=framework_for(day=batch.period.last_day))
    choices = all_targets(indicators)
    presets = list(presets_for(scope=batch.scope))
    preset = None
    headers = preview.table.headers
    if request.GET.get("preset"):
        preset = next((p for p in presets if str(p.pk) == request.GET["preset"]), None)
    elif not batch.mapping:
        # Next month's file with the same headers gets last month's mapping without asking.
        keys = {preset_key(h) for h in headers if h}
        preset = next((p for p in presets if keys <= set(p.mapping)), None)
    columns = []
    for index, (header, target) in enumerate(preview.columns):
        if not header:
            continue
        initial = target.text if target else ""
        if preset is not None and preset_key(header) in preset.mapping:
            initial = preset.mapping[preset_key(header)]
        field = target_field(choices, initial)
        samples = [cells[index] for _n, cells in preview.table.rows[:3]]
        columns.append({"index": index, "header": header, "field": field, "initial": initial, "samples": samples})
    if request.method == "POST":
        valid = {value for value, _label in choices}
        mapping = {}
        for column in columns:
            value = request.POST.get(f"col-{column['index']}", "")
            mapping[column["header"]] = value if value in valid else ""
        batch_update(batch=batch, mapping=mapping)
        name = request.POST.get("preset_name", "").strip()
        if name:
            preset_save(name=name, scope=batch.scope, mapping=mapping, user=request.user)
            messages.success(request, _("Đã lưu mẫu ghép cột “%(name)s”.") % {"name": name})
        return redirect("imports:batch-resolve", pk=batch.pk)
    return render(
        request,
        "imports/map.html",
        {
            "batch": batch,
            "preview": preview,
            "columns": columns,
            "choices": choices,
            "presets": presets,
            "preset": preset,
            "headers": headers,
        },
    )


@login_required
def batch_resolve(request, pk: int):
    batch = _batch(request, pk)
    preview, problems = _preview_or_errors(request, batch)
    if preview is None:
        return render(request, "imports/problems.html", {"batch": batch, "problems": problems})
    resolver = UnitResolver(scope=batch.scope, period=batch.period)
    options = sorted(resolver.valid, key=lambda u: name_key(u.name))
    if request.method == "POST":
        choices = {}
        valid_ids = {str(u.pk) for u in options}
        for row in preview.unresolved + preview.to_create:
            value = request.POST.get(f"unit-{row.row}", "")
            if value == TO_CREATE or value in valid_ids:
                choices[row.unit_text] = value
        batch_update(batch=batch, choices=choices)
        return redirect("imports:batch-preview", pk=batch.pk)
    matched = [r for r in preview.rows if r.resolution is not None and r.resolution.ok]
    return render(
        request,
        "imports/resolve.html",
        {"batch": batch, "preview": preview, "matched": matched, "options": options, "create": TO_CREATE},
    )


@login_required
def batch_preview_view(request, pk: int):
    batch = _batch(request, pk)
    preview, problems = _preview_or_errors(request, batch)
    if preview is None:
        return render(request, "imports/problems.html", {"batch": batch, "problems": problems})
    base_revision = latest_revision_number(period=batch.period, scope=batch.scope)
    return render(
        request,
        "imports/preview.html",
        {
            "batch": batch,
            "preview": preview,
            "counts": preview.counts(),
            "max_rows": 2000,
            "base_revision": base_revision,
            "can_create_units": can_create_units(user=request.user, scope=batch.scope),
            "can_correct_units": can_correct_units(user=request.user, scope=batch.scope),
            "peers_after": AdministrativeUnit.objects.filter(parent=batch.scope).valid_in(batch.period).count()
            + len(preview.to_create),
        },
    )


@login_required
@require_POST
def batch_missing(request, pk: int):
    """A leader's choice about a unit of the scope that the file does not mention (see the preview)."""
    batch = _batch(request, pk)
    try:
        unit_id = int(request.POST.get("unit", ""))
    except ValueError:
        unit_id = 0
    try:
        message = missing_unit_record(
            batch=batch, unit_id=unit_id, choice=request.POST.get("choice", ""), user=request.user
        )
    except MissingUnitRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, message)
    return redirect("imports:batch-preview", pk=batch.pk)


# A batch left "applying" longer than this (its worker died before it started) may be applied again.
STALE_APPLYING = datetime.timedelta(minutes=15)


@login_required
@require_POST
def batch_apply(request, pk: int):
    batch = _batch(request, pk)
    if batch.state == ImportBatch.State.APPLIED or (
        batch.state == ImportBatch.State.APPLYING and timezone.now() - batch.updated_at < STALE_APPLYING
    ):
        messages.info(request, _("Tệp này đã được ghi hoặc đang được ghi."))
        return redirect("imports:batch-status", pk=batch.pk)
    try:
        expected = int(request.POST["base_revision"])
    except (KeyError, ValueError):
        expected = None  # an old form: apply without the stale-preview check
    background = batch.file_size > getattr(settings, "IMPORT_BACKGROUND_BYTES", 512 * 1024) and not getattr(
        settings, "CELERY_TASK_ALWAYS_EAGER", True
    )
    confirm = request.POST.get("confirm_new_units") == "1"
    if background:
        import_apply_enqueue(batch=batch, user=request.user, expected_revision=expected, confirm_new_units=confirm)
        return redirect("imports:batch-status", pk=batch.pk)
    try:
        import_apply(batch=batch, user=request.user, expected_revision=expected, confirm_new_units=confirm)
    except BatchAlreadyApplied:
        messages.info(request, _("Tệp này đã được ghi (có người vừa bấm Ghi trước)."))
        return redirect("imports:batch-status", pk=batch.pk)
    except ImportRejected as exc:
        messages.error(request, " ".join([_("Không có gì được ghi."), *(str(i) for i in exc.issues[:3])]))
        return redirect("imports:batch-preview", pk=batch.pk)
    return redirect("imports:batch-status", pk=batch.pk)


@login_required
def batch_status(request, pk: int):
    batch = _batch(request, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "state": batch.state,
                "progress": batch.progress,
                "revision": batch.revision.number if batch.revision else None,
                "errors": batch.errors,
            }
        )
    return render(request, "imports/status.html", {"batch": batch})


@login_required
def template_download(request):
    text = request.GET.get("scope", "")
    try:
        # A GET: the month is read (no Period row is created for a template); the sheet needs only its days.
        period = month_period_span(request.GET.get("period", ""))
        scope = unit_lookup(text=text, on=period.last_day)
    except (ValueError, UnitNotFound, AmbiguousUnit) as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    if not can_import(user=request.user, scope=scope):
        raise Http404
    data = template_xlsx(scope=scope, period=period)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="mau-nhap-{scope.code}-{period.key}.xlsx"'
    return response


@login_required
def revision_list(request, scope_id: int, period_key: str):
    scope = get_object_or_404(AdministrativeUnit, pk=scope_id)
    period = period_find(period_key)  # a GET never creates a month
    if period is None:
        raise Http404
    if not can_import(user=request.user, scope=scope):
        raise Http404
    revisions = list(
        ImportRevision.objects.filter(scope=scope, period=period).select_related("created_by").order_by("-number")
    )
    by_number = {str(r.number): r for r in revisions}
    old, new = by_number.get(request.GET.get("a", "")), by_number.get(request.GET.get("b", ""))
    diffs = revision_compare(old=old, new=new) if old and new else None
    return render(
        request,
        "imports/revisions.html",
        {"scope": scope, "period": period, "revisions": revisions, "old": old, "new": new, "diffs": diffs},
    )


@login_required
@require_POST
def revision_revert_view(request, pk: int):
    revision = get_object_or_404(ImportRevision.objects.select_related("scope", "period"), pk=pk)
    if not can_import(user=request.user, scope=revision.scope):
        raise Http404
    new = revision_revert(revision=revision, user=request.user)
    messages.success(
        request,
        _("Đã hoàn tác tháng %(period)s về lần nhập số %(old)s (ghi thành lần nhập số %(new)s).")
        % {"period": revision.period, "old": revision.number, "new": new.number},
    )
    return redirect("imports:revision-list", scope_id=revision.scope_id, period_key=revision.period.key)
