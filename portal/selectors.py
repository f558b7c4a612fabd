"""Reads for the public pages. Pages never compute rankings, and never read the working figures: every
figure and rank here comes through the publication gate (`publishing.selectors`)."""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, F, Q

from indicators.models import Indicator, IndicatorKind, Period
from indicators.periods import PeriodSpan, month_key, period_span_or_none
from indicators.selectors import catalogue, framework_for
from publishing import selectors as gate
from rankings.models import RankingResult
from units.collation import by_name, name_key
from units.models import AdministrativeUnit, Level
from units.names import fold
from units.selectors import AmbiguousUnit, UnitNotFound, unit_lookup

UNIT_RELATED = ("parent__parent__parent",)


def by_version(name: str, *parts, compute):
    """A read kept in the shared cache until published data changes (the key holds the data version).

    For the small facts every page needs (which periods and levels exist, what is published, the
    catalogue's groups), so that a page the cache has not seen still reads only its own rows.
    """
    from .caching import current_version

    version, _latest = current_version()
    key = "portal:v:" + hashlib.sha256(repr((version, name, parts)).encode()).hexdigest()[:40]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, 3600)
    return value


def home_unit(request=None) -> AdministrativeUnit | None:
    """The unit named by PORTAL_HOME_UNIT, or None when it is not (yet) in the database.

    Looked up once per request: the view and the page header share the answer. (Not kept in the
    shared cache, so that every page's query count is the same whatever ran before it.)
    """
    if request is not None and hasattr(request, "_portal_home_unit"):
        return request._portal_home_unit
    unit = None
    for day in (datetime.date(2024, 12, 31), None):
        try:
            unit = unit_lookup(text=settings.PORTAL_HOME_UNIT, on=day)
            break
        except (UnitNotFound, AmbiguousUnit):
            continue
    if request is not None:
        request._portal_home_unit = unit
    return unit


def unit_ref(unit: AdministrativeUnit) -> str:
    """How a unit is named in query strings: its tree and code ("legacy.332"), since codes are reused."""
    return f"{unit.tree}.{unit.code}"


def unit_by_ref(ref: str | None) -> AdministrativeUnit | None:
    tree, _, code = (ref or "").partition(".")
    if not tree or not code:
        return None
    return AdministrativeUnit.objects.select_related(*UNIT_RELATED).filter(tree=tree, code=code).first()


def ancestors(unit: AdministrativeUnit | None) -> list[AdministrativeUnit]:
    """The unit's ancestors, the top first (uses the already selected parents where it can)."""
    chain = []
    current = unit.parent if unit else None
    while current is not None:
        chain.insert(0, current)
        current = current.parent
    return chain


# --- what is visible ------------------------------------------------------------------------------


def visible_keys(*, keys: set[str]) -> list[PeriodSpan]:
    """The public period keys, parsed, newest first (keys come from `gate.public_period_keys`)."""
    parsed = [p for p in (period_span_or_none(k) for k in keys) if p is not None]
    return sorted(parsed, key=lambda p: p.sort_key, reverse=True)


# --- rankings -------------------------------------------------------------------------------------


def ranking_scope(*, parent: AdministrativeUnit | None, level: str) -> str:
    """Communes under a province are ranked province-wide; everything else among peers."""
    if parent is not None and parent.level == Level.PROVINCE and level == Level.COMMUNE:
        return RankingResult.Scope.PROVINCE
    return RankingResult.Scope.PEER


def ranking_levels(*, parent: AdministrativeUnit | None) -> list[str]:
    """Levels that have stored results under `parent` (in display order)."""
    return by_version("levels", parent.pk if parent else None, compute=lambda: _ranking_levels(parent=parent))


def _ranking_levels(*, parent: AdministrativeUnit | None) -> list[str]:
    stored = gate.public_levels(parent=parent)
    order = [Level.PROVINCE, Level.DEPARTMENT, Level.DISTRICT, Level.COMMUNE]
    return [str(level) for level in order if level in stored]


def ranking_period_keys(*, parent: AdministrativeUnit | None, level: str, scope: str) -> set[str]:
    return by_version(
        "keys",
        parent.pk if parent else None,
        level,
        scope,
        compute=lambda: _ranking_period_keys(parent=parent, level=level, scope=scope),
    )


def _ranking_period_keys(*, parent: AdministrativeUnit | None, level: str, scope: str) -> set[str]:
    return gate.public_period_keys(parent=parent, level=level, scope=scope)


def unit_ranking(*, period_key: str, parent: AdministrativeUnit | None, level: str, scope: str, q: str = ""):
    """The public ranking of a peer group, in rank order, then by name in Vietnamese order (units without
    a rank last)."""
    results = gate.public_results().filter(period_key=period_key, parent=parent, level=level, scope=scope)
    folded = fold(q or "")
    if folded:
        results = results.filter(unit__search_name__contains=folded)
    return (
        results.select_related("unit", "band")
        .only(
            *("period_key", "scope", "unit_id", "parent_id", "level", "total", "rank", "rank_of", "total_change"),
            *("rank_change", "band_id", "months_count", "comparable", "details"),
            *("rank_source", "peer_count", "ranked_count"),
            *("unit__tree", "unit__code", "unit__name", "unit__short_name", "unit__latitude", "unit__longitude"),
            "unit__level",
            *("band__name", "band__colour", "band__min_total"),
        )
        .order_by(F("rank").asc(nulls_last=True), by_name("unit__name"))
    )


