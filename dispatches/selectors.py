"""Reads for dispatches: the typed snapshot of the month's figures a dispatch quotes, stored rankings, who may act."""

import datetime
from collections import defaultdict

from django.db.models import F, Q

from accounts.permissions import units_within_reach, user_can
from indicators.models import ClassificationBand, ImportRevision, IndicatorKind, IndicatorRole, Period, Score
from indicators.selectors import catalogue, framework_for, unit_ancestor_ids
from publishing import selectors as gate
from rankings.models import RankingResult
from rankings.ranks import appendix_note, is_complete, rank_fraction
from rankings.services import figure_source
from units.collation import by_name, name_key
from units.models import AdministrativeUnit, Level

from . import snapshot as s
from .models import Dispatch, IssuerProfile, SignedDispatch, UpstreamDocument
from .snapshot import COUNT_ROLES, DIGITISE_ROLES, OVERDUE_ROLES, PAKN_ROLES

# Dispatch actions → the portal-wide permission that covers them (accounts.permissions).
ACTIONS = {
    "view": "draft_dispatch",
    "edit": "draft_dispatch",
    "download": "draft_dispatch",
    "finalise": "finalise_dispatch",
    "publish": "finalise_dispatch",
    "attach": "draft_dispatch",  # the clerk (văn thư) uploads what the leader signed
}


def dispatch_allowed(*, user, unit: AdministrativeUnit, action: str) -> bool:
    """Whether `user` may do `action` on dispatches of `unit`: a superuser, or a fitting role on it or an ancestor."""
    return user_can(user, ACTIONS[action], unit)


def dispatches_for_user(*, user):
    """Dispatches of the units the user is assigned to (or every one for a superuser), newest month first."""
    dispatches = Dispatch.objects.select_related("unit", "period")
    if user.is_superuser:
        return dispatches
    return dispatches.filter(unit__in=units_within_reach(user, action="draft_dispatch"))


def published_dispatch(*, unit_code: str, period: Period) -> Dispatch | None:
    """The public dispatch of the unit with this code for the month (through the publication gate: a
    dispatch whose month was withdrawn is not public)."""
    return gate.public_dispatches(period=period).filter(unit__code=unit_code).select_related("signed").first()


def published_dispatches(*, period: Period | None = None):
    """Public dispatches, newest month first (optionally of one month), for the public list."""
    return gate.public_dispatches(period=period).select_related("signed")


def issuer_profile(*, unit: AdministrativeUnit) -> IssuerProfile:
    """The unit's letterhead; an unsaved default built from its name when none was entered."""
    try:
        return unit.issuer_profile
    except IssuerProfile.DoesNotExist:
        # A people's committee heads its own letterhead; a department writes its province's committee above it.
        parent = unit.parent if unit.level == "department" else None
        return IssuerProfile(
            unit=unit,
            parent_authority=f"ỦY BAN NHÂN DÂN {parent.name}".upper() if parent else "",
            issuing_body=f"ỦY BAN NHÂN DÂN\n{unit.name.upper()}",
            place=unit.short_name,
        )


def public_file(dispatch: Dispatch):
    """The file the public gets for a published dispatch: the signed copy once there is one, never the unsigned."""
    signed = signed_copy(dispatch=dispatch)
    return signed.pdf if signed is not None else dispatch.pdf


def signed_copy(*, dispatch: Dispatch) -> SignedDispatch | None:
    try:
        return dispatch.signed
    except SignedDispatch.DoesNotExist:
        return None


def upstream_documents(*, unit: AdministrativeUnit, period: Period):
    """The month's upstream documents a unit's dispatch cites: those entered for it or for a unit above it."""
    return UpstreamDocument.objects.filter(period=period, scope_id__in=unit_ancestor_ids(unit)).order_by(
        "issued_on", "pk"
    )


def upstream_pattern(*, scope: AdministrativeUnit, period: Period) -> list[UpstreamDocument]:
    """The documents entered for the scope in the latest earlier month: the pattern a new month is offered."""
    earlier = (
        UpstreamDocument.objects.filter(scope=scope)
        .filter(Q(period__year__lt=period.year) | Q(period__year=period.year, period__month__lt=period.month))
        .select_related("period")
        .order_by("-period__year", "-period__month")
        .first()
    )
    if earlier is None:
        return []
    return list(UpstreamDocument.objects.filter(scope=scope, period=earlier.period).select_related("period"))


def ranking_rows(*, period_key: str, parent: AdministrativeUnit, public: bool):
    """The peer ranking of `parent`'s subordinate units for the period, in rank order (unranked last, by
    name in Vietnamese order), from the published figures or the working ones."""
    return (
        RankingResult.objects.filter(
            public=public, period_key=period_key, scope=RankingResult.Scope.PEER, parent=parent
        )
        .select_related("unit", "band")
        .order_by(F("rank").asc(nulls_last=True), by_name("unit__name"))
    )


