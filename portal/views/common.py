"""What the public views share: widget framing, charts and explanations of a unit's result."""

from decimal import Decimal

from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt

from indicators.periods import PeriodKeyError, PeriodSpan, period_span
from units.models import Level

from .. import charts, exports, selectors
from ..errors import Invalid, Link, NotFound, nearest

PER_PAGE_CHOICES = (25, 50, 100, 200)
DEFAULT_PER_PAGE = 100


def embeddable(view):
    """Widget routes only: other sites may frame them (every other page is DENY)."""
    view = xframe_options_exempt(view)

    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        # The site-wide policy, except that any site may frame the widget.
        response["Content-Security-Policy"] = (
            "default-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
            "base-uri 'self'; frame-ancestors *"
        )
        return response

    wrapper.__name__ = view.__name__
    return wrapper


def child_level(unit) -> str:
    return {Level.PROVINCE: Level.DISTRICT, Level.DISTRICT: Level.COMMUNE}.get(unit.level, Level.COMMUNE)


def published_dispatch_url(unit, pkey) -> str | None:
    """The public address of the month's dispatch PDF (the signed copy once there is one), if it is public."""
    from indicators.models import Period
    from publishing.selectors import public_dispatches

    if pkey.kind != "month":
        return None
    period = Period.objects.filter(year=pkey.year, month=pkey.number).first()
    if period is None or not public_dispatches(period=period).filter(unit=unit).exists():
        return None
    return reverse("dispatches:public-pdf", args=[unit.code, pkey.key])


NO_DATA_COLOUR = "#5c5f66"


def page_provenance(request) -> exports.Provenance:
    """The provenance of a download: the address of the page it is the table of (the same query, no format)."""
    query = request.GET.copy()
    for name in ("format", "page"):
        query.pop(name, None)
    path = request.path + (f"?{query.urlencode()}" if query else "")
    return exports.Provenance(url=request.build_absolute_uri(path))


def chart_source() -> str:
    return _("Nguồn: Cổng Dịch vụ công quốc gia, số liệu đã công bố")


def _span(months: list) -> str:
    """ "9/2023–8/2024" for a list of PeriodKeys in order (one month: "8/2024")."""
    if not months:
        return ""
    if len(months) == 1:
        return months[0].short_label
    return f"{months[0].short_label}–{months[-1].short_label}"


def trend_chart(profile, *, months: int | None = None):
    """The unit's total by month (and its predecessors', dashed), on a continuous month axis."""
    history = [h for h in profile.history if h.result.total is not None]
    keys = sorted({h.pkey.key: h.pkey for h in history}.values(), key=lambda p: p.sort_key)
    if months:
        keys = keys[-months:]
    wanted = {p.key for p in keys}
    names: dict[int, tuple[str, bool]] = {}
    for h in history:
        names.setdefault(h.result.unit_id, (h.result.unit.name, h.is_predecessor))
    series = []
    for unit_id, (name, is_pred) in names.items():
        by_key = {h.pkey.key: h.result.total for h in history if h.result.unit_id == unit_id and h.pkey.key in wanted}
        if by_key:
            label = name + (" " + _("(trước sáp nhập)") if is_pred else "")
            series.append(charts.Series(name=label, values=[by_key.get(p.key) for p in keys], dashed=is_pred))
    if not series:
        return None
    return charts.line_chart(
        uid=f"trend-{profile.unit.pk}",
        title=_("Điểm tổng hợp theo tháng"),
        subtitle=_("%(unit)s, %(span)s. %(source)s")
        % {"unit": profile.unit.name, "span": _span(keys), "source": chart_source()},
        desc=_(
            "Điểm tổng hợp (thang 100) của %(unit)s theo tháng, từ %(first)s đến %(last)s; tháng không có số liệu "
            "để trống; đường nét đứt là đơn vị trước sáp nhập."
        )
        % {"unit": profile.unit.name, "first": keys[0].short_label, "last": keys[-1].short_label},
        months=[(p.year, p.number) for p in keys],
        series=series,
        y_label=_("Điểm"),
    )


def rank_chart(profile):
    """The unit's own rank by month among its peers, rank 1 at the top; left out when it was ranked alone."""
    own = [h for h in profile.history if not h.is_predecessor and h.result.rank]
    if len(own) < 2 or max(h.result.rank_of or 0 for h in own) < 2:
        return None
    latest = own[-1].result
    peers = (
        _("trong %(n)s đơn vị cùng cấp thuộc %(parent)s") % {"n": latest.rank_of, "parent": latest.parent.name}
        if latest.parent
        else _("trong %(n)s đơn vị cùng cấp") % {"n": latest.rank_of}
    )
    return charts.line_chart(
        uid=f"rank-{profile.unit.pk}",
        title=_("Thứ hạng theo tháng"),
        subtitle=_("%(unit)s, %(peers)s; hạng 1 ở trên cùng. %(source)s")
        % {"unit": profile.unit.name, "peers": peers, "source": chart_source()},
        desc=_("Hạng của %(unit)s trong nhóm đơn vị cùng cấp theo tháng; hạng 1 ở trên cùng.")
        % {"unit": profile.unit.name},
        months=[(h.pkey.year, h.pkey.number) for h in own],
        series=[charts.Series(name=profile.unit.name, values=[h.result.rank for h in own])],
        y_label=_("Hạng (1 = cao nhất)"),
        y_min=1,
        y_max=max(h.result.rank_of for h in own),
        invert=True,
    )


