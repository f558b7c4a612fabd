"""Writes of rankings: computing a period's stored results (ranks, changes, bands, "why it changed")
and queueing that computation on Celery once the data it reads is committed.

Where the work is done was decided by measurement (benchmarks/rankings.py prints both ways): the
database filters the figures, averages quarters and years, and pairs each criterion with last
month's to keep the few that moved most (window functions); Python ranks each peer group, which for
a national month is faster than RANK() windows, and assembles the rows. A period's results are
replaced in one transaction, so a reader (or a worker killed half-way) sees the old set or the new
one, never a mix; and a computation holds the period's lock from its first read to its last write,
so of two computations of the same period the one that read later figures writes last. The rules and the choices behind them (province-wide scope, mergers, quarter and
year views) are in docs/rankings.md.
"""

import contextlib
import datetime
import uuid
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain
from operator import attrgetter

import orjson
from django.db import connection, transaction
from django.db.models import Avg, Case, Count, F, IntegerField, Q, When
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext as _

from config.bulkwork import cyclic_gc_paused
from config.enqueue import enqueue, send, stale_before
from indicators.models import ClassificationBand, Direction, Framework, Indicator, IndicatorKind, Period, Score
from indicators.periods import PeriodKeyError, PeriodSpan, period_span
from indicators.selectors import framework_for
from units.models import AdministrativeUnit, Level, UnitSuccession, is_valid_in

from .models import RankingResult, RankingRun, RankSource
from .ranks import CHANGE_ROUNDING
from .signals import results_replaced

CENT = Decimal("0.01")
# Group points are published to one decimal, so each may be off by up to 0.05 from the exact
# figure the total was computed from; beyond that the published total and groups disagree.
GROUP_ROUNDING = Decimal("0.05")
WHY_LIMIT = 3  # groups/criteria listed as the biggest gains and losses
COMPUTE_TASK = "rankings.compute"


@dataclass(slots=True)
class Figure:
    """One unit's value of one indicator in a period, with its ranks as the database computed them."""

    value: Decimal
    rank: int
    rank_of: int
    province_rank: int
    province_of: int
    months: int


@dataclass(slots=True)
class UnitInfo:
    level: str
    parent_id: int | None
    province_id: int | None  # the province of a legacy commune (its grandparent); else the parent
    figures: dict[int, Figure] = field(default_factory=dict)  # by indicator id


def _periods(span: PeriodSpan) -> list[int]:
    """The stored months of the span (a month, quarter or year: always within one calendar year)."""
    months = span.months
    return list(
        Period.objects.order_by()
        .filter(year=span.year, month__in=[month for _, month in months])
        .values_list("pk", flat=True)
    )


def _province_expr(prefix: str = ""):
    """A legacy commune's province is its grandparent; every other unit's scope is its parent."""
    return Case(
        When(
            **{f"{prefix}level": Level.COMMUNE, f"{prefix}parent__level": Level.DISTRICT},
            then=F(f"{prefix}parent__parent_id"),
        ),
        default=F(f"{prefix}parent_id"),
        output_field=IntegerField(),
    )


@dataclass(slots=True)
class UnitPlaces:
    """Every unit's place in the tree, read once per computation (or once for the periods a publication
    changes): (level, parent, province) by id, its validity, and the members of each group.
    A legacy commune's province is its grandparent; any other unit's is its parent."""

    place: dict[int, tuple[str, int | None, int | None]]
    validity: dict[int, tuple[datetime.date | None, datetime.date | None]]  # (valid from, valid to) by id
    members: dict[tuple[str, int | None], list[int]]  # each peer group (level, parent): its units
    communes: dict[int, list[int]]  # each province: its communes that are ranked province-wide too
    _valid: dict[str, dict[int, bool]] = field(default_factory=dict)  # by span key, the units checked

    def is_valid(self, pk: int, span: PeriodSpan) -> bool:
        """The one validity rule (`units.models.is_valid_in`), checked once per unit and span."""
        checked = self._valid.setdefault(span.key, {})
        valid = checked.get(pk)
        if valid is None:
            valid = checked[pk] = is_valid_in(*self.validity[pk], span)
        return valid

    def valid_in(self, span: PeriodSpan) -> set[int]:
        """Every unit valid at some time in the span."""
        return {pk for pk in self.validity if self.is_valid(pk, span)}


def unit_places() -> UnitPlaces:
    # order_by(): without it the model's default order (tree, code) would sort 14,000 rows for nothing.
    rows = (
        AdministrativeUnit.objects.order_by()
        .annotate(province_id=_province_expr())
        .values_list("pk", "level", "parent_id", "province_id", "valid_from", "valid_to")
    )
    place, validity, members, communes = {}, {}, defaultdict(list), defaultdict(list)
    for pk, level, parent_id, province_id, valid_from, valid_to in rows:
        place[pk] = (level, parent_id, province_id)
        validity[pk] = (valid_from, valid_to)
        members[(level, parent_id)].append(pk)
        if level == Level.COMMUNE and province_id != parent_id:
            communes[province_id].append(pk)
    return UnitPlaces(place, validity, dict(members), dict(communes))


