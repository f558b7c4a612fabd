"""The one gate to the public: every anonymous reader (pages, API, downloads, feed, embeds, public
dispatches) reads what a leader published through these functions, and nothing else decides what
is visible.

What is public is what `publishing.services` copied when a leader published: the public figures
(`PublicScore`) and the rankings computed from them (`RankingResult.public`). A month, quarter or
year is visible under a parent exactly when public rankings exist for it, so an unpublished month
cannot leak through an average or a nationwide table: it was never in the public figures.
"""

import datetime

from django.db.models import Case, Max, Q, QuerySet, Value, When

from indicators.models import ImportRevision, IndicatorKind, Period
from indicators.selectors import unit_ancestor_ids
from rankings.models import RankingResult
from units.collation import by_name
from units.models import AdministrativeUnit

from .models import Publication, PublicationEvent, PublicScore


def public_results() -> QuerySet[RankingResult]:
    """Rankings computed from the published figures (the only rankings a public reader may show)."""
    return RankingResult.objects.filter(public=True)


def public_scores() -> QuerySet[PublicScore]:
    """The published figures (the only figures a public reader may show)."""
    return PublicScore.objects.all()


def public_period_keys(*, parent: AdministrativeUnit | None, level: str, scope: str) -> set[str]:
    """Period keys ("2024-08", "2024-Q3", "2024") with public rankings of `level` under `parent`."""
    return set(
        public_results()
        .filter(parent=parent, level=level, scope=scope, ranked_count__gt=0)
        .values_list("period_key", flat=True)
        .distinct()
        .order_by()
    )


def public_levels(*, parent: AdministrativeUnit | None) -> set[str]:
    """Levels with public rankings under `parent` (provinces nationwide when None)."""
    return set(public_results().filter(parent=parent).values_list("level", flat=True).distinct().order_by())


def public_keys_of_units(*, unit_ids: list[int]) -> set[tuple[int, str]]:
    """(unit, period key) pairs with a public result, for a unit and its predecessors' history."""
    return set(
        public_results()
        .filter(unit_id__in=unit_ids, scope=RankingResult.Scope.PEER)
        .values_list("unit_id", "period_key")
        .order_by()
    )


def covering_publication(*, period: Period, unit: AdministrativeUnit) -> Publication | None:
    """The active publication that covers the unit's month (its own or an ancestor's, the latest)."""
    return (
        Publication.objects.filter(period=period, scope_id__in=unit_ancestor_ids(unit), is_published=True)
        .select_related("scope")
        .order_by("-published_at")
        .first()
    )


def is_public(*, period: Period, unit: AdministrativeUnit) -> bool:
    """Whether the unit's month is published (a publication of it or of an ancestor is active)."""
    return covering_publication(period=period, unit=unit) is not None


def public_data_as_of(*, unit_ids: list[int], months: list[tuple[int, int]]) -> tuple[datetime.datetime | None, bool]:
    """When the published figures of the units were taken (the latest snapshot) and whether any is demo data."""
    if not unit_ids or not months:
        return None, False
    q = Q()
    for year, month in months:
        q |= Q(period__year=year, period__month=month)
    revisions = public_scores().filter(q, unit_id__in=unit_ids).values("revision_id").distinct()
    summary = ImportRevision.objects.filter(pk__in=revisions).aggregate(
        as_of=Max("data_as_of"), demo=Max(Case(When(is_demo=True, then=Value(1)), default=Value(0)))
    )
    return summary["as_of"], bool(summary["demo"])


def public_total_ids(*, period: Period, unit_ids: list[int]) -> set[int]:
    """The units among `unit_ids` with a published total in the month."""
    return set(
        public_scores()
        .filter(period=period, unit_id__in=unit_ids, indicator__kind=IndicatorKind.TOTAL, points__isnull=False)
        .values_list("unit_id", flat=True)
    )


def publication_log(*, period: Period) -> QuerySet[PublicationEvent]:
    """The month's corrections log as the public may read it: each publish, republish and withdrawal."""
    return (
        PublicationEvent.objects.filter(publication__period=period)
        .select_related("publication__scope", "publication__period")
        .order_by("-at", "-pk")
    )


def published_events(limit: int = 50) -> list[PublicationEvent]:
    """The latest publishes and republishes, newest first (the Atom feed)."""
    return list(
        PublicationEvent.objects.filter(
            publication__is_published=True,
            action__in=[PublicationEvent.Action.PUBLISH, PublicationEvent.Action.REPUBLISH],
        )
        .select_related("publication__scope", "publication__period")
        .order_by("-at", "-pk")[:limit]
    )


def dispatch_is_public(dispatch) -> bool:
    """A dispatch is public when its leader made it so and its month is published for its unit."""
    return (
        dispatch.status == "published" and bool(dispatch.pdf) and is_public(period=dispatch.period, unit=dispatch.unit)
    )


def public_dispatches(*, period: Period | None = None):
    """Published dispatches whose month is still published for their unit, newest month first."""
    from dispatches.models import Dispatch

    dispatches = Dispatch.objects.filter(status=Dispatch.Status.PUBLISHED).exclude(pdf="")
    if period is not None:
        dispatches = dispatches.filter(period=period)
    covered = Publication.objects.filter(is_published=True)
    ids = [
        d.pk
        for d in dispatches.select_related("unit__parent__parent", "period")
        if covered.filter(period_id=d.period_id, scope_id__in=unit_ancestor_ids(d.unit)).exists()
    ]
    return (
        Dispatch.objects.filter(pk__in=ids)
        .select_related("unit", "period")
        .order_by("-period__year", "-period__month", by_name("unit__name"))
    )
