"""Home, unit profile, scorecard, embed widgets and comparison."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import charts, exports, selectors
from ..caching import public_cache
from .common import (
    chart_source,
    child_level,
    embeddable,
    group_trend_chart,
    groups_chart,
    page_provenance,
    profile_or_404,
    published_dispatch_url,
    rank_chart,
    result_explained,
    trend_chart,
)

# --- home -------------------------------------------------------------------------------------------


@public_cache
def home(request):
    """The home unit's latest published month: its own result, its subordinate units' ranking, its trend.

    When the latest published month has the subordinate units but not the unit's own row (a district's
    file with its communes only), the page opens on that month all the same and says the unit's own
    figure is missing, rather than staying on an older month without a word.
    """
    unit = selectors.home_unit(request)
    context = {"unit": unit}
    if unit is None:
        return render(request, "portal/home.html", context)
    profile = selectors.unit_profile(unit=unit, period_key=None)
    level = child_level(unit)
    month = profile.pkey if profile else None
    children_month = _latest_children_month(unit=unit, level=level)
    own_missing = children_month is not None and (month is None or children_month.sort_key > month.sort_key)
    if own_missing:
        month = children_month
    context.update(profile=profile, month=month, own_missing=own_missing, children_level=level)
    if month is not None:
        children = list(selectors.unit_ranking(period_key=month.key, parent=unit, level=level, scope="peer"))
        context["children"] = children
        context["trend"] = trend_chart(profile, months=12) if profile else None
        context["dispatch"] = published_dispatch_url(unit, month)
        if own_missing:
            as_of, is_demo = selectors.data_as_of(unit_ids=[c.unit_id for c in children], pkey=month)
            context.update(as_of=as_of, is_demo=is_demo)
        else:
            context.update(as_of=profile.data_as_of, is_demo=profile.is_demo, groups_chart=groups_chart(profile))
    return render(request, "portal/home.html", context)


def _latest_children_month(*, unit, level: str):
    """The newest month a visitor may see with stored results of the unit's subordinate units, or None."""
    keys = selectors.ranking_period_keys(parent=unit, level=level, scope="peer")
    months = [p for p in selectors.visible_keys(keys=keys) if p.kind == "month"]
    return months[0] if months else None


@public_cache(params=("period", "format"))
def unit_detail(request, tree, code):
    profile = profile_or_404(request, tree, code)
    fmt = request.GET.get("format")
    if fmt in ("csv", "json"):
        return _history_download(request, profile, fmt)
    embed_url = request.build_absolute_uri(reverse("portal:embed-unit", args=[tree, code]))
    embed_children_url = request.build_absolute_uri(reverse("portal:embed-children", args=[tree, code]))
    group_names = {g.code: g.name for g in selectors.group_indicators()}
    return render(
        request,
        "portal/unit.html",
        {
            "profile": profile,
            "unit": profile.unit,
            "details": result_explained(profile.result, profile.groups),
            "trend": trend_chart(profile),
            "rank_chart": rank_chart(profile),
            "groups_chart": groups_chart(profile) if profile.pkey else None,
            "group_trend": group_trend_chart(profile),
            "group_history_rows": _transpose(profile.group_history),
            "group_names": group_names,
            "embed_url": embed_url,
            "embed_children_url": embed_children_url,
            "ancestors": selectors.ancestors(profile.unit),
            "unit_ref": selectors.unit_ref(profile.unit),
        },
    )


def _history_download(request, profile, fmt):
    """The unit's month-by-month table (its own and its predecessors' results) as on the page."""
    header = [
        _("Tháng"),
        _("Mã đơn vị"),
        _("Đơn vị"),
        _("Trước sáp nhập"),
        _("Tổng điểm"),
        _("Hạng"),
        _("Trên tổng số"),
        _("Thay đổi hạng"),
        _("Xếp loại"),
    ]
    rows = [
        [
            h.pkey.key,
            h.result.unit.code,
            h.result.unit.name,
            h.is_predecessor,
            h.result.total,
            h.result.rank,
            h.result.rank_of,
            h.result.rank_change,
            h.result.band.name if h.result.band else "",
        ]
        for h in reversed(profile.history)
    ]
    filename = f"lich-su-{profile.unit.tree}-{profile.unit.code}"
    history = list(reversed(profile.history))
    # Each month's figures were taken at their own time (a download is rare: one small read per month).
    as_ofs = [selectors.data_as_of(unit_ids=[h.result.unit_id], pkey=h.pkey)[0] for h in history]
    provenance = page_provenance(request)
    if fmt == "json":
        keys = ["period", "unit_code", "unit_name", "is_predecessor", "total", "rank", "rank_of", "rank_change", "band"]
        return exports.json_response(
            {
                "unit_code": profile.unit.code,
                "unit_tree": profile.unit.tree,
                "unit_name": profile.unit.name,
                **provenance.as_json(),
                "history": [
                    {**dict(zip(keys, row, strict=True)), "data_as_of": as_of}
                    for row, as_of in zip(rows, as_ofs, strict=True)
                ],
            },
            filename=filename,
        )
    header, rows = exports.with_provenance(header, rows, periods=None, as_ofs=as_ofs, provenance=provenance)
    return exports.csv_response(
        header, [[("x" if v is True else "" if v is False else v) for v in r] for r in rows], filename=filename
    )


