"""The plain cells of a figure column are read without the general path (imports.validate._plain_reader):
what the short reader takes, the general path (parse_cell, then the cell's checks) would read the same
and say nothing about. Cells of every shape are tried, plain or not."""

import random
from decimal import Decimal

import pytest

from imports import validate
from imports.mapping import PRIMARY, Target
from imports.numbers import COUNT, COUNT_RATE, POINTS, RATE, NumberError, parse_cell
from indicators.models import Indicator, Measure

D = Decimal

COLUMNS = {
    "points of a group out of 18": (Indicator(code="g", measure=Measure.POINTS, max_points=D("18")), POINTS),
    "points without a maximum": (Indicator(code="p", measure=Measure.POINTS, max_points=None), POINTS),
    "a rate": (Indicator(code="r", measure=Measure.PERCENT), RATE),
    "a count": (Indicator(code="c", measure=Measure.COUNT), COUNT),
    "a count with its rate": (Indicator(code="cr", measure=Measure.COUNT_PERCENT), COUNT_RATE),
    "the rate of a count with its rate": (Indicator(code="cr2", measure=Measure.COUNT_PERCENT), RATE),
}

# Pieces of cells as people and the national portal write them, and as they go wrong.
PIECES = ["0", "1", "7", "9", "10", "18", "99", "100", "101", "999", "1000", "242", "300", "00", "05", "123456",
          "9999999999", "99999999999999999999", ",", ".", ",5", ".25", ",125", ".1234", " ", "\u00a0", "%", " %",
          "(", ")", " (", "%)", "-", "+", "e3", "x", "điểm", "/18", "1,5,6", "1.2.3"]  # fmt: skip


def general(value, indicator: Indicator, measure: str):
    """What the general path reads from the cell: (measures, issues), or (None, [message]) when it refuses."""
    issues = []
    try:
        parsed = parse_cell(value, measure, PRIMARY[indicator.measure])
    except NumberError as exc:
        return None, [str(exc)]
    if parsed is None:
        return None, []
    target = Target(kind="indicator", indicator=indicator, measure=measure)
    validate._check_cell(parsed, value, target, "cột", lambda message, *_a: issues.append(message))
    return parsed, issues


def cells(seed: int, n: int) -> list:
    rng = random.Random(seed)
    out: list = [None, "", True, 12.5, 12.0, -3, 0, 18, 19, 100, 101, 2**31, 2**63]
    for _ in range(n):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 4)))
        out.append(text)
        # Plain-looking forms, near the edges of precision and range.
        whole = rng.choice(["0", "5", "18", "19", "99", "100", "101", "250"])
        fraction = rng.choice(["", ",1", ".25", ",125", ".1255", ",00", ",999"])
        out += [whole + fraction, f"{whole}{fraction}%", f"{whole}{fraction} %"]
        count = rng.choice(["0", "593", "242.300", "1.029.961", "2.147.483.647", "2147483648", "242,300", "1.2345"])
        out += [count, f"{count} ({whole}{fraction}%)", f"{count} hồ sơ ({whole}{fraction}%)"]
    return out


@pytest.mark.parametrize("column", COLUMNS)
def test_a_cell_the_short_reader_takes_reads_the_same_on_the_general_path_without_a_word(column):
    indicator, measure = COLUMNS[column]
    read = validate._plain_reader(Target(kind="indicator", indicator=indicator, measure=measure))
    assert read is not None
    taken = 0
    for value in cells(seed=766, n=3000):
        short = read(value)
        if short is None:
            continue
        taken += 1
        parsed, issues = general(value, indicator, measure)
        assert (parsed, issues) == (short, []), value
        assert {k: type(v) for k, v in parsed.items()} == {k: type(v) for k, v in short.items()}, value
    assert taken > 500  # the short reader does take the plain cells


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("points of a group out of 18", "12,34", {"points": D("12.34")}),
        ("points of a group out of 18", "18", {"points": D("18")}),
        ("points of a group out of 18", 18, {"points": D("18")}),
        ("a rate", "70,87%", {"rate": D("70.87")}),
        ("a rate", "100", {"rate": D("100")}),
        ("a count", "1.029.961", {"count": 1029961}),
        ("a count", 30204, {"count": 30204}),
        ("a count with its rate", "242.300 (70,87%)", {"count": 242300, "rate": D("70.87")}),
    ],
)
def test_the_plain_forms_of_a_national_file_take_the_short_reader(column, value, expected):
    indicator, measure = COLUMNS[column]
    assert validate._plain_reader(Target(kind="indicator", indicator=indicator, measure=measure))(value) == expected


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("points of a group out of 18", "18,01"),  # over the group's maximum: an error, said by the general path
        ("points of a group out of 18", "12,345"),  # more places than stored: rounded, with a warning
        ("points of a group out of 18", " 12,34"),
        ("a rate", "100,5%"),
        ("a rate", "70,8765%"),
        ("a count", "242,300"),  # read by the general path, which knows a comma can group thousands
        ("a count", "99999999999999999999"),  # too large to store
        ("a count", True),
        ("a count with its rate", "593 TTHC (41.04%)"),
        ("a count with its rate", "100%"),
    ],
)
def test_any_other_cell_takes_the_general_path(column, value):
    indicator, measure = COLUMNS[column]
    assert validate._plain_reader(Target(kind="indicator", indicator=indicator, measure=measure))(value) is None
