"""Public pages: thin views that parse the request, call selectors and render."""

import logging
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django_tables2 import RequestConfig

from config.celery import app as celery_app
from indicators.formatting import format_number
from indicators.models import ClassificationBand, IndicatorKind
from indicators.selectors import catalogue, framework_for
from units.models import Level

from . import charts, exports, selectors
from .caching import public_cache
from .openapi import openapi_document
from .periods import period_key_parse
from .tables import RankingTable

logger = logging.getLogger(__name__)

PER_PAGE_CHOICES = (25, 50, 100, 200)
DEFAULT_PER_PAGE = 100


def _staff(request) -> bool:
    return selectors.is_staff(request.user)


def embeddable(view):
    """Widget routes only: other sites may frame them (every other page is DENY)."""
    view = xframe_options_exempt(view)

    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        # The site-wide policy, except that any site may frame the widget.
        response["Content-Security-Policy"] = (
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
            "base-uri 'self'; frame-ancestors *"
        )
        return response

    wrapper.__name__ = view.__name__
    return wrapper


# --- rankings -------------------------------------------------------------------------------------


class RankingState:
    """Everything the rankings URL says: period, parent, level, search, order, page (a permalink)."""

    def __init__(self, request, *, parent_ref: str | None = None):
        self.request = request
        self.staff = _staff(request)
        ref = parent_ref or request.GET.get("parent")
        if ref == "all":
            self.parent = None
        elif ref:
            self.parent = selectors.unit_by_ref(ref)
            if self.parent is None:
                raise Http404(_("Không tìm thấy đơn vị cấp trên “%(ref)s”.") % {"ref": ref})
        else:
            self.parent = selectors.home_unit()
        self.levels = selectors.ranking_levels(parent=self.parent)
        level = request.GET.get("level") or ""
        if level not in self.levels:
            level = self.levels[-1] if self.levels else Level.COMMUNE
        self.level = level
        self.scope = selectors.ranking_scope(parent=self.parent, level=level)
        keys = selectors.ranking_period_keys(parent=self.parent, level=level, scope=self.scope)
        published = set() if self.staff else selectors.published_month_keys(unit=self.parent)
        self.available = selectors.visible_keys(keys=keys, published=published, staff=self.staff)
        asked = request.GET.get("period")
        if asked:
            self.pkey = period_key_parse(asked)
            if self.pkey is None or self.pkey.key not in {p.key for p in self.available}:
                raise Http404(_("Kỳ “%(period)s” chưa được công bố hoặc không có số liệu.") % {"period": asked})
        else:
            months = [p for p in self.available if p.kind == "month"]
            self.pkey = months[0] if months else None
        self.q = (request.GET.get("q") or "").strip()[:100]
        try:
            per_page = int(request.GET.get("per_page", DEFAULT_PER_PAGE))
        except ValueError:
            per_page = DEFAULT_PER_PAGE
        self.per_page = per_page if per_page in PER_PAGE_CHOICES else DEFAULT_PER_PAGE

    def results(self):
        if self.pkey is None:
            return selectors.unit_ranking(period_key="", parent=self.parent, level=self.level, scope=self.scope).none()
        return selectors.unit_ranking(
            period_key=self.pkey.key, parent=self.parent, level=self.level, scope=self.scope, q=self.q
        )

    def filename(self) -> str:
        parent = selectors.unit_ref(self.parent) if self.parent else "toan-quoc"
        return f"xep-hang-{self.pkey.key if self.pkey else 'trong'}-{parent}-{self.level}"