def period_figures(
    *,
    span: PeriodSpan,
    indicator_ids: list[int],
    rank_ids=None,
    places: UnitPlaces | None = None,
    source: type[Score] | None = None,
) -> dict[int, UnitInfo]:
    """Each unit's figures for `indicator_ids` in `span`, those of `rank_ids` (default: all) ranked
    within their peer group; the others keep rank 0.

    `source` is the table of figures: the working scores (default) or the published ones.
    A month's figure is the published points; a quarter's or year's is the mean of the monthly
    points present, rounded to the published precision (two decimals), with the number of months.
    Peer group = same indicator, same level, same parent; the province rank groups communes by
    province instead. Units not valid in the period are left out: their figures cannot be ranked.
    Rank 0 means not ranked: a group with fewer than two figures is never ranked ("1/1" says
    nothing), and in a quarter or year only the units with every month the group has are.

    The database filters (and averages a quarter or year); Python sorts and ranks each group. For a
    national month that is three times faster than RANK() windows in SQL (benchmarks/rankings.py
    measures both and checks they agree).
    """
    period_ids = _periods(span)
    if not period_ids:
        return {}
    places = unit_places() if places is None else places
    rows = _figure_rows(span=span, period_ids=period_ids, indicator_ids=indicator_ids, source=source or Score)
    units: dict[int, UnitInfo] = {}
    peers: dict[tuple, list[Figure]] = defaultdict(list)
    provinces: dict[tuple, list[Figure]] = defaultdict(list)
    for unit_id, ind, val, *months in _raw(rows):
        info = units.get(unit_id)
        if info is None:
            if not places.is_valid(unit_id, span):
                continue
            level, parent_id, province_id = places.place[unit_id]
            info = units[unit_id] = UnitInfo(level, parent_id, province_id)
        # PostgreSQL hands back numeric(6,2) as it is; SQLite a float, brought to the published precision.
        value = val if type(val) is Decimal else Decimal(str(val)).quantize(CENT)
        figure = info.figures[ind] = Figure(value, 0, 0, 0, 0, months[0] if months else 1)
        peers[(ind, info.level, info.parent_id)].append(figure)
        if info.level == Level.COMMUNE and info.province_id != info.parent_id:
            provinces[(ind, info.province_id)].append(figure)
    _rank_groups(units=units, peers=peers, provinces=provinces, rank_ids=rank_ids)
    return units


def _figure_rows(*, span: PeriodSpan, period_ids: list[int], indicator_ids: list[int], source: type[Score]):
    """(unit, indicator, points) of a month; (unit, indicator, mean points, months) of a quarter or year."""
    scores = source.objects.filter(period_id__in=period_ids, indicator_id__in=indicator_ids, points__isnull=False)
    if span.is_month:
        return scores.values_list("unit_id", "indicator_id", "points")
    rows = scores.values("unit_id", "indicator_id").annotate(
        value=Round(Avg("points"), 2), months=Count("period_id", distinct=True)
    )
    return rows.values_list("unit_id", "indicator_id", "value", "months")


def _rank_groups(*, units: dict[int, UnitInfo], peers: dict, provinces: dict, rank_ids) -> None:
    """Rank each peer group and each province-wide group of the indicators in `rank_ids` (None: all)."""
    for (ind, *_group), figures in peers.items():
        if rank_ids is None or ind in rank_ids:
            _rank(figures)
    for (ind, _province), figures in provinces.items():
        if rank_ids is None or ind in rank_ids:
            _rank(figures, province=True)
    for info in units.values():
        if info.level != Level.COMMUNE or info.province_id == info.parent_id:
            for figure in info.figures.values():  # the province-wide group is the peer group itself
                figure.province_rank, figure.province_of = figure.rank, figure.rank_of


def _rank(figures: list[Figure], *, province: bool = False) -> None:
    """Standard competition ranking, best first: equal values share a rank and the next one skips.

    Only figures averaged over as many months as the best-covered one are ranked, and only when
    at least two are: the others keep rank 0 (a quarter with a month missing is not comparable).
    """
    months = max(f.months for f in figures)
    if months > 1:
        figures = [f for f in figures if f.months == months]
    if len(figures) < 2:
        return
    figures.sort(key=_VALUE, reverse=True)
    size, rank, last = len(figures), 0, None
    for position, figure in enumerate(figures, start=1):
        if figure.value != last:
            rank, last = position, figure.value
        if province:
            figure.province_rank, figure.province_of = rank, size
        else:
            figure.rank, figure.rank_of = rank, size


_VALUE = attrgetter("value")


def competition_ranks(values: dict) -> dict:
    """The rank each key's value would get in one peer group, by the rule the stored rankings use
    (`_rank`): best first, ties shared, a group of one not ranked. Keys without a rank are left out."""
    figures = {key: Figure(value, 0, 0, 0, 0, 1) for key, value in values.items()}
    if figures:
        _rank(list(figures.values()))
    return {key: (figure.rank, figure.rank_of) for key, figure in figures.items() if figure.rank}


