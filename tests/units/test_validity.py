"""The one validity rule: a unit is valid in a period when it existed on at least one of its days.

The pure check (rows in memory: the import's resolver, the ranking's unit places) and the query
(`UnitQuerySet.valid_in`) must give the same answer for every edge."""

import datetime

import pytest

from indicators.periods import period_span
from rankings.services import unit_places
from units.models import AdministrativeUnit, Level, is_valid_in

D = datetime.date
# (valid_from, valid_to) → valid in August 2024?
EDGES = {
    (None, None): True,
    (D(2024, 8, 31), None): True,  # begins on the month's last day
    (D(2024, 9, 1), None): False,  # begins the day after
    (None, D(2024, 8, 1)): True,  # ends on the month's first day
    (None, D(2024, 7, 31)): False,  # ended the day before
    (D(2024, 8, 10), D(2024, 8, 20)): True,  # inside the month
    (D(2023, 1, 1), D(2024, 7, 31)): False,
}


@pytest.mark.django_db
def test_the_pure_check_the_query_and_the_rankings_agree_on_every_edge():
    august = period_span("2024-08")
    units = {}
    for number, (valid_from, valid_to) in enumerate(EDGES):
        units[(valid_from, valid_to)] = AdministrativeUnit.objects.create(
            tree="custom", code=f"T{number}", name=f"Xã Thử {number}", short_name=f"Thử {number}", kind="Xã",
            level=Level.COMMUNE, valid_from=valid_from, valid_to=valid_to,
        )  # fmt: skip
    by_query = set(AdministrativeUnit.objects.filter(tree="custom", code__startswith="T").valid_in(august))
    by_places = unit_places().valid_in(august)
    for edge, expected in EDGES.items():
        unit = units[edge]
        assert is_valid_in(*edge, august) is expected, edge
        assert unit.is_valid_in(august) is expected, edge
        assert (unit in by_query) is expected, edge
        assert (unit.pk in by_places) is expected, edge
    # A quarter and a day are periods too: valid on 31/7 only the units open then.
    assert is_valid_in(D(2024, 9, 30), None, period_span("2024-Q3"))
    assert not units[(D(2024, 8, 10), D(2024, 8, 20))].is_valid_on(D(2024, 8, 21))
    on_first = set(AdministrativeUnit.objects.filter(tree="custom", code__startswith="T").valid_on(D(2024, 8, 1)))
    assert on_first == {u for (start, end), u in units.items() if u.is_valid_on(D(2024, 8, 1))}
    assert units[(None, D(2024, 8, 1))] in on_first and units[(D(2024, 8, 10), D(2024, 8, 20))] not in on_first