@public_cache
def rankings(request):
    state = RankingState(request)
    groups = selectors.group_indicators()
    results = state.results()
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx", "json"):
        return _ranking_download(state, results, groups, fmt)
    # The view validates the page size (one of PER_PAGE_CHOICES); django-tables2 must not read it raw.
    table = RankingTable(results, groups=groups, group_points={}, per_page_field="_per_page")
    RequestConfig(request, paginate={"per_page": state.per_page}).configure(table)
    unit_ids = [r.unit_id for r in table.page_records()]
    table.group_points = selectors.group_points(unit_ids=unit_ids, pkey=state.pkey) if state.pkey else {}
    # Group columns without a single figure (months published with the total only) are left out.
    table.exclude = [f"g{g.code}" for g in groups if not any(g.code in p for p in table.group_points.values())]
    as_of, is_demo = (
        selectors.data_as_of(unit_ids=unit_ids, pkey=state.pkey) if state.pkey and unit_ids else (None, False)
    )
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "portal/rankings.html",
        {
            "state": state,
            "table": table,
            "groups": groups,
            "ancestors": selectors.ancestors(state.parent) + ([state.parent] if state.parent else []),
            "level_choices": [(lv, Level(lv).label) for lv in state.levels],
            "per_page_choices": PER_PAGE_CHOICES,
            "data_as_of": as_of,
            "is_demo": is_demo,
            "query": query.urlencode(),
            "parent_ref": selectors.unit_ref(state.parent) if state.parent else "all",
        },
    )


def _ranking_download(state, results, groups, fmt):
    if state.pkey is None:
        raise Http404(_("Chưa có kỳ nào được công bố."))
    order = state.request.GET.get("sort")
    # The page's table decides the order, so the file lists the rows exactly as the page does.
    table = RankingTable(results, groups=groups, group_points={}, order_by=order or None)
    rows = [row.record for row in table.rows]
    points = selectors.group_points(unit_ids=[r.unit_id for r in rows], pkey=state.pkey)
    groups = [g for g in groups if any(g.code in p for p in points.values())]
    as_of, is_demo = (
        selectors.data_as_of(unit_ids=[r.unit_id for r in rows], pkey=state.pkey) if rows else (None, False)
    )
    if fmt == "json":
        return exports.json_response(
            {
                "period": state.pkey.key,
                "parent": state.parent.code if state.parent else None,
                "parent_tree": state.parent.tree if state.parent else None,
                "level": state.level,
                "scope": state.scope,
                "months_averaged": state.pkey.kind != "month",
                "data_as_of": as_of,
                "is_demo": is_demo,
                "results": [
                    {
                        "unit_code": r.unit.code,
                        "unit_name": r.unit.name,
                        "total": r.total,
                        "rank": r.rank,
                        "rank_of": r.rank_of,
                        "total_change": r.total_change,
                        "rank_change": r.rank_change,
                        "band": r.band.name if r.band else None,
                        "groups": {g.code: points.get(r.unit_id, {}).get(g.code) for g in groups},
                    }
                    for r in rows
                ],
            },
            filename=state.filename(),
        )
    header, data = exports.ranking_rows(rows, groups=groups, group_points=points)
    if fmt == "csv":
        return exports.csv_response(header, data, filename=state.filename())
    return exports.xlsx_response(
        header, data, filename=state.filename(), title=state.pkey.short_label.replace("/", "-")
    )


# --- home -------------------------------------------------------------------------------------------


@public_cache
def home(request):
    unit = selectors.home_unit()
    context = {"unit": unit}
    if unit is not None:
        profile = selectors.unit_profile(unit=unit, period_key=None, staff=_staff(request))
        context["profile"] = profile
        if profile and profile.pkey:
            children = list(
                selectors.unit_ranking(period_key=profile.pkey.key, parent=unit, level=_child_level(unit), scope="peer")
            )
            context["children"] = children
            context["children_level"] = _child_level(unit)
            context["trend"] = _trend_chart(profile, months=12)
            context["groups_chart"] = _groups_chart(profile)
            context["dispatch"] = _published_dispatch(unit, profile.pkey)
    return render(request, "portal/home.html", context)


def _child_level(unit) -> str:
    return {Level.PROVINCE: Level.DISTRICT, Level.DISTRICT: Level.COMMUNE}.get(unit.level, Level.COMMUNE)