def _raw(queryset) -> list[tuple]:
    """The rows of a values_list query without Django's per-value converters (the columns here are
    plain numbers and text, and tens of thousands of rows make the converters the slowest part)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(CENT))


# Per unit, the criteria that moved most since the previous month, better and worse apart: the
# database pairs each figure with last month's and keeps the top few, so a national month sends a
# few rows per unit to Python instead of every criterion twice. Plain SQL (window functions), the
# same on PostgreSQL and SQLite. Each month's criteria are read once, as a materialised set, then
# paired: the current figures are a view over the history (`Score`), and the planner, left to join
# two copies of it, underestimates the rows and chooses a loop per row (2 s instead of 0,1 s).
_CRITERIA_SQL = """
WITH c AS MATERIALIZED (
    SELECT unit_id, indicator_id, points, rate FROM {score} WHERE period_id = %s AND indicator_id IN ({criteria})
), p AS MATERIALIZED (
    SELECT unit_id, indicator_id, points, rate FROM {score} WHERE period_id = %s AND indicator_id IN ({criteria})
)
SELECT unit_id, indicator_id, measure, delta, better FROM (
    SELECT unit_id, indicator_id, measure, delta, better,
           ROW_NUMBER() OVER (PARTITION BY unit_id, better ORDER BY ABS(delta) DESC, indicator_id) AS position
    FROM (
        SELECT c.unit_id, c.indicator_id,
               CASE WHEN c.points IS NOT NULL AND p.points IS NOT NULL AND c.points <> p.points
                    THEN 'points' ELSE 'rate' END AS measure,
               CASE WHEN c.points IS NOT NULL AND p.points IS NOT NULL AND c.points <> p.points
                    THEN c.points - p.points ELSE c.rate - p.rate END AS delta,
               CASE WHEN (CASE WHEN c.points IS NOT NULL AND p.points IS NOT NULL AND c.points <> p.points
                               THEN c.points - p.points ELSE c.rate - p.rate END)
                         * (CASE WHEN {lower_is_better} THEN -1 ELSE 1 END) > 0
                    THEN 1 ELSE 0 END AS better
        FROM c JOIN p ON p.unit_id = c.unit_id AND p.indicator_id = c.indicator_id
        WHERE (c.points IS NOT NULL AND p.points IS NOT NULL AND c.points <> p.points)
               OR (c.rate IS NOT NULL AND p.rate IS NOT NULL AND c.rate <> p.rate)
    ) AS paired
) AS ranked
WHERE position <= %s
ORDER BY unit_id, better, position
"""


@contextlib.contextmanager
def _criteria_changes(
    *, span: PeriodSpan, previous: PeriodSpan | None, unit_ids: set[int], criteria, source: type[Score]
):
    """For a month: each unit's criteria that moved most since the previous month (direction-aware).

    Yields a function that returns them. On PostgreSQL the query is sent in pipeline mode when the
    block starts and its answer read when the function is called, so the database pairs the criteria
    while Python builds the rows; the block must make no other query meanwhile (it would only wait)."""
    if not span.is_month or previous is None or not unit_ids:
        yield dict
        return
    current, before = _periods(span), _periods(previous)
    if not current or not before or not criteria:
        yield dict
        return
    ids = sorted(criteria)
    lower = [pk for pk in ids if criteria[pk].direction == Direction.LOWER]
    listed = ", ".join(["%s"] * len(ids))
    sql = _CRITERIA_SQL.format(
        score=connection.ops.quote_name(source._meta.db_table),
        criteria=listed,
        lower_is_better=f"c.indicator_id IN ({', '.join(['%s'] * len(lower))})" if lower else "1 = 0",
    )
    params = [current[0], *ids, before[0], *ids, *lower, WHY_LIMIT]
    if connection.vendor == "postgresql":
        raw = connection.connection
        with connection.wrap_database_errors, raw.pipeline(), raw.cursor() as cursor:
            cursor.execute(sql, params)
            yield lambda: _criteria_rows(cursor.fetchall(), unit_ids, criteria)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    yield lambda: _criteria_rows(rows, unit_ids, criteria)


def _criteria_rows(rows, unit_ids: set[int], criteria) -> dict:
    # Each unit's rows come better and worse apart, the biggest move first: kept in that order.
    changes: dict[int, dict[str, list]] = {}
    for unit_id, indicator_id, measure, delta, better in rows:
        if unit_id not in unit_ids:
            continue
        lists = changes.get(unit_id)
        if lists is None:
            lists = changes[unit_id] = {"better": [], "worse": []}
        # PostgreSQL hands back numeric as it is; SQLite a float. Written without exponent ("10", not "1E+1").
        delta = delta if type(delta) is Decimal else Decimal(str(delta))
        lists["better" if better else "worse"].append(
            {"code": criteria[indicator_id].code, "measure": measure, "change": f"{delta.normalize():f}"}
        )
    return changes


def _why(group_changes: list[tuple]) -> dict:
    """The biggest gains and losses among groups (points); those among criteria come later (`_add_criteria`)."""
    group_changes.sort()
    gained = [{"code": code, "change": str(change)} for change, code in reversed(group_changes) if change > 0]
    lost = [{"code": code, "change": str(change)} for change, code in group_changes if change < 0]
    return {
        "groups_gained": gained[:WHY_LIMIT],
        "groups_lost": lost[:WHY_LIMIT],
        "criteria_better": [],
        "criteria_worse": [],
    }


def _lock(period_key: str, *, public: bool) -> None:
    """Serialise two computations of the same period and set of figures, until the transaction ends
    (PostgreSQL; SQLite serialises writers anyway)."""
    if connection.vendor == "postgresql":
        key = f"{period_key}:{'public' if public else 'working'}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [766, zlib.crc32(key.encode()) & 0x7FFFFFFF])


def _previous_units(
    *, units: dict[int, UnitInfo], previous: PeriodSpan | None, places: UnitPlaces
) -> dict[int, int | None]:
    """Which unit's previous figures a unit is compared with: itself if it existed then; across a merger
    the predecessor, only when exactly one predecessor maps to it; else None (not comparable)."""
    if previous is None:
        return {}
    mapping: dict[int, int | None] = {uid: uid for uid in units}
    last_day = previous.last_day
    new = [uid for uid in units if (start := places.validity[uid][0]) is not None and start > last_day]
    if not new:
        return mapping
    preds: dict[int, list[int]] = defaultdict(list)
    for successor_id, predecessor_id in UnitSuccession.objects.filter(successor_id__in=new).values_list(
        "successor_id", "predecessor_id"
    ):
        preds[successor_id].append(predecessor_id)
    for uid in new:
        mapping[uid] = preds[uid][0] if len(preds[uid]) == 1 else None
    return mapping


def rankings_compute(*, period_key: str, public: bool = False, places: UnitPlaces | None = None) -> int:
    """Compute and store the rankings of a month ("2024-08"), quarter ("2024-Q3") or year ("2024"),
    from the working figures or, with `public`, from the published ones (what the public sees).

    Replaces the period's results of that set in one transaction and returns how many rows it
    stored. Running it twice gives identical rows. Raises PeriodKeyError for a malformed key.
    `places`: the unit tree as `unit_places()` read it, for a caller that computes several periods
    at once (a publication: the month, its quarter and its year); read anew when not given.
    """
    span = period_span(period_key)
    # Read and write under the period's lock: a run that read the figures before an import committed
    # must not replace the rows of a run that read them after (the last to start writes last).
    # The collector is paused for the tens of thousands of small acyclic objects: see config.bulkwork.
    with cyclic_gc_paused(), transaction.atomic():
        _lock(span.key, public=public)
        return _compute(span, public=public, places=places if places is not None else unit_places())


def figure_source(*, public: bool) -> type[Score]:
    """The table a set of rankings is computed from: the current scores, or the published copy."""
    if public:
        from publishing.models import PublicScore  # publishing builds on indicators and rankings

        return PublicScore
    return Score


@dataclass(slots=True)
class Published:
    """What the source itself published about a unit's total: rank ("13/30"), change, rank change."""

    rank: int | None
    rank_of: int | None
    change: Decimal | None
    rank_change: int | None