def unit_ranking(*, period_key: str, unit: AdministrativeUnit, public: bool) -> RankingResult | None:
    return (
        RankingResult.objects.filter(public=public, period_key=period_key, scope=RankingResult.Scope.PEER, unit=unit)
        .select_related("band")
        .first()
    )


def _previous_period(period: Period) -> Period | None:
    year, month = period.previous_key()
    return Period.objects.filter(year=year, month=month).first()


def _peer_word(level: str) -> str:
    return {
        Level.PROVINCE: "tỉnh, thành phố",
        Level.DISTRICT: "huyện/thị xã/thành phố",
        Level.COMMUNE: "xã, phường, thị trấn",
        Level.DEPARTMENT: "sở, ban, ngành",
    }.get(level, "đơn vị")


def _kinds_word(units: list) -> str:
    """ "xã, thị trấn" from the kinds of the subordinate units, in the order the references use."""
    order = ["quận", "huyện", "thị xã", "thành phố", "xã", "phường", "thị trấn"]
    present = {u.kind.lower() for u in units}
    words = [k for k in order if k in present] or ["đơn vị"]
    return ", ".join(words)


def _unit_name(unit: AdministrativeUnit) -> s.UnitName:
    return s.UnitName(code=unit.code, name=unit.name, short_name=unit.short_name, kind=unit.kind, level=unit.level)


def _figure(score: Score | None) -> s.Figure:
    if score is None:
        return s.Figure()
    return s.Figure(
        points=score.points, rate=score.rate, count=score.count, change_text=score.change_text, change=score.change
    )


def _difference(now, before):
    return now - before if now is not None and before is not None else None


def _issuer(unit: AdministrativeUnit) -> s.Issuer:
    profile = issuer_profile(unit=unit)
    return s.Issuer(
        parent_authority=profile.parent_authority,
        issuing_body=profile.issuing_body,
        symbol=profile.symbol,
        place=profile.place,
        signer_authority=profile.signer_authority,
        signer_role=profile.signer_role,
        signer_name=profile.signer_name,
    )


def dispatch_rank(*, ranking: RankingResult | None) -> s.Rank | None:
    """The rank a dispatch quotes, by the one rank rule (rankings.ranks): the published rank, or a rank
    computed among every unit of the group; never a rank of an incomplete group or of a group of one."""
    if ranking is None or not is_complete(ranking):
        return None
    return s.Rank(
        rank=ranking.rank,
        of=ranking.rank_of,
        published=ranking.rank_source == "published",
        change=ranking.rank_change,
    )


def _lines(indicators: list, own: dict[int, Score], before: dict[int, Score]) -> tuple[list[s.Line], list[s.Line]]:
    """The issuing unit's groups and criteria that have a figure, in catalogue order."""
    groups, criteria = [], []
    for indicator in indicators:
        if indicator.kind not in (IndicatorKind.GROUP, IndicatorKind.CRITERION) or indicator.pk not in own:
            continue
        score, previous = own[indicator.pk], before.get(indicator.pk)
        line = s.Line(
            code=indicator.code,
            role=indicator.role,
            name=indicator.name,
            short_name=indicator.short_name or indicator.name,
            max_points=indicator.max_points,
            measure=indicator.measure,
            count_unit=indicator.count_unit,
            direction=indicator.direction,
            parent=indicator.parent.code if indicator.parent else None,
            figure=_figure(score),
            change_points=_difference(score.points, previous.points) if previous else None,
            change_rate=_difference(score.rate, previous.rate) if previous else None,
        )
        (groups if indicator.kind == IndicatorKind.GROUP else criteria).append(line)
    return groups, criteria


def _columns(group_indicators: list, sub_scores: dict, unit_ids: list[int]) -> list[s.Column]:
    """The groups shown beside the ranking: by points where any unit has points, else by rate."""
    columns = []
    for indicator in group_indicators:
        scores = [sub_scores[uid].get(indicator.pk) for uid in unit_ids]
        has_points = any(sc is not None and sc.points is not None for sc in scores)
        has_rate = any(sc is not None and sc.rate is not None for sc in scores)
        if has_points or has_rate:
            name = indicator.short_name or indicator.name
            columns.append(s.Column(code=indicator.code, name=name, measure="points" if has_points else "rate"))
    return columns


