"""Charts drawn on the server as SVG: they work without JavaScript, in print and in PDFs.

Each chart is a <figure> whose caption carries a visible title and a subtitle (the unit and the
source); the SVG is an image named by that title and described by its <desc>, and the page puts the
same figures in a table beside it. Months sit on a continuous time axis (a missing month is a gap,
not a neighbour), value axes have ticks at round numbers.

Every chart is drawn in a viewBox WIDTH units wide and scales with the page. The stylesheet sets the
text to TEXT_PHONE units on narrow screens (≥ 12 CSS px on a 375 px phone) and smaller on wide
ones, so the layout below leaves room for TEXT_PHONE-sized text.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from indicators.formatting import format_number
from units.collation import name_key

# Distinguishable, and each at least 3:1 against white (WCAG 1.4.11 non-text contrast).
PALETTE = ["#1f5fa8", "#b42318", "#1a7f37", "#8a4baf", "#9a6700", "#0e7490", "#5c5f66"]
DASHES = ["", "6 3", "2 3", "8 3 2 3"]
WIDTH = 480
TEXT_PHONE = 18  # the text size the layout is computed for (the CSS uses it at ≤ 40rem)
CHAR = 0.56 * TEXT_PHONE  # the average width of a character at that size, for fitting labels


@dataclass
class Series:
    """One line: a name and a value per month of the chart (None leaves a gap); `dashed` marks predecessors."""

    name: str
    values: list[Decimal | float | None]
    dashed: bool = False
    colour: str | None = None
    extra: dict = field(default_factory=dict)


def _f(value) -> str:
    return f"{float(value):.1f}"


def _figure(*, uid: str, title: str, subtitle: str, desc: str, svg_body: list[str], height: float, css_class: str,
            after: str = "") -> SafeString:  # fmt: skip
    """The figure: a visible caption (title, subtitle), then the SVG named by the caption and described by <desc>."""
    svg = (
        f'<svg class="chart {css_class}" viewBox="0 0 {WIDTH} {_f(height)}" role="img" '
        f'aria-labelledby="{uid}-t {uid}-s" aria-describedby="{uid}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<desc id="{uid}-d">{escape(desc)}</desc>' + "".join(svg_body) + "</svg>"
    )
    caption = format_html(
        '<figcaption><span class="chart-title" id="{}-t">{}</span> <span class="chart-sub" id="{}-s">{}</span>'
        "</figcaption>",
        uid,
        title,
        uid,
        subtitle,
    )
    return mark_safe(f'<figure class="chart-box">{caption}{svg}{after}</figure>')


# --- scales ---------------------------------------------------------------------------------------------


def nice_ticks(lo: float, hi: float, *, count: int = 5, integer: bool = False) -> list[float]:
    """Round tick values covering [lo, hi]: a step of 1, 2 or 5 times a power of ten.

    Of the steps that give at most count + 2 ticks, the one closest to `count` ticks wins; between two
    equally close, the one that wastes less of the axis.
    """
    if hi - lo < 1 and not integer:  # one value, or nearly: a point either side
        lo, hi = lo - 1, hi + 1
    if hi <= lo:
        hi = lo + 1
    power = 10 ** math.floor(math.log10((hi - lo) / max(1, count - 1)))
    best = None
    for p in (power / 10, power, power * 10):
        for m in (1, 2, 5):
            step = m * p
            if integer and (step < 1 or step != int(step)):
                continue
            first = math.floor(lo / step + 1e-9) * step
            last = math.ceil(hi / step - 1e-9) * step
            n = round((last - first) / step) + 1
            if n > count + 2 or n < 2:
                continue
            score = (abs(n - count), (last - first) - (hi - lo))
            if best is None or score < best[0]:
                best = (score, first, step, n)
    if best is None:
        return [lo, hi]
    _score, first, step, n = best
    return [round(first + i * step, 6) for i in range(n)]


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_axis(months: list[tuple[int, int]]) -> tuple[int, int, list[tuple[int, str]]]:
    """The continuous span of the months (first and last index) and the round months to label.

    Labels fall on January, or every 6, 4, 3, 2 months or each month, whichever gives at most five.
    """
    indexes = [_month_index(y, m) for y, m in months]
    first, last = min(indexes), max(indexes)
    span = last - first + 1
    step = next(s for s in (1, 2, 3, 4, 6, 12, 24) if span / s <= 5)
    ticks = []
    for index in range(first, last + 1):
        year, month = divmod(index, 12)
        if month % step == 0 or step == 1:
            ticks.append((index, f"{month + 1}/{year}" if step < 12 else str(year)))
    if not ticks:  # a short span between round months: label its ends
        ticks = [(i, f"{i % 12 + 1}/{i // 12}") for i in sorted({first, last})]
    return first, last, ticks


# --- line chart -----------------------------------------------------------------------------------------


def _dash_attr(s: Series, n: int) -> str:
    dash = "6 4" if s.dashed else DASHES[n % len(DASHES)]
    return f' stroke-dasharray="{dash}"' if dash else ""


def _value_axis(lo: float, hi: float, invert: bool) -> tuple[float, float, list]:
    """The value axis's range and round ticks; for ranks (`invert`) 1 on top and no tick beyond the peers."""
    ticks = nice_ticks(lo, hi, integer=invert)
    if invert:
        hi = max(hi, 2.0)
        return 1.0, hi, sorted({1, *(t for t in ticks if 1 <= t <= hi)})
    return min(ticks[0], lo), max(ticks[-1], hi), ticks