def _group_sizes(peers: dict[int, tuple]) -> tuple[dict, dict]:
    """How many units valid in the period each peer group holds, and each province (communes): counted
    over `_peer_groups`, which holds every valid unit of the groups that have a ranked unit."""
    groups: dict[tuple, int] = defaultdict(int)
    provinces: dict[int, int] = defaultdict(int)
    for level, parent_id, province_id in peers.values():
        groups[(level, parent_id)] += 1
        if level == Level.COMMUNE and province_id != parent_id:
            provinces[province_id] += 1
    return groups, provinces


@dataclass
class _Month:
    """What one computation of a period reads once and every unit's rows use."""

    span: PeriodSpan
    previous: PeriodSpan | None
    public: bool
    total_id: int
    groups: list[Indicator]
    bands: list[ClassificationBand]
    before: dict[int, UnitInfo]  # last period's figures
    compare_with: dict[int, int | None]  # the unit of last period each unit is compared with
    published: dict[int, Published]
    published_before: dict[int, Published]
    group_size: dict
    province_size: dict
    # Totals of each peer group (level, parent) and province-wide group, best first: what the next rank up needs.
    ladder: dict[tuple, list[Decimal]] = field(default_factory=dict)
    province_ladder: dict[int, list[Decimal]] = field(default_factory=dict)
    # Groups where the source published some units' ranks: among an incomplete set of totals a computed
    # rank for the others could clash with those ("05" computed beside a published "05/30").
    published_groups: set[tuple] = field(default_factory=set)