def _published_dispatch(unit, pkey) -> str | None:
    """The address of the month's published dispatch PDF, if there is one."""
    from dispatches.models import Dispatch

    if pkey.kind != "month":
        return None
    dispatch = (
        Dispatch.objects.filter(unit=unit, period__year=pkey.year, period__month=pkey.number, status="published")
        .exclude(pdf="")
        .first()
    )
    if dispatch is None:
        return None
    try:  # the dispatches app serves published PDFs itself where it has that route
        return reverse("dispatches:dispatch-download", args=[dispatch.pk])
    except NoReverseMatch:
        return dispatch.pdf.url


def _trend_chart(profile, *, months: int | None = None):
    history = profile.history
    labels = sorted({h.pkey.key: h.pkey for h in history}.values(), key=lambda p: p.sort_key)
    if months:
        labels = labels[-months:]
    keys = [p.key for p in labels]
    names: dict[int, tuple[str, bool]] = {}
    for h in history:
        names.setdefault(h.result.unit_id, (h.result.unit.name, h.is_predecessor))
    series = []
    for unit_id, (name, is_pred) in names.items():
        by_key = {h.pkey.key: h.result.total for h in history if h.result.unit_id == unit_id}
        values = [by_key.get(k) for k in keys]
        if any(v is not None for v in values):
            label = name + (" " + _("(trước sáp nhập)") if is_pred else "")
            series.append(charts.Series(name=label, values=values, dashed=is_pred))
    if not series:
        return None
    return charts.line_chart(
        uid=f"trend-{profile.unit.pk}",
        title=_("Diễn biến điểm tổng hợp của %(unit)s") % {"unit": profile.unit.name},
        desc=_("Điểm tổng hợp theo tháng, từ %(first)s đến %(last)s; đường nét đứt là đơn vị trước sáp nhập.")
        % {"first": labels[0].short_label, "last": labels[-1].short_label},
        labels=[p.short_label for p in labels],
        series=series,
    )


def _rank_chart(profile):
    """The unit's own rank by month, best at the top (rank 1 up)."""
    own = [h for h in profile.history if not h.is_predecessor and h.result.rank]
    if len(own) < 2:
        return None
    return charts.line_chart(
        uid=f"rank-{profile.unit.pk}",
        title=_("Thứ hạng của %(unit)s theo tháng") % {"unit": profile.unit.name},
        desc=_("Hạng trong nhóm đơn vị cùng cấp; hạng 1 ở trên cùng."),
        labels=[h.pkey.short_label for h in own],
        series=[charts.Series(name=profile.unit.name, values=[h.result.rank for h in own])],
        y_min=1,
        y_max=max(h.result.rank_of for h in own),
        invert=True,
    )


def _groups_chart(profile):
    bars = [(f"{g['code']}. {g['name']}", g["points"], g["max"]) for g in profile.groups if g["points"] is not None]
    if not bars:
        return None
    return charts.bar_chart(
        uid=f"groups-{profile.unit.pk}",
        title=_("Điểm các nhóm chỉ số so với điểm tối đa, %(period)s") % {"period": profile.pkey.label},
        desc=_("Mỗi thanh là điểm đạt được của một nhóm; phần nền là điểm tối đa của nhóm."),
        bars=bars,
    )


# --- unit profile and scorecard -------------------------------------------------------------------------


def _profile_or_404(request, tree, code):
    unit = selectors.unit_get(tree=tree, code=code)
    if unit is None:
        raise Http404(_("Không tìm thấy đơn vị."))
    profile = selectors.unit_profile(unit=unit, period_key=request.GET.get("period"), staff=_staff(request))
    if profile is None:
        raise Http404(_("Kỳ này chưa được công bố hoặc không có số liệu."))
    return profile


