"""Charts drawn on the server as SVG: they work without JavaScript, in print and in PDFs.

Every chart carries a <title> and a <desc>; the page puts the same figures in a table beside it.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from indicators.formatting import format_number

# Distinguishable, and each at least 3:1 against white (WCAG 1.4.11 non-text contrast).
PALETTE = ["#1f5fa8", "#b42318", "#1a7f37", "#8a4baf", "#9a6700", "#0e7490", "#5c5f66"]
DASHES = ["", "6 3", "2 3", "8 3 2 3"]


@dataclass
class Series:
    """One line: a name and a value per x label (None leaves a gap); `dashed` marks predecessors."""

    name: str
    values: list[Decimal | float | None]
    dashed: bool = False
    colour: str | None = None
    extra: dict = field(default_factory=dict)


def _f(value) -> str:
    return f"{float(value):.1f}"


def _svg_open(*, uid: str, title: str, desc: str, width: int, height: int, css_class: str) -> list[str]:
    return [
        f'<svg class="chart {css_class}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{uid}-t">{escape(title)}</title>',
        f'<desc id="{uid}-d">{escape(desc)}</desc>',
    ]


def line_chart(
    *, uid: str, title: str, desc: str, labels: list[str], series: list[Series], y_min=None, y_max=None, invert=False
) -> SafeString:
    """A line chart of one or more series over the same x labels; `invert` puts low values on top (ranks)."""
    width, height = 520, 300
    # Legend in two columns when the names are short, else one per line (names of merged communes are long).
    per_row = 2 if max((len(s.name) for s in series), default=0) <= 22 else 1
    left, right, top, bottom = 56, 36, 16, 72 + 24 * ((len(series) + per_row - 1) // per_row)
    height += bottom - 72
    values = [float(v) for s in series for v in s.values if v is not None]
    if not values or not labels:
        return mark_safe("")
    lo = float(y_min) if y_min is not None else min(values)
    hi = float(y_max) if y_max is not None else max(values)
    if y_min is None:
        lo = max(0.0, lo - (hi - lo) * 0.15 - 1)
    if y_max is None:
        hi = hi + (hi - lo) * 0.1 + (0 if invert else 1)
    if hi <= lo:
        hi = lo + 1
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i):
        return left + (plot_w * i / (len(labels) - 1) if len(labels) > 1 else plot_w / 2)

    def y(v):
        share = (float(v) - lo) / (hi - lo)
        return top + (share * plot_h if invert else (1 - share) * plot_h)

    out = _svg_open(uid=uid, title=title, desc=desc, width=width, height=height, css_class="line")
    for i in range(5):
        v = lo + (hi - lo) * i / 4
        out.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{_f(y(v))}" y2="{_f(y(v))}"/>')
        out.append(
            f'<text class="tick" x="{left - 6}" y="{_f(y(v) + 4)}" text-anchor="end">{format_number(v, 0 if invert else 1)}</text>'
        )
    # Counted back from the newest month, so the latest label is always there and none collide.
    step = max(1, (len(labels) + 4) // 5)
    shown = set(range(len(labels) - 1, -1, -step))
    for i, label in enumerate(labels):
        if i in shown:
            out.append(
                f'<text class="tick" x="{_f(x(i))}" y="{top + plot_h + 18}" text-anchor="middle">{escape(label)}</text>'
            )
    for n, s in enumerate(series):
        colour = s.colour or PALETTE[n % len(PALETTE)]
        dash = (
            ' stroke-dasharray="6 4"'
            if s.dashed
            else (f' stroke-dasharray="{DASHES[n % len(DASHES)]}"' if DASHES[n % len(DASHES)] else "")
        )
        segments, current = [], []
        for i, v in enumerate(s.values):
            if v is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append((x(i), y(v)))
        if current:
            segments.append(current)
        out.append(f'<g class="series" stroke="{colour}" fill="{colour}">')
        for seg in segments:
            points = " ".join(f"{_f(px)},{_f(py)}" for px, py in seg)
            out.append(f'<polyline fill="none" stroke-width="2.5"{dash} points="{points}"/>')
        for i, v in enumerate(s.values):
            if v is not None:
                out.append(
                    f'<circle cx="{_f(x(i))}" cy="{_f(y(v))}" r="3.5"><title>{escape(s.name)}, {escape(labels[i])}: '
                    f"{format_number(v)}</title></circle>"
                )
        out.append("</g>")
    # Legend under the plot, two per row so that it fits a phone.
    for n, s in enumerate(series):
        colour = s.colour or PALETTE[n % len(PALETTE)]
        lx = left + (n % per_row) * (plot_w / 2)
        ly = top + plot_h + 48 + (n // per_row) * 24
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        out.append(
            f'<line x1="{_f(lx)}" x2="{_f(lx + 22)}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}" stroke-width="3"{dash}/>'
        )
        out.append(
            f'<text class="legend" x="{_f(lx + 28)}" y="{ly}">{escape(s.name[:30] if per_row == 2 else s.name[:52])}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))


def bar_chart(*, uid: str, title: str, desc: str, bars: list[tuple[str, object, object]]) -> SafeString:
    """Horizontal bars of points against their maximum: (label, value, maximum)."""
    if not bars:
        return mark_safe("")
    width, row_h, label_w = 640, 34, 230
    height = row_h * len(bars) + 8
    out = _svg_open(uid=uid, title=title, desc=desc, width=width, height=height, css_class="bars")
    plot_w = width - label_w - 90
    for i, (label, value, maximum) in enumerate(bars):
        y0 = 4 + i * row_h
        out.append(f'<text class="label" x="{label_w - 8}" y="{y0 + 20}" text-anchor="end">{escape(label[:34])}</text>')
        out.append(f'<rect class="track" x="{label_w}" y="{y0 + 6}" width="{plot_w}" height="18" rx="2"/>')
        if value is not None and maximum:
            share = max(0.0, min(1.0, float(value) / float(maximum)))
            out.append(
                f'<rect class="bar" x="{label_w}" y="{y0 + 6}" width="{_f(plot_w * share)}" height="18" rx="2">'
                f"<title>{escape(label)}: {format_number(value)}/{format_number(maximum)}</title></rect>"
            )
            out.append(
                f'<text class="value" x="{label_w + plot_w + 6}" y="{y0 + 20}">{format_number(value)}/{format_number(maximum)}</text>'
            )
    out.append("</svg>")
    return mark_safe("".join(out))


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


def dot_map(*, uid: str, title: str, desc: str, points: list[MapPoint]) -> SafeString:
    """Units as dots at their coordinates (equirectangular, scaled to the points' extent): no tiles needed.

    The dots are not links (an image must not hold controls); the table beside the map links each unit.
    """
    located = [p for p in points if p.latitude is not None and p.longitude is not None]
    if not located:
        return mark_safe("")
    width, height, pad = 640, 560, 28
    lats = [p.latitude for p in located]
    lons = [p.longitude for p in located]
    lat_lo, lat_hi = min(lats), max(lats)
    lon_lo, lon_hi = min(lons), max(lons)
    span = max(lat_hi - lat_lo, lon_hi - lon_lo, 0.05)
    scale = min((width - 2 * pad), (height - 2 * pad)) / span

    def xy(p):
        return pad + (p.longitude - lon_lo) * scale, height - pad - (p.latitude - lat_lo) * scale

    out = _svg_open(uid=uid, title=title, desc=desc, width=width, height=height, css_class="map")
    out.append(f'<rect class="sea" x="0" y="0" width="{width}" height="{height}"/>')
    # Units that share coordinates (merged communes keep their district's) fan out a little.
    seen: dict[tuple, int] = {}
    labelled = len(located) <= 40  # beyond that, names would cover each other; the table has them
    for p in located:
        x, y = xy(p)
        key = (round(x), round(y))
        n = seen.get(key, 0)
        seen[key] = n + 1
        if n:
            x += 9 * ((n % 3) - 1 or 1)
            y += 9 * (n // 3 + 1) * (1 if n % 2 else -1)
        out.append(
            f'<circle class="dot" cx="{_f(x)}" cy="{_f(y)}" r="9" fill="{escape(p.colour)}">'
            f"<title>{escape(p.name)}: {escape(p.caption)}</title></circle>"
        )
        if labelled and p.label:
            out.append(f'<text class="place" x="{_f(x + 12)}" y="{_f(y + 5)}">{escape(p.label)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))
