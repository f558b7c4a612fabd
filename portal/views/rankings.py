"""The rankings page, its downloads, and the map drawn from the same state."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tables2 import RequestConfig

from indicators.formatting import format_number
from indicators.models import ClassificationBand
from indicators.periods import PeriodSpan
from rankings.ranks import coverage_note
from units.models import Level

from .. import charts, exports, selectors
from ..caching import public_cache
from ..errors import Invalid, NotFound, nearest
from ..tables import RankingTable, band_name
from .common import (
    DEFAULT_PER_PAGE,
    NO_DATA_COLOUR,
    PER_PAGE_CHOICES,
    asked_period,
    chart_source,
    page_provenance,
    period_links,
    period_problem,
)

# --- rankings -------------------------------------------------------------------------------------

# What the rankings URL may say (a permalink); the page cache keys on these and drops the rest.
RANKING_PARAMS = ("parent", "level", "period", "q", "sort", "page", "per_page", "format")


class RankingState:
    """Everything the rankings URL says: period, parent, level, search, order, page (a permalink)."""

    def __init__(self, request, *, parent_ref: str | None = None):
        self.request = request
        ref = parent_ref or request.GET.get("parent")
        if ref == "all":
            self.parent = None
        elif ref:
            self.parent = selectors.unit_by_ref(ref)
            if self.parent is None:
                raise NotFound(_("Không tìm thấy đơn vị cấp trên “%(ref)s”.") % {"ref": ref})
        else:
            self.parent = selectors.home_unit(request)
        self.levels = selectors.ranking_levels(parent=self.parent)
        try:
            asked, malformed = asked_period(request), None
        except Invalid as exc:  # said once the months that do exist are known, to offer them
            asked, malformed = None, exc
        level = request.GET.get("level") or ""
        if level not in self.levels:
            level = self._default_level(asked)
        self.level = level
        self.scope = selectors.ranking_scope(parent=self.parent, level=level)
        keys = selectors.ranking_period_keys(parent=self.parent, level=level, scope=self.scope)
        self.available = selectors.visible_keys(keys=keys)
        if malformed is not None:
            raise Invalid(str(malformed), links=period_links(request, nearest(self.available, None)))
        if asked is not None:
            if asked.key not in {p.key for p in self.available}:
                raise NotFound(period_problem(asked), links=period_links(request, nearest(self.available, asked.key)))
            self.pkey = asked
        else:
            months = [p for p in self.available if p.kind == "month"]
            self.pkey = months[0] if months else None
        self.q = (request.GET.get("q") or "").strip()[:100]
        try:
            per_page = int(request.GET.get("per_page", DEFAULT_PER_PAGE))
        except ValueError:
            per_page = DEFAULT_PER_PAGE
        self.per_page = per_page if per_page in PER_PAGE_CHOICES else DEFAULT_PER_PAGE

    def _default_level(self, pkey: PeriodSpan | None) -> str:
        """The lowest level with results; when the address names a period but no level (the feed, older links),
        the lowest level that has that period, so that a province's month of districts opens on its districts."""
        if not self.levels:
            return Level.COMMUNE
        if pkey is not None:
            for level in reversed(self.levels):
                scope = selectors.ranking_scope(parent=self.parent, level=level)
                if pkey.key in selectors.ranking_period_keys(parent=self.parent, level=level, scope=scope):
                    return level
        return self.levels[-1]

    def results(self):
        if self.pkey is None:
            return selectors.unit_ranking(period_key="", parent=self.parent, level=self.level, scope=self.scope).none()
        return selectors.unit_ranking(
            period_key=self.pkey.key, parent=self.parent, level=self.level, scope=self.scope, q=self.q
        )

    def title(self) -> str:
        """What the table is, as the page's heading says it."""
        if self.parent is None:
            return _("Xếp hạng các tỉnh, thành phố")
        return _("Xếp hạng các đơn vị thuộc %(parent)s") % {"parent": self.parent.name}

    def filename(self) -> str:
        parent = selectors.unit_ref(self.parent) if self.parent else "toan-quoc"
        return f"xep-hang-{self.pkey.key if self.pkey else 'trong'}-{parent}-{self.level}"


