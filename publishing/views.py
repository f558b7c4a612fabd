"""The leader's publishing desk: every month and scope with figures, what is public and what is
pending, the review page that shows the month exactly as it will appear, and the publish and
withdraw actions (which need that review and an explicit confirmation)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.permissions import require, units_within_reach, user_can
from indicators.models import ImportRevision, Period
from indicators.selectors import period_find
from rankings.models import RankingRun
from units.collation import by_name
from units.models import AdministrativeUnit

from .models import Publication
from .services import (
    NothingToPublish,
    pending_change,
    pending_changes,
    publication_publish,
    publication_review,
    publication_unpublish,
)


def _period(key: str) -> Period:
    period = period_find(key)  # read by the one period rule; a GET never creates a month
    if period is None:
        raise Http404(_("Không có tháng “%(key)s”.") % {"key": key})
    return period


def _scope_and_period(request, scope_id: int, period_key: str, action: str):
    scope = get_object_or_404(AdministrativeUnit, pk=scope_id)
    if not user_can(request.user, "view_unpublished", scope):
        raise Http404
    require(request.user, action, scope)
    return scope, _period(period_key)


@login_required
@never_cache
def publication_list(request):
    """Every month and scope with imported figures that the user may see, with what is public and pending."""
    rows = (
        ImportRevision.objects.values("scope_id", "period_id")
        .annotate(last_import=Max("created_at"), data_as_of=Max("data_as_of"))
        .order_by("-period__year", "-period__month", by_name("scope__name"))
    )
    # Two queries decide every row's rights, instead of a check per row.
    scope_ids = {r["scope_id"] for r in rows}
    visible = set(
        units_within_reach(request.user, action="view_unpublished")
        .filter(pk__in=scope_ids)
        .values_list("pk", flat=True)
    )
    publishable = set(
        units_within_reach(request.user, action="publish").filter(pk__in=scope_ids).values_list("pk", flat=True)
    )
    rows = [r for r in rows if r["scope_id"] in visible]
    scopes = AdministrativeUnit.objects.in_bulk({r["scope_id"] for r in rows})
    periods = Period.objects.in_bulk({r["period_id"] for r in rows})
    publications = {
        (p.scope_id, p.period_id): p
        for p in Publication.objects.filter(scope_id__in=scopes).select_related("scope", "published_by")
    }
    runs = {}
    for run in RankingRun.objects.filter(period_key__in={p.key for p in periods.values()}, public=False).order_by(
        "created_at"
    ):
        runs[run.period_key] = run  # the latest run of each month wins
    pending = pending_changes(publications=list(publications.values()))
    entries = []
    for row in rows:
        scope, period = scopes[row["scope_id"]], periods[row["period_id"]]
        publication = publications.get((scope.pk, period.pk))
        entries.append(
            {
                "scope": scope,
                "period": period,
                "data_as_of": row["data_as_of"],
                "publication": publication,
                "pending": pending[publication.pk] if publication else None,
                "run": runs.get(period.key),
                "can_publish": scope.pk in publishable,
            }
        )
    return render(request, "publishing/desk.html", {"entries": entries})


@login_required
@never_cache
def publication_review_view(request, scope_id: int, period_key: str):
    """The month as it will appear once published, and what differs from what is public now."""
    scope, period = _scope_and_period(request, scope_id, period_key, "view_unpublished")
    review = publication_review(period=period, scope=scope, user=request.user)
    publication = review.publication
    return render(
        request,
        "publishing/review.html",
        {
            "scope": scope,
            "period": period,
            "review": review,
            "publication": publication,
            "pending": pending_change(publication=publication) if publication else None,
            "can_publish": user_can(request.user, "publish", scope),
        },
    )


@login_required
@require_POST
def publication_publish_view(request, scope_id: int, period_key: str):
    scope, period = _scope_and_period(request, scope_id, period_key, "publish")
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Hãy đánh dấu ô xác nhận đã xem lại số liệu trước khi công bố."))
        return redirect("publishing:publication-review", scope_id=scope.pk, period_key=period.key)
    try:
        publication = publication_publish(period=period, scope=scope, user=request.user)
    except NothingToPublish as exc:
        messages.error(request, str(exc))
        return redirect("publishing:publication-list")
    messages.success(
        request,
        _("Đã công bố kết quả tháng %(period)s của %(scope)s (lần %(version)s).")
        % {"period": period, "scope": scope.name, "version": publication.version},
    )
    return redirect("publishing:publication-list")


@login_required
@require_POST
def publication_unpublish_view(request, scope_id: int, period_key: str):
    scope, period = _scope_and_period(request, scope_id, period_key, "publish")
    try:
        publication_unpublish(period=period, scope=scope, user=request.user, reason=request.POST.get("reason", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("publishing:publication-review", scope_id=scope.pk, period_key=period.key)
    except Publication.DoesNotExist:
        messages.error(request, _("Tháng này chưa được công bố cho %(scope)s.") % {"scope": scope.name})
    else:
        messages.success(
            request,
            _("Đã gỡ công bố kết quả tháng %(period)s của %(scope)s.") % {"period": period, "scope": scope.name},
        )
    return redirect("publishing:publication-list")
