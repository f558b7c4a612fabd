"""The SVG charts: visible titles, round ticks, a continuous month axis with gaps, readable text, no external resources."""

import re
from decimal import Decimal

import pytest

from portal import charts


def _line(**kwargs):
    defaults = {
        "uid": "t",
        "title": "Diễn biến <điểm>",
        "subtitle": "Xã A. Nguồn: B",
        "desc": "Mô tả",
        "y_label": "Điểm",
    }
    return charts.line_chart(**{**defaults, **kwargs})


def _numbers(svg: str, css_class: str) -> list[str]:
    return re.findall(rf'<text class="{css_class}"[^>]*>([^<]+)</text>', svg)


def test_line_chart_has_a_visible_title_and_subtitle_that_name_the_image():
    svg = _line(months=[(2024, 1), (2024, 2)], series=[charts.Series(name="Xã A", values=[Decimal("80.5"), 82])])
    assert '<figcaption><span class="chart-title" id="t-t">Diễn biến &lt;điểm&gt;</span>' in svg
    assert '<span class="chart-sub" id="t-s">Xã A. Nguồn: B</span>' in svg
    assert 'role="img" aria-labelledby="t-t t-s" aria-describedby="t-d"' in svg
    assert '<desc id="t-d">Mô tả</desc>' in svg
    assert "80,5" in svg  # Vietnamese numbers in the tooltips


def test_value_ticks_are_round_numbers():
    svg = _line(
        months=[(2024, m) for m in range(1, 5)],
        series=[
            charts.Series(name="Xã A", values=[Decimal("83.4"), Decimal("84.9"), Decimal("86.5"), Decimal("88.03")])
        ],
    )
    ticks = [t for t in _numbers(svg, "tick") if "/" not in t]
    assert ticks == ["82", "84", "86", "88", "90"]


def test_months_sit_on_a_continuous_axis_and_a_missing_month_is_a_gap():
    # 8/2024 and 2/2025 are five months apart, not neighbours; the line breaks between them.
    months = [(2024, 7), (2024, 8), (2025, 2), (2025, 3)]
    svg = _line(months=months, series=[charts.Series(name="Xã A", values=[80, 81, 82, 83])])
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    step = xs[1] - xs[0]
    assert xs[2] - xs[1] == pytest.approx(6 * step, abs=0.5)
    assert svg.count("<polyline") == 2
    labels = [t for t in _numbers(svg, "tick") if "/" in t]
    assert labels == ["7/2024", "9/2024", "11/2024", "1/2025", "3/2025"]  # every other month, from January


def test_a_trailing_month_without_a_value_does_not_stretch_the_axis():
    svg = _line(months=[(2024, 7), (2024, 8), (2025, 2)], series=[charts.Series(name="A", values=[80, 81, None])])
    assert "2/2025" not in svg and "1/2025" not in svg


def test_none_values_leave_gaps_not_zeros():
    months = [(2024, 1), (2024, 2), (2024, 3)]
    svg = _line(months=months, series=[charts.Series(name="Xã A", values=[Decimal("80.5"), None, Decimal("82")])])
    assert svg.count("<circle") == 2
    assert "<polyline" not in svg  # two lone months: two dots, no line through the missing one


def test_rank_chart_puts_rank_one_on_top_with_integer_ticks():
    svg = _line(
        months=[(2024, 1), (2024, 2), (2024, 3)],
        series=[charts.Series(name="A", values=[14, 9, 1])],
        y_label="Hạng (1 = cao nhất)",
        y_min=1,
        y_max=15,
        invert=True,
    )
    ticks = [t for t in _numbers(svg, "tick") if "/" not in t]
    assert ticks[0] == "1" and all("," not in t for t in ticks)
    ys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert ys[2] < ys[1] < ys[0]  # rank 1 is the highest point
    assert '<text class="axis-title"' in svg and "Hạng (1 = cao nhất)" in svg


def test_layout_leaves_room_for_phone_sized_text():
    """Text is TEXT_PHONE units in a WIDTH-unit drawing on a phone: at 343 px of content that is ≥ 12 px."""
    assert charts.TEXT_PHONE * 343 / charts.WIDTH >= 12
    svg = _line(
        months=[(2023, 9), (2024, 8)],
        series=[charts.Series(name="Huyện Tiên Lữ", values=[85, 88]), charts.Series(name="B", values=[80, 81])],
    )
    assert f'viewBox="0 0 {charts.WIDTH} ' in svg


def test_bar_chart_bars_are_proportional_to_the_maximum():
    svg = charts.bar_chart(
        uid="b", title="T", subtitle="S", desc="D", bars=[("1. Công khai, minh bạch", Decimal("9"), Decimal("18"))]
    )
    width = float(svg.split('class="bar"', 1)[1].split('width="', 1)[1].split('"', 1)[0])
    track = float(svg.split('class="track"', 1)[1].split('width="', 1)[1].split('"', 1)[0])
    assert abs(width - track / 2) < 0.2
    assert "1. Công khai, minh bạch" in svg and "9/18" in svg


def _point(name, lat, lon, colour="#1a7f37"):
    return charts.MapPoint(name=name, latitude=lat, longitude=lon, colour=colour, href="/", caption="90", label=name)


def test_map_places_units_by_coordinates_without_tiles_and_shows_the_legend():
    points = [_point("Bắc", 21.0, 105.0), _point("Nam", 20.0, 105.0, colour="#b42318")]
    svg = charts.dot_map(uid="m", title="Bản đồ", subtitle="S", desc="D", points=points, legend=[("#1a7f37", "Tốt")])
    cy = [
        float(part.split('"', 1)[0]) for part in svg.split('class="dot" cx="')[1:] for part in [part.split('cy="')[1]]
    ]
    assert cy[0] < cy[1]  # north is up
    assert 'fill="#1a7f37"' in svg and 'fill="#b42318"' in svg  # coloured by band
    # The swatch is drawn, not styled inline (the content security policy refuses inline styles).
    assert '<ul class="legend"><li><svg class="swatch"' in svg and 'fill="#1a7f37"/></svg>Tốt</li>' in svg
    assert "<image" not in svg and "href" not in svg.split("</svg>")[0]


def test_map_spreads_units_that_share_a_coordinate_and_lists_them():
    shared = [_point(f"Xã {n}", 20.692, 106.13) for n in "ABCDE"]
    svg = charts.dot_map(
        uid="m", title="T", subtitle="S", desc="D", points=[*shared, _point("Xã F", 20.75, 106.2)], legend=[]
    )
    centres = set(re.findall(r'<circle class="dot" cx="([\d.]+)" cy="([\d.]+)"', svg))
    assert len(centres) == 6  # no two markers on top of each other
    assert svg.count('class="leader"') == 5
    assert "Xã A, Xã B, Xã C, Xã D, Xã E" in svg


def test_empty_chart_renders_nothing():
    assert _line(months=[], series=[]) == ""


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [(0, 22.9, [0, 5, 10, 15, 20, 25]), (83.28, 88.03, [82, 84, 86, 88, 90]), (80.22, 90.49, [80, 85, 90, 95])],
)
def test_nice_ticks(lo, hi, expected):
    assert charts.nice_ticks(lo, hi) == expected
