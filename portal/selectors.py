"""Reads for the public pages. Pages never compute rankings: they read what the ranking task stored."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings

from indicators.models import IndicatorKind, Period, Score
from units.models import AdministrativeUnit
from units.selectors import AmbiguousUnit, UnitNotFound, unit_lookup


def home_unit() -> AdministrativeUnit | None:
    """The unit named by PORTAL_HOME_UNIT, or None when it is not (yet) in the database."""
    try:
        return unit_lookup(text=settings.PORTAL_HOME_UNIT, on=datetime.date(2024, 12, 31))
    except (UnitNotFound, AmbiguousUnit):
        try:
            return unit_lookup(text=settings.PORTAL_HOME_UNIT)
        except (UnitNotFound, AmbiguousUnit):
            return None


@dataclass
class UnitMonth:
    unit: AdministrativeUnit
    period: Period
    total: Score | None
    groups: list[Score] = field(default_factory=list)
    children: list[Score] = field(default_factory=list)
    data_as_of: datetime.datetime | None = None
    is_demo: bool = False


def latest_unit_month(*, unit: AdministrativeUnit) -> UnitMonth | None:
    """The latest month with figures for the unit or its children: its total, groups and children's totals."""
    latest = (
        Score.objects.filter(indicator__kind=IndicatorKind.TOTAL)
        .filter(unit__in=[unit.pk, *unit.children.values_list("pk", flat=True)])
        .order_by("-period__year", "-period__month")
        .select_related("period")
        .first()
    )
    if latest is None:
        return None
    period = latest.period
    own = list(
        Score.objects.filter(unit=unit, period=period, indicator__kind__in=[IndicatorKind.TOTAL, IndicatorKind.GROUP])
        .select_related("indicator", "revision")
        .order_by("indicator__order")
    )
    total = next((s for s in own if s.indicator.kind == IndicatorKind.TOTAL), None)
    children = list(
        Score.objects.filter(unit__parent=unit, period=period, indicator__kind=IndicatorKind.TOTAL)
        .select_related("unit", "revision")
        .order_by("-points", "unit__name")
    )
    revisions = [s.revision for s in own + children]
    return UnitMonth(
        unit=unit,
        period=period,
        total=total,
        groups=[s for s in own if s.indicator.kind == IndicatorKind.GROUP],
        children=children,
        data_as_of=max((r.data_as_of for r in revisions), default=None),
        is_demo=any(r.is_demo for r in revisions),
    )
