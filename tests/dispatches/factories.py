"""Test data for dispatches, made by the real services: a leader's publication of the month (which
computes the public rankings a final dispatch quotes), never a copy of the ranking rules."""

from indicators.models import Period, Score
from publishing.services import publication_publish
from rankings.models import RankingResult
from units.models import AdministrativeUnit


def rank_children(*, parent: AdministrativeUnit, year: int, month: int) -> list[RankingResult]:
    """Publish the month for `parent`; its children's public peer rows, in rank order."""
    period = Period.objects.get(year=year, month=month)
    publication_publish(period=period, scope=parent)
    rows = RankingResult.objects.filter(public=True, period_key=period.key, scope="peer", parent=parent)
    return sorted(rows.select_related("unit"), key=lambda r: (r.rank is None, r.rank or 0, r.unit.name))


def rank_alone(*, unit: AdministrativeUnit, year: int, month: int, published: tuple[int, int] | None = None):
    """Publish a unit's own month; `published` is the rank the national portal gave ("01/10"), stored on
    its total's row as an import of that column stores it."""
    period = Period.objects.get(year=year, month=month)
    if published:
        Score.objects.filter(unit=unit, period=period, indicator__kind="total").update(
            rank=published[0], rank_of=published[1]
        )
    publication_publish(period=period, scope=unit)
    return RankingResult.objects.get(public=True, period_key=period.key, scope="peer", unit=unit)