def _dec(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _details(result, groups=()) -> dict:
    """What the page explains from a stored result's details: why it moved and what it takes to climb.

    The ranking task writes the details (group points, ranks and changes; the biggest gains and
    losses among groups and criteria; points to the next rank and band). Missing keys just leave
    the sentence out.
    """
    details = (result.details or {}) if result else {}
    names = selectors.indicator_names()
    groups_detail = details.get("groups") or {}
    why = details.get("why") or {}
    gained, lost = why.get("groups_gained"), why.get("groups_lost")
    if gained is None and lost is None:  # only the per-group changes are stored
        changes = [(code, _dec(g.get("change"))) for code, g in groups_detail.items() if isinstance(g, dict)]
        changes = [(code, c) for code, c in changes if c]
        gained = [{"code": code, "change": c} for code, c in sorted(changes, key=lambda x: -x[1]) if c > 0]
        lost = [{"code": code, "change": c} for code, c in sorted(changes, key=lambda x: x[1]) if c < 0]

    def named(items):
        return [
            {**item, "name": names.get(item.get("code"), item.get("code")), "change": _dec(item.get("change"))}
            for item in (items or [])
            if isinstance(item, dict)
        ]

    room = [g for g in groups if g.get("missing")]
    return {
        "gained": named(gained),
        "lost": named(lost),
        "criteria_better": named(why.get("criteria_better")),
        "criteria_worse": named(why.get("criteria_worse")),
        "group_ranks": {
            code: (f"{g['rank']}/{g['rank_of']}" if g.get("rank_of") else g.get("rank"))
            for code, g in groups_detail.items()
            if isinstance(g, dict) and g.get("rank")
        },
        "to_next_rank": _dec(details.get("to_next_rank", details.get("points_to_next_rank"))),
        "to_next_band": _dec(details.get("to_next_band", details.get("points_to_next_band"))),
        "next_band": details.get("next_band"),
        "published_rank": details.get("published_rank"),
        "most_room": max(room, key=lambda g: g["missing"]) if room else None,
    }


@public_cache
def unit_detail(request, tree, code):
    profile = _profile_or_404(request, tree, code)
    fmt = request.GET.get("format")
    if fmt in ("csv", "json"):
        return _history_download(profile, fmt)
    embed_url = request.build_absolute_uri(reverse("portal:embed-unit", args=[tree, code]))
    embed_children_url = request.build_absolute_uri(reverse("portal:embed-children", args=[tree, code]))
    group_names = {g.code: g.name for g in selectors.group_indicators()}
    group_series = [
        charts.Series(name=f"{code}. {group_names.get(code, code)}", values=[v for _label, v in values])
        for code, values in profile.group_history.items()
    ]
    group_labels = next(iter(profile.group_history.values()), [])
    return render(
        request,
        "portal/unit.html",
        {
            "profile": profile,
            "unit": profile.unit,
            "details": _details(profile.result, profile.groups),
            "trend": _trend_chart(profile),
            "rank_chart": _rank_chart(profile),
            "groups_chart": _groups_chart(profile) if profile.pkey else None,
            "group_trend": charts.line_chart(
                uid=f"gtrend-{profile.unit.pk}",
                title=_("Diễn biến điểm các nhóm chỉ số của %(unit)s") % {"unit": profile.unit.name},
                desc=_("Điểm của từng nhóm theo tháng."),
                labels=[label for label, _v in group_labels],
                series=group_series,
                y_min=0,
            )
            if group_series
            else None,
            "group_history_rows": _transpose(profile.group_history),
            "group_names": group_names,
            "embed_url": embed_url,
            "embed_children_url": embed_children_url,
            "ancestors": selectors.ancestors(profile.unit),
            "unit_ref": selectors.unit_ref(profile.unit),
        },
    )


def _history_download(profile, fmt):
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
    if fmt == "json":
        keys = ["period", "unit_code", "unit_name", "is_predecessor", "total", "rank", "rank_of", "rank_change", "band"]
        return exports.json_response(
            {
                "unit_code": profile.unit.code,
                "unit_tree": profile.unit.tree,
                "unit_name": profile.unit.name,
                "history": [dict(zip(keys, row, strict=True)) for row in rows],
            },
            filename=filename,
        )
    return exports.csv_response(
        header, [[("x" if v is True else "" if v is False else v) for v in r] for r in rows], filename=filename
    )


def _transpose(group_history):
    if not group_history:
        return []
    codes = list(group_history)
    labels = [label for label, _v in group_history[codes[0]]]
    return [(label, [group_history[c][i][1] for c in codes]) for i, label in enumerate(labels)]


@public_cache
def scorecard(request, tree, code):
    profile = _profile_or_404(request, tree, code)
    return render(
        request,
        "portal/scorecard.html",
        {
            "trend": _trend_chart(profile, months=12),
            "children_ends": _children_ends(profile),
            "profile": profile,
            "details": _details(profile.result, profile.groups),
            "groups_chart": _groups_chart(profile) if profile.pkey else None,
        },
    )


def _children_ends(profile, n: int = 3):
    """The best and the worst few subordinate units of the month, for a notice board."""
    if profile.pkey is None:
        return None
    ranked = [
        r
        for r in selectors.unit_ranking(
            period_key=profile.pkey.key, parent=profile.unit, level=_child_level(profile.unit), scope="peer"
        )
        if r.rank
    ]
    if len(ranked) < 2 * n:
        return None
    return {"top": ranked[:n], "bottom": ranked[-n:], "of": len(ranked)}


@embeddable
@public_cache
def embed_unit(request, tree, code):
    profile = _profile_or_404(request, tree, code)
    return render(
        request,
        "portal/embed_unit.html",
        {"profile": profile, "groups_chart": _groups_chart(profile) if profile.pkey else None},
    )


@embeddable
@public_cache
def embed_children(request, tree, code):
    profile = _profile_or_404(request, tree, code)
    children = []
    if profile.pkey:
        children = list(
            selectors.unit_ranking(
                period_key=profile.pkey.key, parent=profile.unit, level=_child_level(profile.unit), scope="peer"
            )
        )
    return render(request, "portal/embed_children.html", {"profile": profile, "children": children})


# --- compare, map ----------------------------------------------------------------------------------------


@public_cache
def compare(request):
    refs = [r for r in request.GET.getlist("u") if r][:4]
    units = [u for u in (selectors.unit_by_ref(r) for r in refs) if u is not None]
    staff = _staff(request)
    profiles = [selectors.unit_profile(unit=u, period_key=None, staff=staff) for u in units]
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
            title=_("So sánh điểm tổng hợp: %(units)s") % {"units": ", ".join(p.unit.name for p in profiles)},
            desc=_("Điểm tổng hợp theo tháng của từng đơn vị được so sánh."),
            labels=[lab.short_label for lab in labels],
            series=series,
        )
        group_codes = [g.code for g in selectors.group_indicators()]
        context["group_rows"] = [
            (code, [next((g for g in p.groups if g["code"] == code), None) for p in profiles]) for code in group_codes
        ]
    fmt = request.GET.get("format")
    if fmt in ("csv", "json") and len(profiles) >= 2:
        return _compare_download(context, profiles, fmt)
    return render(request, "portal/compare.html", context)