def _compute(span: PeriodSpan, *, public: bool, places: UnitPlaces) -> int:
    try:
        previous = span.previous()
    except PeriodKeyError:
        previous = None
    try:
        framework = framework_for(day=span.last_day)
    except Framework.DoesNotExist:  # a period before the first catalogue: rank with the earliest one
        framework = Framework.objects.order_by("valid_from").first() or framework_for()
    source = figure_source(public=public)
    indicators = list(Indicator.objects.filter(framework=framework))
    total = next(i for i in indicators if i.kind == IndicatorKind.TOTAL)
    groups = sorted((i for i in indicators if i.kind == IndicatorKind.GROUP), key=lambda i: i.order)
    criteria = {i.pk: i for i in indicators if i.kind == IndicatorKind.CRITERION}
    ranked_ids = [total.pk, *(g.pk for g in groups)]
    total_id = total.pk

    units = period_figures(span=span, indicator_ids=ranked_ids, places=places, source=source)
    # Of the period before, only the total's ranks are quoted (previous rank); groups need their values.
    before = (
        period_figures(span=previous, indicator_ids=ranked_ids, rank_ids={total_id}, places=places, source=source)
        if previous
        else {}
    )
    with_total = {uid: info for uid, info in units.items() if total_id in info.figures}
    peers = _peer_groups(span=span, units=with_total, places=places)
    group_size, province_size = _group_sizes(peers)
    month = _Month(
        span=span,
        previous=previous,
        public=public,
        total_id=total_id,
        groups=groups,
        bands=sorted(ClassificationBand.objects.all(), key=lambda b: b.min_total),
        before=before,
        compare_with=_previous_units(units=with_total, previous=previous, places=places),
        published=_published(span=span, total_id=total_id, source=source),
        published_before=_published(span=previous, total_id=total_id, source=source) if previous else {},
        group_size=group_size,
        province_size=province_size,
    )
    month.ladder, month.province_ladder = _ladders(with_total, total_id)
    month.published_groups = {
        (info.level, info.parent_id)
        for uid, info in with_total.items()
        if month.published.get(uid) is not None and month.published[uid].rank is not None
    }
    rows: list[dict] = []
    changes = _criteria_changes(
        span=span, previous=previous, unit_ids=set(with_total), criteria=criteria, source=source
    )
    with changes as criteria_changes:  # the database pairs the criteria while the rows are built
        for uid, (level, parent_id, province_id) in peers.items():
            rows += _unit_rows(
                month, uid, with_total.get(uid), level=level, parent_id=parent_id, province_id=province_id
            )
        _add_criteria(rows, criteria_changes())

    _replace(span.key, rows, public=public)
    return len(rows)


def _add_criteria(rows: list[dict], changes: dict) -> None:
    """Each peer row's criteria that moved most (`_criteria_changes`), once the database has paired them."""
    for row in rows:
        moved = changes.get(row["unit_id"]) if row["scope"] == RankingResult.Scope.PEER else None
        if moved is not None:
            row["details"]["why"]["criteria_better"] = moved["better"]
            row["details"]["why"]["criteria_worse"] = moved["worse"]


def _ladders(with_total: dict[int, UnitInfo], total_id: int) -> tuple[dict, dict]:
    """Totals of each peer group and of each province-wide group of communes, best first."""
    ladder: dict[tuple, list[Decimal]] = defaultdict(list)
    province_ladder: dict[int, list[Decimal]] = defaultdict(list)
    for info in with_total.values():
        value = info.figures[total_id].value
        ladder[(info.level, info.parent_id)].append(value)
        if info.level == Level.COMMUNE and info.province_id != info.parent_id:
            province_ladder[info.province_id].append(value)
    for values in [*ladder.values(), *province_ladder.values()]:
        values.sort(reverse=True)
    return ladder, province_ladder


def _coverage(month: _Month, *, level: str, parent_id, province_id) -> tuple[dict, dict]:
    """How many units the peer group and the province-wide group hold, and how many of them are ranked."""
    group = (level, parent_id)
    # .get(): reading the defaultdicts must not make a group appear that has no total at all.
    ranked_here, ranked_province = len(month.ladder.get(group, ())), len(month.province_ladder.get(province_id, ()))
    coverage = dict(peer_count=max(month.group_size.get(group, 0), ranked_here), ranked_count=ranked_here)
    province_coverage = dict(
        peer_count=max(month.province_size.get(province_id, 0), ranked_province), ranked_count=ranked_province
    )
    return coverage, province_coverage


def _unit_rows(month: _Month, uid: int, info: UnitInfo | None, *, level: str, parent_id, province_id) -> list[dict]:
    """The unit's peer row and, for a commune ranked province-wide too, its province row."""
    coverage, province_coverage = _coverage(month, level=level, parent_id=parent_id, province_id=province_id)
    province_wide = level == Level.COMMUNE and province_id != parent_id
    if info is None:
        return _rows_without_total(
            month, uid, level=level, parent_id=parent_id, province_id=province_id, province_wide=province_wide,
            coverage=coverage, province_coverage=province_coverage,
        )  # fmt: skip
    span, total_id = month.span, month.total_id
    figure = info.figures[total_id]
    prev_uid = month.compare_with.get(uid)
    prev_info = month.before.get(prev_uid) if prev_uid else None
    prev_figure = prev_info.figures.get(total_id) if prev_info else None
    same_peers = prev_info is not None and (prev_info.level, prev_info.parent_id) == (level, parent_id)
    group_details, group_changes, group_sum = _group_figures(month, info, prev_info)
    ranking = _rank_and_change(
        own=month.published.get(uid), figure=figure, prev_figure=prev_figure, coverage=coverage,
        same_peers=same_peers, published_before=month.published_before.get(prev_uid),
        published_group=(level, parent_id) in month.published_groups,
    )  # fmt: skip
    band, next_band = ClassificationBand.placing(figure.value, month.bands)
    details = _details(
        month, uid, figure, ranking, coverage=coverage, group=(level, parent_id), group_details=group_details,
        group_changes=group_changes, prev_uid=prev_uid, next_band=next_band,
    )  # fmt: skip
    common = dict(
        period_key=span.key,
        public=month.public,
        unit_id=uid,
        level=level,
        total=figure.value,
        previous_total=prev_figure.value if prev_figure else None,
        total_change=ranking.total_change,
        band_id=band.pk if band else None,
        group_sum=group_sum,
        sum_mismatch=group_sum is not None and abs(group_sum - figure.value) > GROUP_ROUNDING * len(month.groups),
        months_count=figure.months,
        comparable=month.previous is None or uid not in month.compare_with or month.compare_with[uid] is not None,
    )
    rows = [
        _row(
            parent_id=parent_id,
            rank=ranking.rank,
            rank_of=ranking.rank_of,
            rank_source=ranking.rank_source,
            previous_rank=ranking.previous_rank,
            rank_change=ranking.rank_change,
            details=details,
            **coverage,
            **common,
        )
    ]
    if province_wide:
        rows.append(_province_row(figure, prev_figure, prev_info, ranking, province_id, province_coverage, common))
    return rows


