from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from indicators.formatting import format_number
from portal.tables import fast_number


@given(st.decimals(min_value=-100000, max_value=100000, places=2), st.booleans())
def test_fast_number_writes_what_format_number_writes(value, signed):
    assert fast_number(value, signed=signed) == format_number(value, signed=signed)


def test_fast_number_examples():
    assert fast_number(Decimal("88.03")) == "88,03"
    assert fast_number(Decimal("86.20")) == "86,2"
    assert fast_number(Decimal("-0.80"), signed=True) == "-0,8"
    assert fast_number(30204) == "30.204"
    assert fast_number(None) == ""