def _series_svg(s: Series, n: int, months: list[tuple[int, int]], x, y) -> list[str]:
    """One series: its line broken at missing months, and a dot with a title per value."""
    colour = s.colour or PALETTE[n % len(PALETTE)]
    dash_attr = _dash_attr(s, n)
    points = sorted((_month_index(*m), v) for m, v in zip(months, s.values, strict=True) if v is not None)
    segments, current, previous = [], [], None
    for index, v in points:
        if previous is not None and index != previous + 1:  # a missing month breaks the line
            segments.append(current)
            current = []
        current.append((x(index), y(v)))
        previous = index
    segments.append(current)
    out = [f'<g class="series" stroke="{colour}" fill="{colour}">']
    for seg in segments:
        if len(seg) > 1:
            coords = " ".join(f"{_f(px)},{_f(py)}" for px, py in seg)
            out.append(f'<polyline fill="none" stroke-width="2.5"{dash_attr} points="{coords}"/>')
    for index, v in points:
        year, month = divmod(index, 12)
        out.append(
            f'<circle cx="{_f(x(index))}" cy="{_f(y(v))}" r="3.5"><title>{escape(s.name)}, {month + 1}/{year}: '
            f"{format_number(v)}</title></circle>"
        )
    out.append("</g>")
    return out


