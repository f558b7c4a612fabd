"""Staff pages of the indicators app: the leader's publishing desk."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import require, units_within_reach
from rankings.models import RankingRun
from units.models import AdministrativeUnit

from .models import ImportRevision, Period, Publication
from .services import publication_publish, publication_unpublish


def _period(key: str) -> Period:
    try:
        year, month = (int(part) for part in key.split("-"))
        return Period.objects.get(year=year, month=month)
    except (ValueError, Period.DoesNotExist):
        raise Http404 from None


@login_required
def publication_list(request):
    """Every month and scope with imported figures that the user may see, with its publication and ranking state."""
    rows = (
        ImportRevision.objects.values("scope_id", "period_id")
        .annotate(last_import=Max("created_at"), data_as_of=Max("data_as_of"))
        .order_by("-period__year", "-period__month", "scope__name")
    )
    scopes = AdministrativeUnit.objects.in_bulk({r["scope_id"] for r in rows})
    periods = Period.objects.in_bulk({r["period_id"] for r in rows})
    publications = {(p.scope_id, p.period_id): p for p in Publication.objects.filter(scope_id__in=scopes)}
    runs = {}
    for run in RankingRun.objects.filter(period_key__in={p.key for p in periods.values()}).order_by("created_at"):
        runs[run.period_key] = run  # the latest run of each month wins
    # Two queries decide every row's rights, instead of a check per row.
    visible = set(
        units_within_reach(request.user, action="view_unpublished").filter(pk__in=scopes).values_list("pk", flat=True)
    )
    publishable = set(
        units_within_reach(request.user, action="publish").filter(pk__in=scopes).values_list("pk", flat=True)
    )
    entries = []
    for row in rows:
        scope, period = scopes[row["scope_id"]], periods[row["period_id"]]
        if scope.pk not in visible:
            continue
        entries.append(
            {
                "scope": scope,
                "period": period,
                "data_as_of": row["data_as_of"],
                "publication": publications.get((scope.pk, period.pk)),
                "run": runs.get(period.key),
                "can_publish": scope.pk in publishable,
            }
        )
    return render(request, "indicators/publication_list.html", {"entries": entries})


@login_required
@require_POST
def publication_publish_view(request, scope_id: int, period_key: str):
    scope = get_object_or_404(AdministrativeUnit, pk=scope_id)
    period = _period(period_key)
    require(request.user, "publish", scope)
    publication = publication_publish(period=period, scope=scope, user=request.user)
    messages.success(request, f"Đã công bố kết quả tháng {period} của {scope} (lần {publication.version}).")
    return redirect("indicators:publication-list")


@login_required
@require_POST
def publication_unpublish_view(request, scope_id: int, period_key: str):
    scope = get_object_or_404(AdministrativeUnit, pk=scope_id)
    period = _period(period_key)
    require(request.user, "publish", scope)
    try:
        publication_unpublish(period=period, scope=scope, user=request.user, reason=request.POST.get("reason", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
    except Publication.DoesNotExist:
        raise PermissionDenied("Tháng này chưa được công bố.") from None
    else:
        messages.success(request, f"Đã gỡ công bố kết quả tháng {period} của {scope}.")
    return redirect("indicators:publication-list")
