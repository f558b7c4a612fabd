"""The SVG charts: accessible names, gaps for missing months, no external resources."""

from decimal import Decimal

from portal import charts


def test_line_chart_has_title_description_and_one_point_per_value():
    svg = charts.line_chart(
        uid="t",
        title="Diễn biến <điểm>",
        desc="Mô tả",
        labels=["1/2024", "2/2024", "3/2024"],
        series=[charts.Series(name="Xã A", values=[Decimal("80.5"), None, Decimal("82")])],
    )
    assert 'role="img"' in svg and 'aria-labelledby="t-t t-d"' in svg
    assert '<title id="t-t">Diễn biến &lt;điểm&gt;</title>' in svg
    assert svg.count("<circle") == 2  # the missing month is a gap, not a zero
    assert svg.count("<polyline") == 2
    assert "80,5" in svg  # Vietnamese numbers in the tooltips


def test_bar_chart_bars_are_proportional_to_the_maximum():
    svg = charts.bar_chart(uid="b", title="T", desc="D", bars=[("Nhóm 1", Decimal("9"), Decimal("18"))])
    width = float(svg.split('class="bar"', 1)[1].split('width="', 1)[1].split('"', 1)[0])
    track = float(svg.split('class="track"', 1)[1].split('width="', 1)[1].split('"', 1)[0])
    assert abs(width - track / 2) < 0.2


def test_map_places_units_by_coordinates_without_tiles():
    points = [
        charts.MapPoint(name="Bắc", latitude=21.0, longitude=105.0, colour="#1a7f37", href="/a", caption="90"),
        charts.MapPoint(name="Nam", latitude=20.0, longitude=105.0, colour="#b42318", href="/b", caption="40"),
    ]
    svg = charts.dot_map(uid="m", title="Bản đồ", desc="D", points=points)
    cy = [float(part.split('"', 1)[0]) for part in svg.split('cy="')[1:]]
    assert cy[0] < cy[1]  # north is up
    assert "<image" not in svg and "href" not in svg


def test_empty_chart_renders_nothing():
    assert charts.line_chart(uid="e", title="T", desc="D", labels=[], series=[]) == ""
