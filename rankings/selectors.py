"""Reads of stored rankings for the API; nothing here computes a rank, and everything it reads of the
public rankings comes through the publication gate (`publishing.selectors`)."""

import datetime

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from indicators.periods import PeriodSpan
from publishing import selectors as gate
from units.collation import by_name
from units.models import AdministrativeUnit, Level


class ParentNotFound(Exception):
    """No unit valid in the period has the code."""


class AmbiguousParent(Exception):
    """Several units valid in the period share the code (across trees); `candidates` lists them."""

    def __init__(self, code: str, candidates: list[AdministrativeUnit]):
        self.candidates = candidates
        names = "; ".join(f"{u.name} ({u.get_tree_display()})" for u in candidates)
        super().__init__(f"Mã “{code}” ứng với nhiều đơn vị trong kỳ: {names}.")


def ranking_parent(*, span: PeriodSpan, code: str) -> AdministrativeUnit:
    """The unit with `code` valid in the period (codes are reused across the 2025 reorganisation).

    When several are valid (a year spanning 1/7/2025), the one with public results in the period wins.
    """
    candidates = list(AdministrativeUnit.objects.valid_in(span).filter(code=code.strip()).select_related("parent"))
    if len(candidates) > 1:
        with_results = set(
            gate.public_results().filter(period_key=span.key, parent__in=candidates).values_list("parent_id", flat=True)
        )
        candidates = [u for u in candidates if u.pk in with_results] or candidates
    if not candidates:
        raise ParentNotFound(
            _("Không có đơn vị mã “%(code)s” trong kỳ %(period)s.") % {"code": code, "period": span.key}
        )
    if len(candidates) > 1:
        raise AmbiguousParent(code, candidates)
    return candidates[0]


def unit_ranking(*, span: PeriodSpan, parent: AdministrativeUnit | None, scope: str = "peer") -> QuerySet:
    """The public results under `parent` (provinces nationwide when None) in rank order, unranked last,
    names in Vietnamese order."""
    results = gate.public_results().filter(period_key=span.key, scope=scope)
    results = results.filter(parent=parent) if parent else results.filter(parent__isnull=True, level=Level.PROVINCE)
    return results.select_related("unit", "band").order_by(F("rank").asc(nulls_last=True), by_name("unit__name"))


def ranking_data_as_of(*, span: PeriodSpan, unit_ids: list[int]) -> datetime.datetime | None:
    """The latest "data as of" time of the published figures the results were computed from."""
    return gate.public_data_as_of(unit_ids=unit_ids, months=list(span.months))[0]
