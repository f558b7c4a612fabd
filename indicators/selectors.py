"""Reads of the catalogue."""

import datetime

from .models import Framework, Indicator, IndicatorKind, Period
from .periods import period_span_or_none


def framework_for(*, day: datetime.date | None = None) -> Framework:
    """The catalogue version in force on `day` (the newest if None)."""
    frameworks = Framework.objects.order_by("-valid_from")
    if day is not None:
        frameworks = frameworks.filter(valid_from__lte=day)
    framework = frameworks.first()
    if framework is None:
        raise Framework.DoesNotExist("Chưa có bộ chỉ số nào trong cơ sở dữ liệu (chạy manage.py migrate).")
    return framework


def period_find(text: str | None) -> Period | None:
    """The `Period` row of a month key ("2024-08", read by the one period rule), or None: a malformed key, a
    quarter or a year, or a month nothing was ever written for. A read, safe in a GET: it never creates a row
    (`indicators.services.period_get` does, for the writes)."""
    span = period_span_or_none(text)
    if span is None or not span.is_month:
        return None
    return Period.objects.filter(year=span.year, month=span.number).first()


def catalogue(*, framework: Framework):
    """Every indicator of a framework in display order."""
    return Indicator.objects.filter(framework=framework).select_related("parent").order_by("order")


def indicators_by_role(*, framework: Framework) -> dict[str, Indicator]:
    """The framework's indicators that have a role, by role (IndicatorRole values): how code finds
    "the progress group" or "overdue dossiers" without knowing a catalogue's codes."""
    return {i.role: i for i in Indicator.objects.filter(framework=framework).exclude(role="").select_related("parent")}


def total_indicator(*, framework: Framework) -> Indicator:
    """The framework's overall total (the one indicator of kind "total")."""
    return Indicator.objects.get(framework=framework, kind=IndicatorKind.TOTAL)


def unit_ancestor_ids(unit) -> list[int]:
    """The unit's id and its ancestors' ids, nearest first (the tree is at most four levels deep)."""
    ids = []
    while unit is not None:
        ids.append(unit.pk)
        unit = unit.parent
    return ids
