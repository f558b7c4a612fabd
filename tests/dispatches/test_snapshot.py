"""The typed snapshot: built by small functions in a fixed number of queries, read by attribute, asked of the
catalogue by role; its JSON form round-trips without loss."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from dispatches.selectors import dispatch_data
from dispatches.snapshot import DispatchData, RankedUnit
from indicators.models import Period

from .factories import ha_noi_december

pytestmark = pytest.mark.django_db


def test_snapshot_is_typed_and_round_trips_through_json(tien_lu):
    data = dispatch_data(unit=tien_lu, period=Period.objects.get(year=2024, month=8))
    assert isinstance(data.subordinates[0], RankedUnit)
    assert str(data.total.points) == "88.03" and data.subordinates[0].unit.short_name == "Thủ Sỹ"
    assert data.subordinates[1].total_change is not None and str(data.subordinates[1].total_change) == "6.60"
    assert data.uses_demo  # the changes are measured against the synthetic 7/2024 revision
    assert DispatchData.from_json(data.to_json()) == data


def test_a_stored_snapshot_of_another_shape_is_refused_not_misread():
    with pytest.raises(ValueError, match="dạng cũ"):
        DispatchData.from_json({"unit": {"code": "332"}, "total": {"points": "88.03"}})


@pytest.mark.parametrize("which", ["tien-lu", "ha-noi"])
def test_snapshot_reads_in_a_fixed_number_of_queries(tien_lu, django_assert_num_queries, which):
    """The same queries for 15 communes as for 30 districts and 3 departments: none per subordinate unit (main
    read each score's revision one by one, 21 of 33 queries for Tiên Lữ 8/2024)."""
    unit, period = (tien_lu, Period.objects.get(year=2024, month=8))
    if which == "ha-noi":
        unit, period = ha_noi_december(), Period.objects.get(year=2024, month=12)
    dispatch_data(unit=unit, period=period)  # warm the content types and the catalogue's framework row
    with django_assert_num_queries(10):
        data = dispatch_data(unit=unit, period=period)
    assert len(data.subordinates) == (15 if which == "tien-lu" else 30)


def test_no_indicator_code_is_compared_in_dispatches_python():
    """The catalogue drives the dispatch through roles: no "1"…"6", "total" or "overdue.total" in the code."""
    codes = r"""["'](total|[1-6](\.\d+)?|overdue\.\w+|pakn\.\w+|digitise\.\w+|copies\.\w+|rank\.\w+)["']"""
    pattern = re.compile(r"(==|!=|\[|\.get\(|code\s*=|code__in\s*=|\bin\s*\(?)\s*" + codes)
    root = Path(settings.BASE_DIR) / "dispatches"
    offenders = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []
