"""Numbers are read by what the column measures; what could mean two numbers is refused."""

from decimal import Decimal

import pytest

from imports.numbers import CHANGE, COUNT, COUNT_RATE, POINTS, RANK, RANK_CHANGE, RATE, NumberError, parse_cell
from indicators.models import MEASURES

D = Decimal


@pytest.mark.parametrize(
    ("cell", "measure", "expected"),
    [
        ("88,03", POINTS, dict(points=D("88.03"))),
        ("62.28", POINTS, dict(points=D("62.28"))),
        ("10.4/18 điểm", POINTS, dict(points=D("10.4"))),
        ("86,2", POINTS, dict(points=D("86.2"))),
        (88.03, POINTS, dict(points=D("88.03"))),
        ("70,87%", RATE, dict(rate=D("70.87"))),
        ("70.87 %", RATE, dict(rate=D("70.87"))),
        ("100", RATE, dict(rate=D("100"))),
        ("242.300", COUNT, dict(count=242300)),
        ("11.212", COUNT, dict(count=11212)),
        ("1.029.961 hồ sơ", COUNT, dict(count=1029961)),
        ("26.258 hồ sơ", COUNT, dict(count=26258)),
        ("242,300", COUNT, dict(count=242300)),
        (30204, COUNT, dict(count=30204)),
        ("242.300 (70,87%)", COUNT_RATE, dict(count=242300, rate=D("70.87"))),
        ("593 TTHC (41.04%)", COUNT_RATE, dict(count=593, rate=D("41.04"))),
        ("1.029.961 hồ sơ (35.01%)", COUNT_RATE, dict(count=1029961, rate=D("35.01"))),
        ("100%", COUNT_RATE, dict(rate=D("100"))),
        ("-0,80", CHANGE, dict(change_text="-0,80", change=D("-0.80"))),
        (-0.8, CHANGE, dict(change_text="-0,8", change=D("-0.8"))),
        ("Tăng 0.31", CHANGE, dict(change_text="Tăng 0.31", change=D("0.31"))),
        ("Giảm 0,2 điểm", CHANGE, dict(change_text="Giảm 0,2 điểm", change=D("-0.2"))),
        ("+5,48", CHANGE, dict(change_text="+5,48", change=D("5.48"))),
        ("Bằng điểm", CHANGE, dict(change_text="Bằng điểm", change=D("0"))),
        ("13/30", RANK, dict(rank=13, rank_of=30)),
        ("Hạng 5", RANK, dict(rank=5)),
        (13.0, RANK, dict(rank=13)),
        ("Tăng 3 bậc", RANK_CHANGE, dict(rank_change=3)),
        ("-2", RANK_CHANGE, dict(rank_change=-2)),
    ],
)
def test_cells_are_read_by_the_measure_of_their_column(cell, measure, expected):
    assert parse_cell(cell, measure) == expected


@pytest.mark.parametrize("cell", [None, "", "  ", "-", "–"])
def test_empty_cells_hold_no_figure(cell):
    assert parse_cell(cell, POINTS) is None


@pytest.mark.parametrize(
    ("cell", "measure", "message"),
    [
        ("1.234,5", POINTS, "không rõ là số nào"),
        ("88,0,3", POINTS, "không rõ là số nào"),
        ("tám mươi", POINTS, "không phải là số"),
        ("70,87%", POINTS, "là tỷ lệ, nhưng cột này là điểm"),
        ("11,5", COUNT, "không phải số nguyên"),
        ("1.5", COUNT, "không phải số nguyên"),
        (242.3, COUNT, "không phải số nguyên"),
        ("12.34.5", COUNT, "không phải là số lượng hợp lệ"),
        ("nhiều", COUNT, "không phải là số lượng hợp lệ"),
        ("1,2,3%", RATE, "không rõ là số nào"),
    ],
)
def test_ambiguous_or_wrong_cells_are_refused_with_a_reason(cell, measure, message):
    with pytest.raises(NumberError, match=message):
        parse_cell(cell, measure)


def test_a_change_that_is_only_words_keeps_its_text_and_no_number():
    assert parse_cell("Chưa có số liệu", CHANGE) == {"change_text": "Chưa có số liệu"}


@pytest.mark.parametrize(
    ("cell", "measure"),
    [("88,03", POINTS), (88.03, POINTS), ("242.300 (70,87%)", COUNT_RATE), ("13/30", RANK), ("Tăng 0.31", CHANGE)],
)
def test_a_cell_gives_only_measures_the_history_record_stores(cell, measure):
    # The preview stores a cell's result as the unit's figures and writes them as Values by these names.
    parsed = parse_cell(cell, measure)
    assert parsed and set(parsed) <= set(MEASURES)
    assert None not in parsed.values()
