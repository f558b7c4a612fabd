"""Reads for dispatches: the month's figures a dispatch quotes (as a JSON-ready snapshot), stored rankings, who may act."""

import datetime
from collections import defaultdict

from django.db.models import F, Max

from accounts.permissions import units_within_reach, user_can
from indicators.models import ClassificationBand, IndicatorKind, Period, Score
from indicators.selectors import catalogue, framework_for
from publishing import selectors as gate
from rankings.models import RankingResult
from rankings.ranks import coverage_note, is_complete, short_rank
from rankings.services import figure_source
from units.collation import by_name, name_key
from units.models import AdministrativeUnit

from .models import Dispatch, IssuerProfile

# Operational counts a dispatch lists by subordinate unit (appendices and requirements).
OVERDUE_CODES = ["overdue.total", "overdue.district", "overdue.commune"]
PAKN_CODES = ["pakn.not_received", "pakn.late"]
DIGITISE_CODES = ["digitise.missing_inputs", "digitise.missing_results"]
OWN_OPERATIONAL_CODES = ["copies.electronic", *OVERDUE_CODES, *PAKN_CODES]

# Dispatch actions → the portal-wide permission that covers them (accounts.permissions).
ACTIONS = {
    "view": "draft_dispatch",
    "edit": "draft_dispatch",
    "download": "draft_dispatch",
    "finalise": "finalise_dispatch",
    "publish": "finalise_dispatch",
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
    """The public dispatch of the unit with this code for the month (through the publication gate:
    a dispatch whose month was withdrawn is not public)."""
    return gate.public_dispatches(period=period).filter(unit__code=unit_code).first()


def published_dispatches(*, period: Period | None = None):
    """Public dispatches, newest month first (optionally of one month), for the public list."""
    return gate.public_dispatches(period=period)


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


def ranking_rows(*, period_key: str, parent: AdministrativeUnit, public: bool):
    """The peer ranking of `parent`'s subordinate units for the period, in rank order (unranked last),
    from the published figures or the working ones."""
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


def _num(value) -> str | None:
    return None if value is None else str(value)


def _values(score: Score | None) -> dict:
    if score is None:
        return {"points": None, "rate": None, "count": None, "change_text": ""}
    return {
        "points": _num(score.points),
        "rate": _num(score.rate),
        "count": score.count,
        "change_text": score.change_text,
    }


def _previous_period(period: Period) -> Period | None:
    year, month = period.previous_key()
    return Period.objects.filter(year=year, month=month).first()


def _peer_word(level: str) -> str:
    return {
        "province": "tỉnh, thành phố",
        "district": "huyện/thị xã/thành phố",
        "commune": "xã, phường, thị trấn",
        "department": "sở, ban, ngành",
    }.get(level, "đơn vị")


def _kinds_word(units: list[AdministrativeUnit]) -> str:
    """ "xã, thị trấn" from the kinds of the subordinate units, in the order the references use."""
    order = ["sở", "quận", "huyện", "thị xã", "thành phố", "xã", "phường", "thị trấn"]
    present = {u.kind.lower() for u in units}
    words = [k for k in order if k in present] or ["đơn vị"]
    return ", ".join(words)


def dispatch_data(*, unit: AdministrativeUnit, period: Period, public: bool = False) -> dict:
    """Everything a dispatch quotes for the unit and month, as plain JSON values (decimals as strings):
    the published figures (`public`, what a final dispatch freezes) or the working ones (a draft)."""
    source = figure_source(public=public)  # the published copy has the same columns as the scores
    framework = framework_for(day=period.last_day)
    indicators = list(catalogue(framework=framework))
    by_code = {i.code: i for i in indicators}
    previous = _previous_period(period)

    own = {
        s.indicator.code: s
        for s in source.objects.filter(unit=unit, period=period, indicator__framework=framework).select_related(
            "indicator", "revision"
        )
    }
    own_previous = (
        {
            s.indicator.code: s
            for s in source.objects.filter(unit=unit, period=previous, indicator__framework=framework).select_related(
                "indicator"
            )
        }
        if previous
        else {}
    )

    ranking = unit_ranking(period_key=period.key, unit=unit, public=public)
    rank = None
    # One rank rule (rankings.ranks): a dispatch quotes a rank only where it is published or computed
    # among every unit of the group; otherwise the sentence leaves the rank out.
    if ranking is not None and is_complete(ranking):
        rank = {
            "rank": ranking.rank,
            "of": ranking.rank_of,
            "published": ranking.rank_source == "published",
            "change": ranking.rank_change,
        }

    bands = list(ClassificationBand.objects.all())
    total_score = own.get("total")
    total_change = None
    if ranking and ranking.total_change is not None:
        total_change = ranking.total_change
    elif (
        total_score
        and total_score.points is not None
        and own_previous.get("total")
        and own_previous["total"].points is not None
    ):
        total_change = total_score.points - own_previous["total"].points
    band = ranking.band if ranking and ranking.band else None
    if band is None and total_score is not None:
        band = ClassificationBand.band_for(total_score.points, bands)

    groups, criteria = [], []
    for indicator in indicators:
        if indicator.kind not in (IndicatorKind.GROUP, IndicatorKind.CRITERION):
            continue
        score = own.get(indicator.code)
        if score is None:
            continue
        before = own_previous.get(indicator.code)
        row = {
            "code": indicator.code,
            "name": indicator.name,
            "short_name": indicator.short_name or indicator.name,
            "max_points": _num(indicator.max_points),
            "measure": indicator.measure,
            "count_unit": indicator.count_unit,
            "direction": indicator.direction,
            "parent": indicator.parent.code if indicator.parent else None,
            **_values(score),
            "change_points": _num(score.points - before.points)
            if before and score.points is not None and before.points is not None
            else None,
            "change_rate": _num(score.rate - before.rate)
            if before and score.rate is not None and before.rate is not None
            else None,
        }
        (groups if indicator.kind == IndicatorKind.GROUP else criteria).append(row)

    operational = {code: _values(own[code]) for code in OWN_OPERATIONAL_CODES if code in own}

    # Subordinate units: the stored ranking, with their group figures beside it.
    rows = list(ranking_rows(period_key=period.key, parent=unit, public=public))
    sub_ids = [r.unit_id for r in rows]
    sub_scores: dict[int, dict[str, Score]] = defaultdict(dict)
    children = list(AdministrativeUnit.objects.filter(parent=unit).valid_in_month(period.first_day, period.last_day))
    wanted = [c for c, i in by_code.items() if i.kind == IndicatorKind.GROUP] + (
        OVERDUE_CODES + PAKN_CODES + DIGITISE_CODES
    )
    for score in source.objects.filter(
        unit_id__in=set(sub_ids) | {c.pk for c in children}, period=period, indicator__code__in=wanted
    ).select_related("indicator", "unit"):
        sub_scores[score.unit_id][score.indicator.code] = score

    group_codes = [g.code for g in indicators if g.kind == IndicatorKind.GROUP]
    columns = []
    for code in group_codes:
        has_points = any(sub_scores[i].get(code) and sub_scores[i][code].points is not None for i in sub_ids)
        has_rate = any(sub_scores[i].get(code) and sub_scores[i][code].rate is not None for i in sub_ids)
        if has_points or has_rate:
            columns.append(
                {
                    "code": code,
                    "name": by_code[code].short_name or by_code[code].name,
                    "measure": "points" if has_points else "rate",
                }
            )
    subordinates = []
    for r in rows:
        scores = sub_scores[r.unit_id]
        subordinates.append(
            {
                "code": r.unit.code,
                "name": r.unit.name,
                "short_name": r.unit.short_name,
                "total": _num(r.total),
                "total_change": _num(r.total_change),
                "rank": r.rank,
                "rank_of": r.rank_of,
                "rank_label": short_rank(r),
                "rank_change": r.rank_change,
                "band": r.band.name if r.band else "",
                "groups": {
                    c["code"]: _num(getattr(scores[c["code"]], c["measure"]) if c["code"] in scores else None)
                    for c in columns
                },
                "rates": {code: _num(scores[code].rate) for code in group_codes if code in scores},
            }
        )

    def counts(codes: list[str]) -> list[dict]:
        table = []
        for child in sorted(children, key=lambda u: name_key(u.name)):
            values = {code: sub_scores[child.pk][code].count for code in codes if code in sub_scores[child.pk]}
            if any(values.values()):
                table.append({"code": child.code, "name": child.name, "short_name": child.short_name, **values})
        return table

    overdue = sorted(counts(OVERDUE_CODES), key=lambda r: (-(r.get("overdue.total") or 0), name_key(r["name"])))
    pakn = sorted(counts(PAKN_CODES), key=lambda r: (-sum(r.get(c) or 0 for c in PAKN_CODES), name_key(r["name"])))
    digitise = counts(DIGITISE_CODES)

    revisions = {s.revision for s in own.values()} | {
        s.revision for by in sub_scores.values() for s in by.values() if hasattr(s, "revision")
    }
    as_of = source.objects.filter(unit_id__in=[unit.pk, *sub_ids], period=period).aggregate(
        m=Max("revision__data_as_of")
    )["m"]
    issue_month = period.last_day + datetime.timedelta(days=1)
    profile = issuer_profile(unit=unit)
    return {
        "unit": {
            "code": unit.code,
            "name": unit.name,
            "short_name": unit.short_name,
            "kind": unit.kind,
            "level": unit.level,
            "peer_word": _peer_word(unit.level),
            "subordinate_word": _kinds_word(children or [r.unit for r in rows]),
        },
        "issuer": {
            "parent_authority": profile.parent_authority,
            "issuing_body": profile.issuing_body,
            "symbol": profile.symbol,
            "place": profile.place,
            "signer_authority": profile.signer_authority,
            "signer_role": profile.signer_role,
            "signer_name": profile.signer_name,
        },
        "period": {"key": period.key, "year": period.year, "month": period.month},
        "previous_period": {"year": period.previous_key()[0], "month": period.previous_key()[1]},
        "issue_year": issue_month.year,
        "data_as_of": as_of.isoformat() if as_of else None,
        "revision_ids": sorted(r.pk for r in revisions if r is not None),
        "total": {**_values(total_score), "change": _num(total_change)} if total_score else None,
        "rank": rank,
        "band": band.name if band else "",
        "groups": groups,
        "criteria": criteria,
        "operational": operational,
        "columns": columns,
        "subordinates": subordinates,
        "ranking_note": coverage_note(rows),
        "overdue": overdue,
        "pakn": pakn,
        "digitise": digitise,
    }