def _compare_download(context, profiles, fmt):
    header = [_("Tháng"), *[p.unit.name for p in profiles]]
    rows = [[label.key, *values] for label, values in context["rows"]]
    if fmt == "json":
        return exports.json_response(
            {
                "units": [{"code": p.unit.code, "tree": p.unit.tree, "name": p.unit.name} for p in profiles],
                "totals_by_month": [
                    dict(zip(["period", *[p.unit.code for p in profiles]], r, strict=True)) for r in rows
                ],
            },
            filename="so-sanh",
        )
    return exports.csv_response(header, rows, filename="so-sanh")


def _unit_search(q):
    from units.selectors import unit_search

    return unit_search(q=q, limit=15)


@public_cache
def unit_map(request):
    state = RankingState(request)
    results = list(state.results().select_related("unit")) if state.pkey else []
    points = [
        charts.MapPoint(
            name=r.unit.name,
            latitude=r.unit.latitude,
            longitude=r.unit.longitude,
            colour=r.band.colour if r.band else "#5c5f66",
            href=reverse("portal:unit", args=[r.unit.tree, r.unit.code]),
            caption=(f"{format_number(r.total)} — {r.band.name}" if r.band else _("chưa có số liệu")),
            label=r.unit.short_name,
        )
        for r in results
    ]
    svg = None
    if points and state.pkey:
        svg = charts.dot_map(
            uid="map",
            title=_("Bản đồ xếp loại %(level)s, %(period)s")
            % {"level": Level(state.level).label.lower(), "period": state.pkey.label},
            desc=_("Mỗi chấm là một đơn vị tại tọa độ của nó, tô màu theo xếp loại; bảng bên dưới có cùng số liệu."),
            points=points,
        )
    return render(
        request,
        "portal/map.html",
        {
            "state": state,
            "results": results,
            "svg": svg,
            "bands": ClassificationBand.objects.order_by("-min_total"),
            "level_choices": [(lv, Level(lv).label) for lv in state.levels],
            "parent_ref": selectors.unit_ref(state.parent) if state.parent else "all",
        },
    )