def _legend_svg(series: list[Series], per_row: int, baseline: float) -> list[str]:
    """The legend under the plot: a sample of each line and its name, cut to the column's width."""
    out = []
    column_w = (WIDTH - 40) / per_row
    for n, s in enumerate(series):
        colour = s.colour or PALETTE[n % len(PALETTE)]
        lx = (n % per_row) * column_w
        ly = baseline + TEXT_PHONE * 2 + 14 + (n // per_row) * (TEXT_PHONE + 10)
        room = int((column_w - 40) / CHAR)
        name = s.name if len(s.name) <= room else s.name[: room - 1] + "…"
        out.append(
            f'<line x1="{_f(lx)}" x2="{_f(lx + 30)}" y1="{_f(ly - TEXT_PHONE * 0.35)}" '
            f'y2="{_f(ly - TEXT_PHONE * 0.35)}" stroke="{colour}" stroke-width="3"{_dash_attr(s, n)}/>'
        )
        out.append(f'<text class="legend" x="{_f(lx + 36)}" y="{_f(ly)}">{escape(name)}</text>')
    return out


def line_chart(
    *,
    uid: str,
    title: str,
    subtitle: str,
    desc: str,
    months: list[tuple[int, int]],
    series: list[Series],
    y_label: str,
    y_min=None,
    y_max=None,
    invert: bool = False,
) -> SafeString:
    """Series over months (year, month) on a continuous time axis; `invert` puts low values on top (ranks).

    Each series has a value per entry of `months`; months absent from the list, or with None, are gaps.
    """
    pairs = [(m, v) for s in series for m, v in zip(months, s.values, strict=True) if v is not None]
    if not pairs:
        return mark_safe("")
    values = [float(v) for _m, v in pairs]
    first, last, x_ticks = month_axis([m for m, _v in pairs])
    lo, hi, ticks = _value_axis(
        float(y_min) if y_min is not None else min(values), float(y_max) if y_max is not None else max(values), invert
    )
    legend = len(series) > 1
    per_row = 2 if max(len(s.name) for s in series) * CHAR <= (WIDTH - 40) / 2 - 40 else 1
    legend_rows = math.ceil(len(series) / per_row) if legend else 0
    tick_width = max(len(format_number(t)) for t in ticks) * CHAR
    left, right, top = max(40, tick_width + 10), 34, TEXT_PHONE + 14
    plot_h = 190
    height = top + plot_h + TEXT_PHONE + 14 + legend_rows * (TEXT_PHONE + 10) + (8 if legend else 0)
    plot_w = WIDTH - left - right

    def x(index: int) -> float:
        return left + (plot_w * (index - first) / (last - first) if last > first else plot_w / 2)

    def y(v) -> float:
        share = (float(v) - lo) / (hi - lo)
        return top + (share * plot_h if invert else (1 - share) * plot_h)

    out = [f'<text class="axis-title" x="0" y="{TEXT_PHONE}">{escape(y_label)}</text>']
    for t in ticks:
        out.append(f'<line class="grid" x1="{_f(left)}" x2="{WIDTH - right}" y1="{_f(y(t))}" y2="{_f(y(t))}"/>')
        out.append(
            f'<text class="tick" x="{_f(left - 6)}" y="{_f(y(t) + TEXT_PHONE * 0.35)}" text-anchor="end">'
            f"{format_number(t)}</text>"
        )
    baseline = top + plot_h
    for index, label in x_ticks:
        out.append(f'<line class="axis" x1="{_f(x(index))}" x2="{_f(x(index))}" y1="{baseline}" y2="{baseline + 5}"/>')
        out.append(
            f'<text class="tick" x="{_f(x(index))}" y="{_f(baseline + TEXT_PHONE + 6)}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    for n, s in enumerate(series):
        out += _series_svg(s, n, months, x, y)
    if legend:
        out += _legend_svg(series, per_row, baseline)
    return _figure(uid=uid, title=title, subtitle=subtitle, desc=desc, svg_body=out, height=height, css_class="line")


# --- bars -----------------------------------------------------------------------------------------------


def bar_chart(*, uid: str, title: str, subtitle: str, desc: str, bars: list[tuple[str, object, object]]) -> SafeString:
    """Horizontal bars of points against their maximum: (label, value, maximum); each label above its bar."""
    if not bars:
        return mark_safe("")
    row_h = TEXT_PHONE + 8 + 16 + 14
    height = row_h * len(bars)
    out = []
    for i, (label, value, maximum) in enumerate(bars):
        y0 = i * row_h
        text_y = y0 + TEXT_PHONE
        figure = f"{format_number(value)}/{format_number(maximum)}" if value is not None else "—"
        room = int((WIDTH - len(figure) * CHAR - 12) / CHAR)
        shown = label if len(label) <= room else label[: room - 1] + "…"
        out.append(f'<text class="label" x="0" y="{text_y}">{escape(shown)}</text>')
        out.append(f'<text class="value" x="{WIDTH}" y="{text_y}" text-anchor="end">{figure}</text>')
        bar_y = y0 + TEXT_PHONE + 8
        out.append(f'<rect class="track" x="0" y="{bar_y}" width="{WIDTH}" height="16" rx="2"/>')
        if value is not None and maximum:
            share = max(0.0, min(1.0, float(value) / float(maximum)))
            out.append(
                f'<rect class="bar" x="0" y="{bar_y}" width="{_f(WIDTH * share)}" height="16" rx="2">'
                f"<title>{escape(label)}: {figure}</title></rect>"
            )
    return _figure(uid=uid, title=title, subtitle=subtitle, desc=desc, svg_body=out, height=height, css_class="bars")


# --- map ------------------------------------------------------------------------------------------------


@dataclass
class MapPoint:
    """A unit on the map: where it is, its band colour, where its link goes."""

    name: str
    latitude: float
    longitude: float
    colour: str
    href: str
    caption: str
    label: str = ""


@dataclass
class _Placed:
    point: MapPoint
    x: float
    y: float
    anchor: tuple[float, float] | None = None  # the true position, when the marker was moved off a shared one


def _spread(placed: list[_Placed], *, radius: float) -> list[list[_Placed]]:
    """Markers closer than a marker's width are fanned out on a ring around their centre; returns the clusters."""
    clusters: list[list[_Placed]] = []
    for p in placed:
        for cluster in clusters:
            cx = sum(q.x for q in cluster) / len(cluster)
            cy = sum(q.y for q in cluster) / len(cluster)
            if math.hypot(p.x - cx, p.y - cy) < radius * 2:
                cluster.append(p)
                break
        else:
            clusters.append([p])
    crowded = [c for c in clusters if len(c) > 1]
    for cluster in crowded:
        cx = sum(q.x for q in cluster) / len(cluster)
        cy = sum(q.y for q in cluster) / len(cluster)
        ring = max(radius * 2.4, radius * 2.4 * len(cluster) / (2 * math.pi) * 1.1)
        for k, q in enumerate(sorted(cluster, key=lambda q: name_key(q.point.name))):
            angle = -math.pi / 2 + 2 * math.pi * k / len(cluster)
            q.anchor = (q.x, q.y)
            q.x, q.y = cx + ring * math.cos(angle), cy + ring * math.sin(angle)
    return crowded


# Longer than 60 lines on purpose: it draws one SVG in order (frame, dots, legend); each part is a few lines of
# markup.
def dot_map(
    *, uid: str, title: str, subtitle: str, desc: str, points: list[MapPoint], legend: list[tuple[str, str]]
) -> SafeString:
    """Units as markers at their coordinates, coloured by band, with the legend and a list of shared positions.

    Equirectangular, scaled to the points' extent: no tiles, nothing fetched. Markers that would sit on top
    of each other (merged communes keep their district's coordinates) are fanned out around the shared
    position, joined to it by a thin line, and named under the map. Labels go where they do not cover
    another label or marker, else are left to the table. The markers are not links (an image must not
    hold controls); the table beside the map links each unit.
    """
    located = [p for p in points if p.latitude is not None and p.longitude is not None]
    if not located:
        return mark_safe("")
    radius, pad = 9.0, 16.0
    lat_mid = sum(p.latitude for p in located) / len(located)
    squeeze = math.cos(math.radians(lat_mid))  # a degree of longitude is shorter than one of latitude
    xs = [p.longitude * squeeze for p in located]
    ys = [p.latitude for p in located]
    span_x, span_y = max(max(xs) - min(xs), 1e-6), max(max(ys) - min(ys), 1e-6)
    scale = min((WIDTH - 2 * pad - 140) / span_x, 420 / span_y) if len(located) > 1 else 1.0
    plot_w, plot_h = span_x * scale, span_y * scale
    off_x = (WIDTH - plot_w) / 2
    height = max(240.0, plot_h + 2 * pad + 40)
    off_y = (height - plot_h) / 2
    placed = [
        _Placed(point=p, x=off_x + (p.longitude * squeeze - min(xs)) * scale, y=off_y + (max(ys) - p.latitude) * scale)
        for p in located
    ]
    crowded = _spread(placed, radius=radius)
    out = [f'<rect class="sea" x="0" y="0" width="{WIDTH}" height="{_f(height)}"/>']
    for q in placed:
        if q.anchor:
            out.append(
                f'<line class="leader" x1="{_f(q.anchor[0])}" y1="{_f(q.anchor[1])}" x2="{_f(q.x)}" y2="{_f(q.y)}"/>'
            )
    for cluster in crowded:
        ax, ay = cluster[0].anchor
        out.append(f'<circle class="shared" cx="{_f(ax)}" cy="{_f(ay)}" r="3"/>')
    boxes = [(q.x - radius, q.y - radius, q.x + radius, q.y + radius) for q in placed]
    labels = []
    for q in sorted(placed, key=lambda q: (q.y, q.x)):
        out.append(
            f'<circle class="dot" cx="{_f(q.x)}" cy="{_f(q.y)}" r="{radius}" fill="{escape(q.point.colour)}">'
            f"<title>{escape(q.point.name)}: {escape(q.point.caption)}</title></circle>"
        )
        if not q.point.label:
            continue
        w, h = len(q.point.label) * CHAR, TEXT_PHONE
        for dx, dy, anchor in ((radius + 4, h * 0.35, "start"), (-radius - 4, h * 0.35, "end"),
                               (0, -radius - 6, "middle"), (0, radius + h, "middle")):  # fmt: skip
            x0 = q.x + dx - (w if anchor == "end" else w / 2 if anchor == "middle" else 0)
            box = (x0, q.y + dy - h * 0.85, x0 + w, q.y + dy + h * 0.2)
            inside = box[0] >= 0 and box[2] <= WIDTH and box[1] >= 0 and box[3] <= height
            free = all(box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in boxes + labels)
            if inside and free:
                labels.append(box)
                out.append(
                    f'<text class="place" x="{_f(q.x + dx)}" y="{_f(q.y + dy)}" text-anchor="{anchor}">'
                    f"{escape(q.point.label)}</text>"
                )
                break
    keys = "".join(
        # An SVG swatch: its fill is an attribute, which the site's CSP (no inline styles) allows.
        format_html(
            '<li><svg class="swatch" viewBox="0 0 1 1" aria-hidden="true"><rect width="1" height="1" fill="{}"/></svg>'
            "{}</li>",
            colour,
            text,
        )
        for colour, text in legend
    )
    after = format_html('<ul class="legend">{}</ul>', mark_safe(keys)) if keys else ""
    if crowded:
        items = "".join(
            format_html("<li>{}</li>", ", ".join(sorted((q.point.name for q in cluster), key=name_key)))
            for cluster in crowded
        )
        after += format_html(
            '<div class="shared-note"><p>{}</p><ul>{}</ul></div>', desc_shared(len(crowded)), mark_safe(items)
        )
    return _figure(
        uid=uid, title=title, subtitle=subtitle, desc=desc, svg_body=out, height=height, css_class="map", after=after
    )


def desc_shared(count: int) -> str:
    from django.utils.translation import ngettext

    return ngettext(
        "Các đơn vị sau dùng chung một tọa độ trong danh mục (vị trí gần đúng), nên được xếp vòng quanh điểm đó:",
        "Các nhóm đơn vị sau dùng chung tọa độ trong danh mục (vị trí gần đúng), nên được xếp vòng quanh điểm đó:",
        count,
    )