def _ranked(
    rows: list[RankingResult], sub_scores: dict, columns: list[s.Column], ids: dict, code_ids: dict
) -> list[s.RankedUnit]:
    progress = ids.get(IndicatorRole.PROGRESS)
    ranked = []
    for row in rows:
        scores = sub_scores[row.unit_id]
        progress_score = scores.get(progress)
        ranked.append(
            s.RankedUnit(
                unit=_unit_name(row.unit),
                total=row.total,
                total_change=row.total_change,
                rank=row.rank,
                rank_of=row.rank_of,
                # A rank change beside a rank the appendix does not print would quote it all the same.
                rank_change=row.rank_change if rank_fraction(row) else None,
                band=row.band.name if row.band else "",
                groups={
                    c.code: getattr(scores[code_ids[c.code]], c.measure) if code_ids[c.code] in scores else None
                    for c in columns
                },
                progress_rate=progress_score.rate if progress_score else None,
                rank_label=rank_fraction(row) or "",
            )
        )
    return ranked


def _count_rows(children: list, sub_scores: dict, roles: list[str], ids: dict) -> list[s.CountRow]:
    """Units with any of the counts, by name; the caller orders them as the appendix does."""
    rows = []
    for child in sorted(children, key=lambda u: name_key(u.name)):
        scores = sub_scores[child.pk]
        counts = {role: scores[ids[role]].count for role in roles if role in ids and ids[role] in scores}
        if any(counts.values()):
            rows.append(s.CountRow(unit=_unit_name(child), counts=counts))
    return rows


def _revisions(*, current_ids: set[int], unit_ids: list[int], previous: Period | None, source=Score) -> tuple:
    """When the quoted figures were taken (the latest data-as-of of the month's revisions) and whether any
    of them, or of last month's that the changes are measured against, is demo data."""
    earlier = source.objects.filter(unit_id__in=unit_ids, period=previous).values("revision_id") if previous else []
    rows = list(
        ImportRevision.objects.filter(Q(pk__in=current_ids) | Q(pk__in=earlier)).values_list(
            "pk", "data_as_of", "is_demo"
        )
    )
    as_of = max((when for pk, when, _demo in rows if pk in current_ids), default=None)
    return as_of, any(demo for _pk, _when, demo in rows)


def _own_scores(*, unit, period: Period, previous: Period | None, framework, source=Score) -> tuple[dict, dict]:
    """The issuing unit's scores of the month and of the month before, by indicator id (one query)."""
    own, before = {}, {}
    months = [p for p in (period, previous) if p]
    for score in source.objects.filter(unit=unit, period__in=months, indicator__framework=framework):
        (own if score.period_id == period.pk else before)[score.indicator_id] = score
    return own, before


def _change_and_band(*, ranking, total: Score | None, previous_total: Score | None):
    """The total's change (the stored ranking's, else this month's points less last month's) and its band."""
    change = ranking.total_change if ranking and ranking.total_change is not None else None
    if change is None and total is not None and previous_total is not None:
        change = _difference(total.points, previous_total.points)
    band = ranking.band if ranking and ranking.band else None
    if band is None and total is not None:
        band = ClassificationBand.band_for(total.points, list(ClassificationBand.objects.all()))
    return change, band


def _sub_scores(
    *, unit_ids: set[int], period: Period, indicator_ids: list[int], source=Score
) -> dict[int, dict[int, Score]]:
    """The subordinate units' scores of the month, by unit id then indicator id (one query)."""
    by_unit: dict[int, dict[int, Score]] = defaultdict(dict)
    for score in source.objects.filter(unit_id__in=unit_ids, period=period, indicator_id__in=indicator_ids):
        by_unit[score.unit_id][score.indicator_id] = score
    return by_unit


def _counts(children: list, sub_scores: dict, ids: dict) -> dict[str, list[s.CountRow]]:
    """The appendices' count tables: overdue dossiers (most first), overdue feedback (most first), undigitised."""
    overdue_total = IndicatorRole.OVERDUE_TOTAL
    return {
        "overdue": sorted(
            _count_rows(children, sub_scores, OVERDUE_ROLES, ids),
            key=lambda r: (-(r.get(overdue_total) or 0), name_key(r.unit.name)),
        ),
        "pakn": sorted(
            _count_rows(children, sub_scores, PAKN_ROLES, ids),
            key=lambda r: (-r.sum(PAKN_ROLES), name_key(r.unit.name)),
        ),
        "digitise": _count_rows(children, sub_scores, DIGITISE_ROLES, ids),
    }