def _transpose(group_history):
    if not group_history:
        return []
    codes = list(group_history)
    labels = [label for label, _v in group_history[codes[0]]]
    return [(label, [group_history[c][i][1] for c in codes]) for i, label in enumerate(labels)]


@public_cache(params=("period",))
def scorecard(request, tree, code):
    profile = profile_or_404(request, tree, code)
    return render(
        request,
        "portal/scorecard.html",
        {
            "trend": trend_chart(profile, months=12),
            "children_ends": _children_ends(profile),
            "profile": profile,
            "details": result_explained(profile.result, profile.groups),
            "groups_chart": groups_chart(profile) if profile.pkey else None,
        },
    )


def _children_ends(profile, n: int = 3):
    """The best and the worst few subordinate units of the month, for a notice board."""
    if profile.pkey is None:
        return None
    ranked = [
        r
        for r in selectors.unit_ranking(
            period_key=profile.pkey.key, parent=profile.unit, level=child_level(profile.unit), scope="peer"
        )
        if r.rank
    ]
    if len(ranked) < 2 * n:
        return None
    return {"top": ranked[:n], "bottom": ranked[-n:], "of": len(ranked)}


@embeddable
@public_cache(params=("period",))
def embed_unit(request, tree, code):
    profile = profile_or_404(request, tree, code)
    return render(
        request,
        "portal/embed_unit.html",
        {"profile": profile, "groups_chart": groups_chart(profile) if profile.pkey else None},
    )


@embeddable
@public_cache(params=("period",))
def embed_children(request, tree, code):
    profile = profile_or_404(request, tree, code)
    children = []
    if profile.pkey:
        children = list(
            selectors.unit_ranking(
                period_key=profile.pkey.key, parent=profile.unit, level=child_level(profile.unit), scope="peer"
            )
        )
    return render(request, "portal/embed_children.html", {"profile": profile, "children": children})


# --- compare, map ----------------------------------------------------------------------------------------


@public_cache(params=("u", "q", "format"))
def compare(request):
    refs = [r for r in request.GET.getlist("u") if r][:4]
    units = [u for u in (selectors.unit_by_ref(r) for r in refs) if u is not None]
    profiles = [selectors.unit_profile(unit=u, period_key=None) for u in units]
    profiles = [p for p in profiles if p is not None]
    q = (request.GET.get("q") or "").strip()
    found = list(_unit_search(q)) if q else []
    context = {"profiles": profiles, "refs": refs, "q": q, "found": found, "too_few": len(profiles) < 2}
    if len(profiles) >= 2:
        labels = sorted(
            {h.pkey.key: h.pkey for p in profiles for h in p.history if not h.is_predecessor}.values(),
            key=lambda k: k.sort_key,
        )[-12:]
        series = []
        for p in profiles:
            by_key = {h.pkey.key: h.result.total for h in p.history if not h.is_predecessor}
            series.append(charts.Series(name=p.unit.name, values=[by_key.get(k.key) for k in labels]))
        context["labels"] = labels
        context["rows"] = [
            (
                lab,
                [
                    next((h.result.total for h in p.history if h.pkey.key == lab.key and not h.is_predecessor), None)
                    for p in profiles
                ],
            )
            for lab in labels
        ]
        context["chart"] = charts.line_chart(
            uid="compare",
            title=_("So sánh điểm tổng hợp theo tháng"),
            subtitle=_("%(units)s. %(source)s")
            % {"units": "; ".join(p.unit.name for p in profiles), "source": chart_source()},
            desc=_("Điểm tổng hợp theo tháng của từng đơn vị được so sánh; tháng không có số liệu để trống."),
            months=[(lab.year, lab.number) for lab in labels],
            series=series,
            y_label=_("Điểm"),
        )
        # Only the groups that some compared unit has points for, each named from the catalogue.
        rows = [(group, [_group_of(p, group.code) for p in profiles]) for group in selectors.group_indicators()]
        context["group_rows"] = [
            (group, cells) for group, cells in rows if any(c and c["points"] is not None for c in cells)
        ]
    fmt = request.GET.get("format")
    if fmt in ("csv", "json") and len(profiles) >= 2:
        return _compare_download(request, context, profiles, fmt)
    return render(request, "portal/compare.html", context)


def _group_of(profile, code: str) -> dict | None:
    return next((g for g in profile.groups if g["code"] == code), None)


def _compare_download(request, context, profiles, fmt):
    header = [_("Tháng"), *[p.unit.name for p in profiles]]
    rows = [[label.key, *values] for label, values in context["rows"]]
    unit_ids = [p.unit.pk for p in profiles]
    as_ofs = [selectors.data_as_of(unit_ids=unit_ids, pkey=label)[0] for label, _values in context["rows"]]
    provenance = page_provenance(request)
    if fmt == "json":
        return exports.json_response(
            {
                "units": [{"code": p.unit.code, "tree": p.unit.tree, "name": p.unit.name} for p in profiles],
                **provenance.as_json(),
                "totals_by_month": [
                    {**dict(zip(["period", *[p.unit.code for p in profiles]], r, strict=True)), "data_as_of": as_of}
                    for r, as_of in zip(rows, as_ofs, strict=True)
                ],
            },
            filename="so-sanh",
        )
    header, rows = exports.with_provenance(header, rows, periods=None, as_ofs=as_ofs, provenance=provenance)
    return exports.csv_response(header, rows, filename="so-sanh")


def _unit_search(q):
    from units.selectors import unit_search

    return unit_search(q=q, limit=15)
