"""The one formula escaper: what it disarms and what it leaves alone."""

import pytest

from config import spreadsheets
from config.spreadsheets import FORMULA_STARTS, escape_formula, escape_row

# From the outside review's attack on the compare CSV, and the usual suspects.
HOSTILE = [
    '\t=HYPERLINK("http://x","bấm")',
    "=1+2*cmd|' /C calc'!A0",
    "\r@SUM(A1)",
    "\n=1",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "|calc",
    "%0A=1",
    "＝1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_a_spreadsheet_could_run_gets_a_leading_apostrophe(text):
    assert escape_formula(text) == "'" + text


def test_plain_text_numbers_and_empty_cells_are_left_alone():
    assert escape_row(["Xã Thủ Sỹ", -3, 88.03, None, "", "88,03"]) == ["Xã Thủ Sỹ", -3, 88.03, None, "", "88,03"]


def test_every_start_the_portal_ever_escaped_is_still_escaped():
    # The two escapers this module replaced (admin exports and public downloads) between them.
    for start in ("=", "+", "-", "@", "\t", "\r", "|", "%"):
        assert start in FORMULA_STARTS


def test_there_is_one_escaper_and_both_export_paths_use_it():
    from imports import resources
    from portal import exports

    assert resources.escape_formula is spreadsheets.escape_formula
    assert exports.escape_row is spreadsheets.escape_row
    assert not hasattr(exports, "safe_text")