def group_indicators() -> list[Indicator]:
    def compute():
        framework = framework_for()
        return [i for i in catalogue(framework=framework) if i.kind == IndicatorKind.GROUP]

    return by_version("groups", compute=compute)


def indicator_names() -> dict[str, str]:
    """Code → name of every indicator of the current catalogue."""

    def compute():
        return {i.code: i.name for i in catalogue(framework=framework_for())}

    return by_version("indicator-names", compute=compute)


def _months_q(pkey: PeriodSpan, prefix: str = "period__") -> Q:
    q = Q()
    for year, month in pkey.months:
        q |= Q(**{f"{prefix}year": year, f"{prefix}month": month})
    return q


def group_points(*, unit_ids: list[int], pkey: PeriodSpan) -> dict[int, dict[str, Decimal]]:
    """Each unit's group points in the period (the mean of the months for a quarter or a year)."""
    rows = (
        gate.public_scores()
        .filter(_months_q(pkey), unit_id__in=unit_ids, indicator__kind=IndicatorKind.GROUP)
        .values("unit_id", "indicator__code")
        .annotate(points=Avg("points"))
        .order_by()
    )
    points: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        if row["points"] is not None:
            points[row["unit_id"]][row["indicator__code"]] = Decimal(row["points"]).quantize(Decimal("0.01"))
    return points


def data_as_of(*, unit_ids: list[int], pkey: PeriodSpan) -> tuple[datetime.datetime | None, bool]:
    """When the published figures shown were taken (the latest snapshot among them) and whether any is demo data."""
    return gate.public_data_as_of(unit_ids=unit_ids, months=pkey.months)


# --- unit profile ---------------------------------------------------------------------------------


@dataclass
class HistoryPoint:
    """One month of a unit's (or a predecessor's) stored result."""

    pkey: PeriodSpan
    result: RankingResult
    is_predecessor: bool


@dataclass
class UnitProfile:
    unit: AdministrativeUnit
    pkey: PeriodSpan | None
    result: RankingResult | None
    province_result: RankingResult | None
    groups: list[dict] = field(default_factory=list)
    weakest: list[dict] = field(default_factory=list)
    history: list[HistoryPoint] = field(default_factory=list)
    group_history: dict[str, list[tuple[str, Decimal | None]]] = field(default_factory=dict)
    children: list[AdministrativeUnit] = field(default_factory=list)
    predecessors: list[AdministrativeUnit] = field(default_factory=list)
    successors: list[AdministrativeUnit] = field(default_factory=list)
    available: list[PeriodSpan] = field(default_factory=list)
    data_as_of: datetime.datetime | None = None
    is_demo: bool = False


def unit_get(*, tree: str, code: str) -> AdministrativeUnit | None:
    return AdministrativeUnit.objects.select_related(*UNIT_RELATED).filter(tree=tree, code=code).first()