def group_trend_chart(profile):
    """Each group's points by month (one line per group)."""
    months = [h.pkey for h in profile.history if not h.is_predecessor]
    if not profile.group_history or not months:
        return None
    group_names = {g.code: g.name for g in selectors.group_indicators()}
    series = [
        charts.Series(name=f"{code}. {group_names.get(code, code)}", values=[v for _label, v in values])
        for code, values in profile.group_history.items()
    ]
    with_points = [p for i, p in enumerate(months) if any(s.values[i] is not None for s in series)]
    return charts.line_chart(
        uid=f"gtrend-{profile.unit.pk}",
        title=_("Điểm các nhóm chỉ số theo tháng"),
        subtitle=_("%(unit)s, %(span)s; mỗi đường là một nhóm. %(source)s")
        % {"unit": profile.unit.name, "span": _span(with_points), "source": chart_source()},
        desc=_("Điểm của từng nhóm chỉ số của %(unit)s theo tháng.") % {"unit": profile.unit.name},
        months=[(p.year, p.number) for p in months],
        series=series,
        y_label=_("Điểm"),
        y_min=0,
    )


def groups_chart(profile):
    bars = [(f"{g['code']}. {g['name']}", g["points"], g["max"]) for g in profile.groups if g["points"] is not None]
    if not bars:
        return None
    return charts.bar_chart(
        uid=f"groups-{profile.unit.pk}",
        title=_("Điểm các nhóm chỉ số so với điểm tối đa"),
        subtitle=_("%(unit)s, %(period)s. %(source)s")
        % {"unit": profile.unit.name, "period": profile.pkey.label, "source": chart_source()},
        desc=_("Mỗi thanh là điểm đạt được của một nhóm; phần nền là điểm tối đa của nhóm."),
        bars=bars,
    )


def period_links(request, periods, *, path: str | None = None) -> list[Link]:
    """Links to the same page for each of `periods` (the other parameters kept, the page number dropped)."""
    links = []
    for p in periods:
        query = request.GET.copy()
        query["period"] = p.key
        for name in ("page", "format"):
            query.pop(name, None)
        links.append(
            Link(url=f"{path or request.path}?{query.urlencode()}", label=_("Xem %(period)s") % {"period": p.label})
        )
    return links


def asked_period(request) -> PeriodSpan | None:
    """The period the address names (`?period=`), read by the one period rule; None when it names none.

    A period in a form the portal does not read is a 400 with the parser's own message, as the API answers it."""
    asked = request.GET.get("period")
    if not asked:
        return None
    try:
        return period_span(asked)
    except PeriodKeyError as exc:
        raise Invalid(str(exc)) from None


def period_problem(span: PeriodSpan) -> str:
    """Why a well-formed period shows nothing on a page: it is not published, or has no figures there."""
    return _("%(period)s chưa được công bố hoặc không có số liệu ở trang này.") % {"period": capfirst(span.label)}


def profile_or_404(request, tree, code):
    unit = selectors.unit_get(tree=tree, code=code)
    if unit is None:
        raise NotFound(
            _("Không có đơn vị nào mang mã “%(code)s” trong danh mục “%(tree)s”.") % {"code": code, "tree": tree}
        )
    asked = asked_period(request)
    profile = selectors.unit_profile(unit=unit, period_key=asked.key if asked else None)
    if profile is None:
        latest = selectors.unit_profile(unit=unit, period_key=None)
        links = period_links(request, nearest(latest.available, asked.key)) if latest else []
        links.append(
            Link(
                url=reverse("portal:unit", args=[tree, code]),
                label=_("Xem hồ sơ %(unit)s (kỳ mới nhất đã công bố)") % {"unit": unit.name},
            )
        )
        raise NotFound(period_problem(asked), links=links)
    return profile


def _dec(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def result_explained(result, groups=()) -> dict:
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
    known = [g for g in groups_detail.values() if isinstance(g, dict) and g.get("change") is not None]
    return {
        # Whether the month and the one before both had group points: without them a change of the
        # total cannot be split by group, and the page says so instead of "no change".
        "group_changes_known": bool(known),
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