# --- methodology, open data, feed ----------------------------------------------------------------------


@public_cache
def methodology(request):
    framework = framework_for()
    indicators = [i for i in catalogue(framework=framework) if i.kind != IndicatorKind.OPERATIONAL]
    operational = [i for i in catalogue(framework=framework) if i.kind == IndicatorKind.OPERATIONAL]
    pkey = period_key_parse(request.GET.get("period")) if request.GET.get("period") else None
    revisions = []
    if pkey is not None and pkey.kind == "month":
        home = selectors.home_unit()
        if not _staff(request) and pkey.key not in selectors.published_month_keys(unit=home):
            raise Http404(_("Tháng này chưa được công bố."))
        revisions = list(selectors.month_revisions(pkey=pkey))
    periods = selectors.periods_with_data()
    return render(
        request,
        "portal/methodology.html",
        {
            "framework": framework,
            "indicators": indicators,
            "operational": operational,
            "bands": ClassificationBand.objects.order_by("-min_total"),
            "pkey": pkey,
            "revisions": revisions,
            "periods": periods,
        },
    )


def open_data(request):
    home = selectors.home_unit()
    return render(
        request, "portal/open_data.html", {"home_ref": selectors.unit_ref(home) if home else "", "home": home}
    )


def openapi(request):
    return JsonResponse(
        openapi_document(base_url=request.build_absolute_uri("/")),
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )


def language(request, code):
    """Switch the language with a plain link (no form, so cached pages carry no CSRF token)."""
    nxt = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    if code not in dict(settings.LANGUAGES):
        raise Http404()
    translation.activate(code)
    response = HttpResponseRedirect(nxt)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def health(request):
    """For the load balancer: the database, the cache and the broker, each "ok" or "error".

    Only the database decides the status code: public pages keep serving without Redis
    (ranking jobs wait), so a broker outage is reported but does not take the web out.
    """
    report = {"database": _check(_database), "cache": _check(_cache), "broker": _check(_broker)}
    return JsonResponse(report, status=200 if report["database"] == "ok" else 503)


def _check(probe) -> str:
    try:
        return probe()
    except Exception as exc:  # any failure is "error"; the reason goes to the log, not to the caller
        logger.warning("health check %s failed: %s", probe.__name__, exc)
        return "error"


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _cache() -> str:
    cache.set("healthz", "1", 5)
    return "ok" if cache.get("healthz") == "1" else "error"


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"