def _province_row(figure, prev_figure, prev_info, ranking, province_id, province_coverage, common) -> dict:
    """A commune's row among every commune of its province (the district is not its peer group there)."""
    province_rank = figure.province_rank or None
    prev_province_rank = (
        prev_figure.province_rank or None if prev_figure and prev_info.province_id == province_id else None
    )
    return _row(
        scope=RankingResult.Scope.PROVINCE.value,
        parent_id=province_id,
        rank=province_rank,
        rank_of=figure.province_of if province_rank else province_coverage["ranked_count"],
        rank_source=RankSource.COMPUTED if province_rank else "",
        previous_rank=prev_province_rank,
        rank_change=prev_province_rank - province_rank if prev_province_rank and province_rank else None,
        details={"peer_rank": [ranking.rank, ranking.rank_of] if ranking.rank else None},
        **province_coverage,
        **common,
    )


def _rows_without_total(
    month: _Month, uid: int, *, level, parent_id, province_id, province_wide: bool, coverage, province_coverage
) -> list[dict]:
    """A unit of a ranked group without a total: a row with no rank ("chưa có số liệu") in each group it belongs to."""
    rows = []
    if (level, parent_id) in month.ladder:  # a commune listed only province-wide has no peer row
        rows.append(
            _row(
                period_key=month.span.key,
                public=month.public,
                unit_id=uid,
                parent_id=parent_id,
                level=level,
                rank_of=coverage["ranked_count"],
                **coverage,
            )
        )
    if province_wide and province_id in month.province_ladder:
        rows.append(
            _row(
                period_key=month.span.key,
                public=month.public,
                scope=RankingResult.Scope.PROVINCE.value,
                unit_id=uid,
                parent_id=province_id,
                level=level,
                rank_of=province_coverage["ranked_count"],
                **province_coverage,
            )
        )
    return rows


def _group_figures(month: _Month, info: UnitInfo, prev_info: UnitInfo | None) -> tuple[dict, list, Decimal | None]:
    """Each group's points, rank and change, the changes that moved the total, and the groups' sum (all present)."""
    group_details, group_changes, group_values = {}, [], []
    for g_indicator in month.groups:
        g = info.figures.get(g_indicator.pk)
        if g is None:
            continue
        group_values.append(g.value)
        prev_g = prev_info.figures.get(g_indicator.pk) if prev_info else None
        change = g.value - prev_g.value if prev_g else None
        group_details[g_indicator.code] = {
            "points": str(g.value),
            "rank": g.rank or None,
            "rank_of": g.rank_of or None,
            # Both figures carry the published two decimals, and so does their difference.
            "change": None if change is None else str(change),
        }
        if change:
            group_changes.append((change, g_indicator.code))
    group_sum = sum(group_values) if month.groups and len(group_values) == len(month.groups) else None
    return group_details, group_changes, group_sum


@dataclass(frozen=True)
class _Ranking:
    rank: int | None
    rank_of: int
    rank_source: str
    total_change: Decimal | None
    change_source: str
    computed_change: Decimal | None
    previous_rank: int | None
    rank_change: int | None
    withheld: bool = False  # a total, and no rank: its group has published ranks and not every total


def _rank_and_change(
    *, own: Published | None, figure: Figure, prev_figure: Figure | None, coverage: dict, same_peers: bool,
    published_before: Published | None, published_group: bool = False,
) -> _Ranking:  # fmt: skip
    """One rank rule: the source's own rank when the data carries it, else the rank computed among the group's
    units that have a total (never for a group of one), always with its coverage. The same for the change:
    as published when given, else computed from the month before. In a group where the source published
    some ranks but not every unit has a total, the others get no computed rank (`withheld`)."""
    withheld = (
        published_group
        and coverage["ranked_count"] < coverage["peer_count"]
        and (own is None or own.rank is None)
        and bool(figure.rank)
    )
    if own is not None and own.rank is not None:
        rank, rank_of, rank_source = own.rank, own.rank_of or coverage["peer_count"], RankSource.PUBLISHED
    elif figure.rank and not withheld:
        rank, rank_of, rank_source = figure.rank, figure.rank_of, RankSource.COMPUTED
    else:
        rank, rank_of, rank_source = None, coverage["ranked_count"], ""
    computed_change = figure.value - prev_figure.value if prev_figure else None
    total_change, change_source = computed_change, "computed" if computed_change is not None else ""
    if own is not None and own.change is not None:
        total_change, change_source = own.change.quantize(CENT), "published"
    if own is not None and own.rank_change is not None:
        rank_change, previous_rank = own.rank_change, (rank + own.rank_change if rank else None)
    else:
        previous_rank = _previous_rank(
            source=rank_source, prev_figure=prev_figure, same_peers=same_peers, published=published_before
        )
        rank_change = previous_rank - rank if previous_rank and rank else None
    return _Ranking(
        rank, rank_of, rank_source, total_change, change_source, computed_change, previous_rank, rank_change, withheld
    )