@public_cache(params=RANKING_PARAMS)
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
    shown_groups = [g for g in groups if f"g{g.code}" not in table.exclude]
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
            "shown_groups": shown_groups,
            "ancestors": selectors.ancestors(state.parent) + ([state.parent] if state.parent else []),
            "level_choices": [(lv, Level(lv).label) for lv in state.levels],
            "per_page_choices": PER_PAGE_CHOICES,
            "data_as_of": as_of,
            "is_demo": is_demo,
            "coverage_note": coverage_note(table.page_records()),
            "query": query.urlencode(),
            "parent_ref": selectors.unit_ref(state.parent) if state.parent else "all",
        },
    )


# Longer than 60 lines on purpose: the columns of the three download formats, side by side so they stay the same.
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
    provenance = page_provenance(state.request)
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
                **provenance.as_json(),
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
    header, data = exports.with_provenance(
        header, data, periods=[state.pkey.key] * len(data), as_ofs=[as_of] * len(data), provenance=provenance
    )
    if fmt == "csv":
        return exports.csv_response(header, data, filename=state.filename())
    about = [
        (_("Bảng"), state.title()),
        (_("Kỳ"), capfirst(state.pkey.label)),
        (_("Số liệu tính đến"), exports.as_of_text(as_of)),
        (_("Nguồn"), provenance.source),
        (_("Địa chỉ trang"), provenance.url),
        (_("Giấy phép"), f"{exports.licence_name()} — {settings.PORTAL_DATA_LICENCE_URL}"),
    ]
    if state.pkey.kind != "month":
        about.append((_("Ghi chú"), _("Điểm của quý, năm là trung bình điểm tổng hợp các tháng đã có số liệu.")))
    if is_demo:
        about.append((_("Ghi chú"), _("Có dữ liệu minh họa (tổng hợp, không phải số liệu công bố chính thức).")))
    return exports.xlsx_response(
        header, data, filename=state.filename(), title=state.pkey.short_label.replace("/", "-"), about=about
    )


def _map_legend(results) -> list[tuple[str, str]]:
    """The bands the map uses, best first, with how many units each has; then the units without figures."""
    counts: dict[int, int] = {}
    for r in results:
        if r.band is not None:
            counts[r.band_id] = counts.get(r.band_id, 0) + 1
    legend = [
        (
            b.colour,
            ngettext(
                "%(band)s (từ %(min)s điểm): %(n)s đơn vị", "%(band)s (từ %(min)s điểm): %(n)s đơn vị", counts[b.pk]
            )
            % {"band": band_name(b), "min": format_number(b.min_total), "n": counts[b.pk]},
        )
        for b in ClassificationBand.objects.order_by("-min_total")
        if b.pk in counts
    ]
    missing = sum(1 for r in results if r.band is None)
    if missing:
        legend.append((NO_DATA_COLOUR, _("Chưa có số liệu: %(n)s đơn vị") % {"n": missing}))
    return legend


@public_cache(params=("parent", "level", "period", "q"))
def unit_map(request):
    state = RankingState(request)
    results = list(state.results().select_related("unit")) if state.pkey else []
    points = [
        charts.MapPoint(
            name=r.unit.name,
            latitude=r.unit.latitude,
            longitude=r.unit.longitude,
            colour=r.band.colour if r.band else NO_DATA_COLOUR,
            href=reverse("portal:unit", args=[r.unit.tree, r.unit.code]),
            caption=(f"{format_number(r.total)} — {band_name(r.band)}" if r.band else _("chưa có số liệu")),
            label=r.unit.short_name,
        )
        for r in results
    ]
    svg = None
    if points and state.pkey:
        where = (
            _("các đơn vị thuộc %(parent)s") % {"parent": state.parent.name}
            if state.parent
            else _("các tỉnh, thành phố")
        )
        svg = charts.dot_map(
            uid="map",
            title=_("Xếp loại %(where)s, %(period)s") % {"where": where, "period": state.pkey.label},
            subtitle=_("Màu theo xếp loại; vị trí theo tọa độ trong danh mục đơn vị hành chính. %(source)s")
            % {"source": chart_source()},
            desc=_("Mỗi chấm là một đơn vị tại tọa độ của nó, tô màu theo xếp loại; bảng bên dưới có cùng số liệu."),
            points=points,
            legend=_map_legend(results),
        )
    return render(
        request,
        "portal/map.html",
        {
            "state": state,
            "results": results,
            "svg": svg,
            "level_choices": [(lv, Level(lv).label) for lv in state.levels],
            "parent_ref": selectors.unit_ref(state.parent) if state.parent else "all",
        },
    )
