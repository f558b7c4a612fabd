"""Stored ranking results for tests, built from the demo scores the way the ranking task stores them.

The real computation lives in the rankings app; the pages only read RankingResult rows, so the
tests make those rows here (standard competition ranking, "1, 2, 2, 4"), from real demo figures.
"""

from collections import defaultdict
from decimal import Decimal

from indicators.models import ClassificationBand, IndicatorKind, Period, Score
from indicators.services import period_get, publication_publish
from rankings.models import RankingResult
from units.models import AdministrativeUnit


def _ranks(totals: dict[int, Decimal]) -> dict[int, int]:
    ordered = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    ranks, previous, rank = {}, None, 0
    for position, (unit_id, total) in enumerate(ordered, start=1):
        if total != previous:
            rank, previous = position, total
        ranks[unit_id] = rank
    return ranks


def _month_scores(year: int, month: int):
    period = Period.objects.filter(year=year, month=month).first()
    if period is None:
        return {}, {}
    totals, groups = {}, defaultdict(dict)
    for s in Score.objects.filter(
        period=period, indicator__kind__in=[IndicatorKind.TOTAL, IndicatorKind.GROUP]
    ).select_related("indicator"):
        if s.points is None:
            continue
        if s.indicator.kind == IndicatorKind.TOTAL:
            totals[s.unit_id] = s.points
        else:
            groups[s.unit_id][s.indicator.code] = s.points
    return totals, groups


def rankings_build(*, year: int, month: int) -> list[RankingResult]:
    """Peer rankings of every unit with a total in the month, with changes against the month before."""
    key = f"{year:04d}-{month:02d}"
    prev_year, prev_month = (year, month - 1) if month > 1 else (year - 1, 12)
    totals, groups = _month_scores(year, month)
    prev_totals, prev_groups = _month_scores(prev_year, prev_month)
    units = {u.pk: u for u in AdministrativeUnit.objects.filter(pk__in=list(totals) + list(prev_totals))}
    bands = list(ClassificationBand.objects.all())
    by_parent = defaultdict(dict)
    for unit_id, total in totals.items():
        by_parent[units[unit_id].parent_id][unit_id] = total
    prev_ranks = {}
    prev_by_parent = defaultdict(dict)
    for unit_id, total in prev_totals.items():
        prev_by_parent[units[unit_id].parent_id][unit_id] = total
    for peers in prev_by_parent.values():
        prev_ranks.update(_ranks(peers))
    RankingResult.objects.filter(period_key=key).delete()  # replaces what the ranking task may have stored
    created = []
    for parent_id, peers in by_parent.items():
        ranks = _ranks(peers)
        group_ranks = {
            code: _ranks({u: groups[u][code] for u in peers if code in groups[u]})
            for code in {c for u in peers for c in groups[u]}
        }
        ordered = sorted(peers.values(), reverse=True)
        for unit_id, total in peers.items():
            band = ClassificationBand.band_for(total, bands)
            higher = [t for t in ordered if t > total]
            better_bands = sorted((b for b in bands if b.min_total > total), key=lambda b: b.min_total)
            previous = prev_totals.get(unit_id)
            # The shape the ranking task stores (rankings.services): strings for decimals.
            group_details, changes = {}, []
            for code, points in sorted(groups[unit_id].items()):
                before = prev_groups.get(unit_id, {}).get(code)
                change = None if before is None else points - before
                group_details[code] = {
                    "points": str(points),
                    "rank": group_ranks[code][unit_id],
                    "rank_of": len(group_ranks[code]),
                    "change": None if change is None else str(change),
                }
                if change:
                    changes.append((change, code))
            changes.sort()
            details = {
                "groups": group_details,
                "why": {
                    "groups_gained": [{"code": c, "change": str(v)} for v, c in reversed(changes) if v > 0][:3],
                    "groups_lost": [{"code": c, "change": str(v)} for v, c in changes if v < 0][:3],
                    "criteria_better": [],
                    "criteria_worse": [],
                },
                "to_next_rank": str(min(higher) - total) if higher else None,
                "next_band": better_bands[0].name if better_bands else None,
                "to_next_band": str(better_bands[0].min_total - total) if better_bands else None,
            }
            created.append(
                RankingResult.objects.create(
                    period_key=key,
                    unit_id=unit_id,
                    parent_id=parent_id,
                    level=units[unit_id].level,
                    total=total,
                    rank=ranks[unit_id],
                    rank_of=len(peers),
                    previous_total=previous,
                    total_change=None if previous is None else total - previous,
                    previous_rank=prev_ranks.get(unit_id),
                    rank_change=None if unit_id not in prev_ranks else prev_ranks[unit_id] - ranks[unit_id],
                    band=band,
                    group_sum=sum(groups[unit_id].values()) if groups[unit_id] else None,
                    details=details,
                )
            )
    return created


def quarter_build(*, year: int, quarter: int) -> list[RankingResult]:
    """A quarter from the stored months: the mean of the monthly totals, ranked among the same peers."""
    months = [f"{year:04d}-{m:02d}" for m in range((quarter - 1) * 3 + 1, quarter * 3 + 1)]
    rows = RankingResult.objects.filter(period_key__in=months, scope="peer")
    sums, counts, meta = defaultdict(Decimal), defaultdict(int), {}
    for r in rows:
        if r.total is not None:
            sums[r.unit_id] += r.total
            counts[r.unit_id] += 1
            meta[r.unit_id] = (r.parent_id, r.level)
    key = f"{year:04d}-Q{quarter}"
    RankingResult.objects.filter(period_key=key).delete()  # replaces what the ranking task may have stored
    bands = list(ClassificationBand.objects.all())
    by_parent = defaultdict(dict)
    for unit_id, total in sums.items():
        by_parent[meta[unit_id]][unit_id] = (total / counts[unit_id]).quantize(Decimal("0.01"))
    created = []
    for (parent_id, level), peers in by_parent.items():
        ranks = _ranks(peers)
        for unit_id, total in peers.items():
            created.append(
                RankingResult.objects.create(
                    period_key=key,
                    unit_id=unit_id,
                    parent_id=parent_id,
                    level=level,
                    total=total,
                    rank=ranks[unit_id],
                    rank_of=len(peers),
                    band=ClassificationBand.band_for(total, bands),
                    months_count=counts[unit_id],
                )
            )
    return created


def publish(*, year: int, month: int, scope: AdministrativeUnit):
    return publication_publish(period=period_get(year=year, month=month), scope=scope)


def tien_lu() -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(tree="legacy", code="332")