def _details(
    month: _Month, uid: int, figure: Figure, ranking: _Ranking, *, coverage: dict, group: tuple, group_details: dict,
    group_changes: list, prev_uid: int | None, next_band: ClassificationBand | None,
) -> dict:  # fmt: skip
    """The row's explanations: group figures, why it moved, what the next rank and band need, sources."""
    complete = coverage["ranked_count"] == coverage["peer_count"]
    # The group's totals run best first and `rank − 1` of them are higher: the last of those is
    # the total to reach for the next rank up (only where the portal holds every unit's total).
    above = (
        month.ladder[group][figure.rank - 2]
        if ranking.rank_source == RankSource.COMPUTED and complete and ranking.rank > 1
        else None
    )
    details = {
        "groups": group_details,
        "why": _why(group_changes),
        "to_next_rank": _dec(above - figure.value) if above is not None else None,
        "next_band": next_band.name if next_band else None,
        "to_next_band": _dec(next_band.min_total - figure.value) if next_band else None,
    }
    if ranking.withheld:  # say why the unit has a total and no rank
        details["rank_withheld"] = "published_incomplete"
    if ranking.change_source:
        details["change_source"] = ranking.change_source
    computed, total_change = ranking.computed_change, ranking.total_change
    if ranking.change_source == "published" and computed is not None and abs(computed - total_change) > CHANGE_ROUNDING:
        details["computed_change"] = str(computed)
    if ranking.rank_source == RankSource.PUBLISHED and figure.rank and figure.rank != ranking.rank:
        details["computed_rank"] = [figure.rank, figure.rank_of]
    if figure.months > 1 or not month.span.is_month:
        details["months"] = figure.months
    if prev_uid is not None and prev_uid != uid:
        details["compared_with_unit"] = prev_uid
    return details


def _previous_rank(*, source: str, prev_figure: Figure | None, same_peers: bool, published: Published | None):
    """Last period's rank of the same kind as this one's (a published rank is compared with a published one)."""
    if source == RankSource.PUBLISHED:
        return published.rank if published is not None else None
    if source == RankSource.COMPUTED and prev_figure is not None and same_peers:
        return prev_figure.rank or None
    return None


_COPY_FIELDS = [f for f in RankingResult._meta.concrete_fields if not f.primary_key]
_DEFAULTS = {f.attname: f.get_default() for f in _COPY_FIELDS}


def _row(**fields) -> dict:
    """One result row as plain values (cheaper than a model instance for thousands of rows)."""
    return {**_DEFAULTS, **fields}


