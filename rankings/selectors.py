"""Reads of stored rankings for pages and the API; nothing here computes a rank."""

import datetime

from django.db.models import F, Max, Q, QuerySet

from indicators.models import IndicatorKind, Period, Publication, Score
from indicators.selectors import is_published
from units.models import AdministrativeUnit, Level

from .models import RankingResult
from .periods import PeriodSpan


class ParentNotFound(Exception):
    """No unit valid in the period has the code."""


class AmbiguousParent(Exception):
    """Several units valid in the period share the code (across trees); `candidates` lists them."""

    def __init__(self, code: str, candidates: list[AdministrativeUnit]):
        self.candidates = candidates
        names = "; ".join(f"{u.name} ({u.get_tree_display()})" for u in candidates)
        super().__init__(f"Mã “{code}” ứng với nhiều đơn vị trong kỳ: {names}.")


def units_valid_in(span: PeriodSpan, prefix: str = "") -> Q:
    """Units valid at some time in the period (`prefix` reaches them through a relation: "unit__")."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": span.last_day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": span.first_day})
    )


def ranking_parent(*, span: PeriodSpan, code: str) -> AdministrativeUnit:
    """The unit with `code` valid in the period (codes are reused across the 2025 reorganisation).

    When several are valid (a year spanning 1/7/2025), the one with stored results in the period wins.
    """
    candidates = list(
        AdministrativeUnit.objects.filter(units_valid_in(span), code=code.strip()).select_related("parent")
    )
    if len(candidates) > 1:
        with_results = set(
            RankingResult.objects.filter(period_key=span.key, parent__in=candidates).values_list("parent_id", flat=True)
        )
        candidates = [u for u in candidates if u.pk in with_results] or candidates
    if not candidates:
        raise ParentNotFound(f"Không có đơn vị mã “{code}” trong kỳ {span.key}.")
    if len(candidates) > 1:
        raise AmbiguousParent(code, candidates)
    return candidates[0]


def unit_ranking(*, span: PeriodSpan, parent: AdministrativeUnit | None, scope: str = "peer") -> QuerySet:
    """The stored results under `parent` (provinces nationwide when None) in rank order, unranked last."""
    results = RankingResult.objects.filter(period_key=span.key, scope=scope)
    results = results.filter(parent=parent) if parent else results.filter(parent__isnull=True, level=Level.PROVINCE)
    return results.select_related("unit", "band").order_by(F("rank").asc(nulls_last=True), "unit__name")


def ranking_data_as_of(*, span: PeriodSpan, unit_ids: list[int]) -> datetime.datetime | None:
    """The latest "data as of" time of the totals the results were computed from."""
    return Score.objects.filter(
        unit_id__in=unit_ids,
        indicator__kind=IndicatorKind.TOTAL,
        period__in=_periods(span),
    ).aggregate(as_of=Max("revision__data_as_of"))["as_of"]


def _periods(span: PeriodSpan) -> QuerySet:
    q = Q()
    for year, month in span.months:
        q |= Q(year=year, month=month)
    return Period.objects.filter(q)


def ranking_is_public(*, span: PeriodSpan, parent: AdministrativeUnit | None, ranked_unit_ids: list[int]) -> bool:
    """Whether anonymous visitors may see this list: every month it draws on is published for it.

    Under a parent the parent's publication (or an ancestor's) covers the list; nationwide each
    ranked province must be published. A quarter or year needs each of its months with results.
    """
    months = list(_periods(span))
    if not span.is_month:
        keys = set(
            RankingResult.objects.filter(
                period_key__in=[p.key for p in months], parent=parent, rank__isnull=False
            ).values_list("period_key", flat=True)
        )
        months = [p for p in months if p.key in keys]
    if not months:
        return False
    for period in months:
        if parent is not None:
            if not is_published(period=period, unit=parent):
                return False
        else:
            published = Publication.objects.filter(period=period, scope_id__in=ranked_unit_ids, is_published=True)
            if published.count() < len(set(ranked_unit_ids)):
                return False
    return True
