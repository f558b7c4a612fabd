"""Test data for dispatches: stored ranking rows computed from the demo scores, as the ranking task would store them."""

from decimal import Decimal

from indicators.models import ClassificationBand, Period, Score
from rankings.models import RankingResult
from units.models import AdministrativeUnit


def _ranks(totals: dict[int, Decimal]) -> dict[int, int]:
    """Competition ranking ("1, 2, 2, 4"), highest total first."""
    ordered = sorted(totals.values(), reverse=True)
    return {unit_id: ordered.index(total) + 1 for unit_id, total in totals.items()}


def rank_children(*, parent: AdministrativeUnit, year: int, month: int) -> list[RankingResult]:
    """Peer rows of `parent`'s children for the month, with change against the month before when it has figures."""
    period = Period.objects.get(year=year, month=month)
    prev = Period.objects.filter(year=year if month > 1 else year - 1, month=month - 1 if month > 1 else 12).first()

    def totals(p):
        if p is None:
            return {}
        scores = Score.objects.filter(unit__parent=parent, period=p, indicator__code="total", points__isnull=False)
        return {s.unit_id: s.points for s in scores}

    now, before = totals(period), totals(prev)
    ranks, previous_ranks = _ranks(now), _ranks(before)
    bands = list(ClassificationBand.objects.all())
    rows = []
    for unit_id, total in now.items():
        unit = AdministrativeUnit.objects.get(pk=unit_id)
        rows.append(
            RankingResult.objects.create(
                period_key=period.key,
                scope=RankingResult.Scope.PEER,
                unit=unit,
                parent=parent,
                level=unit.level,
                total=total,
                rank=ranks[unit_id],
                rank_of=len(now),
                previous_total=before.get(unit_id),
                total_change=total - before[unit_id] if unit_id in before else None,
                previous_rank=previous_ranks.get(unit_id),
                rank_change=previous_ranks[unit_id] - ranks[unit_id] if unit_id in previous_ranks else None,
                band=ClassificationBand.band_for(total, bands),
            )
        )
    return sorted(rows, key=lambda r: (r.rank, r.unit.name))


def rank_alone(*, unit: AdministrativeUnit, year: int, month: int, published: tuple[int, int] | None = None):
    """A unit's own row; `published` is the official rank the national portal gave (stored in details)."""
    total = Score.objects.get(unit=unit, period__year=year, period__month=month, indicator__code="total").points
    return RankingResult.objects.create(
        period_key=f"{year:04d}-{month:02d}",
        scope=RankingResult.Scope.PEER,
        unit=unit,
        parent=unit.parent,
        level=unit.level,
        total=total,
        rank=1,
        rank_of=1,
        band=ClassificationBand.band_for(total, list(ClassificationBand.objects.all())),
        details={"published_rank": list(published)} if published else {},
    )