def _replace(period_key: str, rows: list[dict], *, public: bool) -> None:
    """Delete the period's old rows of the set with one statement (Django's delete() would first load
    every row and send a signal for each), insert the new ones, and let cached pages know once."""
    table = connection.ops.quote_name(RankingResult._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE period_key = %s AND public = %s", [period_key, public])
    _store(rows)
    transaction.on_commit(lambda: results_replaced.send(sender=RankingResult, period_key=period_key))


def _store(rows: list[dict]) -> None:
    """Insert the rows: PostgreSQL's COPY where available (a bulk INSERT spends most of its time
    quoting the JSON details into arrays), a bulk INSERT elsewhere."""
    if connection.vendor != "postgresql":
        RankingResult.objects.bulk_create([RankingResult(**row) for row in rows], batch_size=2000)
        return
    table = connection.ops.quote_name(RankingResult._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _COPY_FIELDS)
    names = [f.attname for f in _COPY_FIELDS]
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            row["details"] = orjson.dumps(row["details"]).decode()
            copy.write_row([row[name] for name in names])


def _peer_groups(*, span: PeriodSpan, units: dict[int, UnitInfo], places: UnitPlaces) -> dict[int, tuple]:
    """Every unit valid in the period that shares a peer group with a ranked unit: (level, parent, province).

    Units without a total get a row too ("chưa có số liệu"); for legacy communes that includes the
    other communes of the province, which the province-wide scope lists.
    """
    groups = {(info.level, info.parent_id) for info in units.values()}
    provinces = {i.province_id for i in units.values() if i.level == Level.COMMUNE and i.province_id != i.parent_id}
    peers = {}
    for pk in chain.from_iterable(
        [*(places.members.get(group, ()) for group in groups), *(places.communes.get(p, ()) for p in provinces)]
    ):
        if pk not in peers and places.is_valid(pk, span):
            peers[pk] = places.place[pk]
    for uid, info in units.items():
        peers[uid] = (info.level, info.parent_id, info.province_id)
    return peers


def _published(*, span: PeriodSpan, total_id: int, source: type[Score]) -> dict[int, Published]:
    """What the data says the source published about each unit's total in a month (rank, changes)."""
    if not span.is_month:
        return {}
    rows = (
        source.objects.filter(period_id__in=_periods(span), indicator_id=total_id)
        .filter(Q(rank__isnull=False) | Q(change__isnull=False) | Q(rank_change__isnull=False))
        .values_list("unit_id", "rank", "rank_of", "change", "rank_change")
    )
    return {uid: Published(rank, of, change, rank_change) for uid, rank, of, change, rank_change in rows}


def rankings_enqueue(*, period_key: str, public: bool = False) -> RankingRun:
    """Record a queued run for the period and send it to Celery once the current transaction commits.

    Callers inside a transaction (an import being applied) thus never have the task read data that
    is not committed yet. Without a broker (embedded default) Celery runs the task in process.
    """
    key = period_span(period_key).key
    run = RankingRun.objects.create(period_key=key, public=public, task_id=str(uuid.uuid4()))
    enqueue(COMPUTE_TASK, args=[run.pk], task_id=run.task_id, on_unsent=lambda exc: _unsent(run.pk, exc))
    return run


def _unsent(run_id: int, exc: Exception) -> None:
    """The broker is down: the run stays queued, with the reason, until the sweeper sends it again."""
    RankingRun.objects.filter(pk=run_id, state=RankingRun.State.QUEUED).update(
        error=_("Đang chờ hàng đợi (chưa gửi được: %(error)s)") % {"error": exc}
    )


def rankings_requeue_stale(*, older_than: datetime.timedelta | None = None) -> int:
    """Send again the runs still queued after `older_than` (a broker outage, a lost message).

    Safe to repeat: the task is idempotent, and a run that completes twice stores the same rows.
    Returns how many runs were handed to the broker.
    """
    stale = RankingRun.objects.filter(state=RankingRun.State.QUEUED, created_at__lte=stale_before(older_than)).order_by(
        "pk"
    )
    return sum(
        send(COMPUTE_TASK, args=[run.pk], task_id=run.task_id, on_unsent=lambda exc, pk=run.pk: _unsent(pk, exc))
        for run in stale
    )


def rankings_enqueue_for_unit(*, unit) -> list[RankingRun]:
    """After a unit changes (validity, parent): queue every month in which its peer group has figures,
    for both sets of figures (the group's coverage changes for the public too)."""
    peers = AdministrativeUnit.objects.filter(parent_id=unit.parent_id)
    keys = periods_with_scores(units=peers)
    return [rankings_enqueue(period_key=key, public=public) for public in (False, True) for key in keys]


def spans_affected_by(*, period: Period, public: bool = False) -> list[PeriodSpan]:
    """What a change of the month's figures changes: the month, its quarter and its year, and the
    month, quarter and year after each of them where they have figures (their changes and previous
    ranks are measured against this one)."""
    spans = period_span(period.key).containing()
    source = figure_source(public=public)
    later = [span for span in (span.following() for span in spans) if _has_scores(span, source)]
    return [*spans, *later]


def rankings_enqueue_for_month(*, period: Period) -> list[RankingRun]:
    """Queue the working rankings an import of the month changes (see `spans_affected_by`)."""
    return [rankings_enqueue(period_key=span.key) for span in spans_affected_by(period=period)]


def _has_scores(span: PeriodSpan, source: type[Score] = Score) -> bool:
    period_ids = _periods(span)
    return bool(period_ids) and source.objects.filter(period_id__in=period_ids).exists()


def ranking_run_execute(*, run_id: int) -> RankingRun:
    """Run a queued computation, recording running → done (or failed with the reason) for staff to see."""
    run = RankingRun.objects.get(pk=run_id)
    RankingRun.objects.filter(pk=run.pk).update(
        state=RankingRun.State.RUNNING, started_at=timezone.now(), finished_at=None, error=""
    )
    count = rankings_compute(period_key=run.period_key, public=run.public)
    RankingRun.objects.filter(pk=run.pk).update(
        state=RankingRun.State.DONE, finished_at=timezone.now(), result_count=count, error=""
    )
    run.refresh_from_db()
    return run


def ranking_run_fail(*, run_id: int, reason: str) -> None:
    RankingRun.objects.filter(pk=run_id).update(
        state=RankingRun.State.FAILED, finished_at=timezone.now(), error=reason[:2000]
    )


def periods_with_scores(*, units=None) -> list[str]:
    """Every month with a total (of `units`, if given), then the quarters and years they fall in."""
    scores = Score.objects.filter(indicator__kind=IndicatorKind.TOTAL)
    if units is not None:
        scores = scores.filter(unit__in=units)
    months = scores.values_list("period__year", "period__month").distinct().order_by("period__year", "period__month")
    keys: list[str] = []
    for year, month in months:
        for span in period_span(f"{year}-{month:02d}").containing():
            if span.key not in keys:
                keys.append(span.key)
    return keys