def lineage(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The unit's predecessors and theirs (two generations cover the 2024 and 2025 mergers)."""
    found: dict[int, AdministrativeUnit] = {}
    frontier = [unit.pk]
    for _ in range(3):
        nxt = list(
            AdministrativeUnit.objects.filter(successor_links__successor_id__in=frontier).select_related(*UNIT_RELATED)
        )
        nxt = [u for u in nxt if u.pk not in found and u.pk != unit.pk]
        if not nxt:
            break
        for u in nxt:
            found[u.pk] = u
        frontier = [u.pk for u in nxt]
    return list(found.values())


def unit_profile(*, unit: AdministrativeUnit, period_key: str | None) -> UnitProfile | None:
    """Everything the unit page shows, as published; None when the asked period is not public."""
    lineage_units = lineage(unit)
    everyone = [unit, *lineage_units]
    results = list(
        gate.public_results()
        .filter(unit__in=everyone, scope=RankingResult.Scope.PEER)
        .select_related("band", "parent", "unit")
        .order_by("period_key")
    )
    available = visible_keys(keys={r.period_key for r in results if r.unit_id == unit.pk})
    pkey = None
    if period_key:
        pkey = period_span_or_none(period_key)
        if pkey is None or pkey.key not in {p.key for p in available}:
            return None
    elif available:
        # The default is the latest month with the unit's own figures: a month in which only its
        # peers reported (a row "chưa có số liệu") is listed, but not opened first.
        with_total = {r.period_key for r in results if r.unit_id == unit.pk and r.total is not None}
        months = [p for p in available if p.kind == "month"]
        pkey = next((p for p in months if p.key in with_total), None) or (months or available)[0]

    history = []
    for r in results:
        p = period_span_or_none(r.period_key)
        if p is None or p.kind != "month":
            continue
        history.append(HistoryPoint(pkey=p, result=r, is_predecessor=r.unit_id != unit.pk))
    history.sort(
        key=lambda h: (h.pkey.sort_key, h.is_predecessor, name_key(h.result.unit.name) if h.is_predecessor else b"")
    )

    result = next((r for r in results if r.unit_id == unit.pk and pkey and r.period_key == pkey.key), None)
    province_result = None
    if pkey is not None:
        province_result = (
            gate.public_results()
            .filter(unit=unit, period_key=pkey.key, scope=RankingResult.Scope.PROVINCE)
            .select_related("parent")
            .first()
        )
    profile = UnitProfile(
        unit=unit,
        pkey=pkey,
        result=result,
        province_result=province_result,
        history=history,
        available=available,
        predecessors=lineage_units,
        successors=list(unit.successors.select_related("parent").order_by(by_name())),
    )
    day = pkey.last_day if pkey else datetime.date.today()
    profile.children = list(unit.children.valid_on(day).order_by(by_name())) if pkey else []
    if pkey is not None:
        profile.groups, profile.weakest = _breakdown(unit=unit, pkey=pkey)
        profile.data_as_of, profile.is_demo = data_as_of(unit_ids=[unit.pk], pkey=pkey)
    profile.group_history = _group_history(unit=unit, months=[h.pkey for h in history if not h.is_predecessor])
    return profile


def _breakdown(*, unit: AdministrativeUnit, pkey: PeriodSpan) -> tuple[list[dict], list[dict]]:
    """Group points against their maximum, and the criteria furthest from full marks."""
    scores = (
        gate.public_scores()
        .filter(_months_q(pkey), unit=unit, indicator__kind__in=[IndicatorKind.GROUP, IndicatorKind.CRITERION])
        .values(
            "indicator_id",
            "indicator__code",
            "indicator__name",
            "indicator__kind",
            "indicator__max_points",
            "indicator__direction",
            "indicator__order",
            "indicator__parent__name",
        )
        .annotate(points=Avg("points"), rate=Avg("rate"))
        .order_by("indicator__order")
    )
    groups, criteria = [], []
    for s in scores:
        row = {
            "code": s["indicator__code"],
            "name": s["indicator__name"],
            "group": s["indicator__parent__name"],
            "max": s["indicator__max_points"],
            "points": None if s["points"] is None else Decimal(s["points"]).quantize(Decimal("0.01")),
            "rate": None if s["rate"] is None else Decimal(s["rate"]).quantize(Decimal("0.01")),
            "direction": s["indicator__direction"],
        }
        if s["indicator__kind"] == IndicatorKind.GROUP:
            # The published rate when there is one, else points against the maximum.
            row["share"] = row["rate"]
            if row["points"] is not None and row["max"]:
                row["share"] = (
                    row["share"]
                    if row["share"] is not None
                    else (row["points"] / row["max"] * 100).quantize(Decimal("0.1"))
                )
                row["missing"] = row["max"] - row["points"]
            groups.append(row)
        elif row["rate"] is not None:
            # How far from the best: a "lower is better" rate is at its best at 0 %.
            row["gap"] = row["rate"] if row["direction"] == "lower" else Decimal(100) - row["rate"]
            criteria.append(row)
    weakest = sorted((c for c in criteria if c["gap"] > 0), key=lambda c: c["gap"], reverse=True)[:5]
    return groups, weakest


def _group_history(*, unit: AdministrativeUnit, months: list[PeriodSpan]) -> dict[str, list]:
    if not months:
        return {}
    q = Q()
    for p in months:
        q |= Q(period__year=p.year, period__month=p.number)
    rows = (
        gate.public_scores()
        .filter(q, unit=unit, indicator__kind=IndicatorKind.GROUP)
        .values_list("indicator__code", "period__year", "period__month", "points")
    )
    found = {(code, month_key(y, m)): pts for code, y, m, pts in rows}
    codes = sorted({code for code, _ in found})
    return {code: [(p.short_label, found.get((code, p.key))) for p in months] for code in codes}


# --- other pages ------------------------------------------------------------------------------------


def results_for_units(*, units: list[AdministrativeUnit], period_key: str) -> dict[int, RankingResult]:
    rows = gate.public_results().filter(unit__in=units, period_key=period_key, scope=RankingResult.Scope.PEER)
    return {r.unit_id: r for r in rows.select_related("band")}


def month_log(*, pkey: PeriodSpan):
    """The corrections log of a month: every publish, republish and withdrawal, newest first."""
    period = Period.objects.filter(year=pkey.year, month=pkey.number).first()
    return gate.publication_log(period=period) if period else []


def published_events():
    """The latest publications, newest first (the Atom feed)."""
    return gate.published_events()


def periods_with_data() -> list[Period]:
    """Months with published figures, newest first (the methodology page's log links)."""
    ids = gate.public_scores().values("period_id").distinct()
    return list(Period.objects.filter(pk__in=ids).order_by("-year", "-month"))