# Longer than 60 lines on purpose: it only assembles the snapshot from the small readers above, in the document's
# order, with the query count pinned.
def dispatch_data(*, unit: AdministrativeUnit, period: Period, public: bool = False) -> s.DispatchData:
    """Everything a dispatch quotes for the unit and month, read in a fixed number of queries: the
    published figures (`public`, what a final dispatch freezes) or the working ones (a draft)."""
    source = figure_source(public=public)  # the published copy has the same columns as the scores
    framework = framework_for(day=period.last_day)
    indicators = list(catalogue(framework=framework))
    ids = {i.role: i.pk for i in indicators if i.role}
    code_ids = {i.code: i.pk for i in indicators}
    total_indicator = next((i for i in indicators if i.kind == IndicatorKind.TOTAL), None)
    group_indicators = [i for i in indicators if i.kind == IndicatorKind.GROUP]
    previous = _previous_period(period)
    own, own_previous = _own_scores(unit=unit, period=period, previous=previous, framework=framework, source=source)
    total_score = own.get(total_indicator.pk) if total_indicator else None
    previous_total = own_previous.get(total_indicator.pk) if total_indicator else None
    ranking = unit_ranking(period_key=period.key, unit=unit, public=public)
    total_change, band = _change_and_band(ranking=ranking, total=total_score, previous_total=previous_total)
    groups, criteria = _lines(indicators, own, own_previous)

    # Subordinate units: the stored ranking, with their group figures and counts beside it.
    rows = list(ranking_rows(period_key=period.key, parent=unit, public=public))
    children = list(AdministrativeUnit.objects.filter(parent=unit).valid_in(period))
    wanted = [i.pk for i in group_indicators] + [ids[r] for r in COUNT_ROLES if r in ids]
    sub_ids = {r.unit_id for r in rows} | {c.pk for c in children}
    sub_scores = _sub_scores(
        unit_ids=sub_ids,
        period=period,
        indicator_ids=wanted + ([total_indicator.pk] if total_indicator else []),
        source=source,
    )
    columns = _columns(group_indicators, sub_scores, [r.unit_id for r in rows])
    others = [r for r in rows if r.level != Level.DEPARTMENT]
    current = {sc.revision_id for sc in own.values()} | {
        sc.revision_id for by in sub_scores.values() for sc in by.values()
    }
    as_of, uses_demo = _revisions(current_ids=current, unit_ids=[unit.pk, *sub_ids], previous=previous, source=source)
    copies = own.get(ids.get(IndicatorRole.COPIES_ELECTRONIC))
    year, month = period.previous_key()
    return s.DispatchData(
        unit=_unit_name(unit),
        peer_word=_peer_word(unit.level),
        subordinate_word=_kinds_word([c for c in children if c.level != Level.DEPARTMENT] or [r.unit for r in others]),
        issuer=_issuer(unit),
        period=s.Month(year=period.year, month=period.month),
        previous_period=s.Month(year=year, month=month),
        issue_year=(period.last_day + datetime.timedelta(days=1)).year,
        data_as_of=as_of,
        revision_ids=sorted(current),
        uses_demo=uses_demo,
        total=_figure(total_score) if total_score else None,
        total_change=total_change,
        rank=dispatch_rank(ranking=ranking),
        band=band.name if band else "",
        groups=groups,
        criteria=criteria,
        copies_electronic=copies.count if copies else None,
        columns=columns,
        subordinates=_ranked(others, sub_scores, columns, ids, code_ids),
        departments=_ranked([r for r in rows if r.level == Level.DEPARTMENT], sub_scores, columns, ids, code_ids),
        **_counts(children, sub_scores, ids),
        upstream=[
            s.UpstreamRef(kind=d.kind, number=d.number, date=d.issued_on, issuer=d.issuer, subject=d.subject)
            for d in upstream_documents(unit=unit, period=period)
        ],
        ranking_note=appendix_note(others),
    )


def _month_moved(text: str, *, before: Period, now: Period) -> str:
    """The subject of last month's document, for this month: "tháng 8/2024" → "tháng 9/2024" (also "08/2024")."""
    for month in (f"{before.month:02d}", str(before.month)):
        pattern = f"{month}/{before.year}"
        if pattern in text:
            replacement = f"{now.month:02d}/{now.year}" if len(month) == 2 else f"{now.month}/{now.year}"
            return text.replace(pattern, replacement)
    return text


def upstream_suggestions(*, scope: AdministrativeUnit, period: Period) -> list[dict]:
    """Initial values for this month's documents, from the scope's latest earlier month: same kind, issuer and
    symbol, the subject moved to this month; the number and date are left for staff to fill."""
    suggestions = []
    for document in upstream_pattern(scope=scope, period=period):
        symbol = document.number.partition("/")[2]
        suggestions.append(
            {
                "kind": document.kind,
                "number": f"/{symbol}" if symbol else "",
                "issuer": document.issuer,
                "subject": _month_moved(document.subject, before=document.period, now=period),
            }
        )
    return suggestions
