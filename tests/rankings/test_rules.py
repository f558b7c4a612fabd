"""Property tests of the ranking rules on a small synthetic tree: ordering, ties, skipped ranks,
peer group boundaries, missing totals."""

import datetime
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.models import CurrentRevision
from indicators.selectors import framework_for
from indicators.services import Value, indicators_by_code, period_get, revision_apply
from rankings.models import RankingResult
from rankings.services import rankings_compute
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

# Few distinct totals, so that ties are common.
TOTALS = st.one_of(st.none(), st.sampled_from([Decimal(v) for v in ("95.00", "88.03", "88.03", "71.50", "49.99")]))
AS_OF = datetime.datetime(2023, 2, 5, tzinfo=datetime.UTC)


def _unit(code, level, parent=None):
    return AdministrativeUnit.objects.create(
        tree="custom", code=code, name=f"Đơn vị {code}", short_name=code, kind="x", level=level, parent=parent
    )


@pytest.fixture
def tree(unit_tree):  # the catalogue too, reloaded if a transactional test flushed it
    province = _unit("P-TEST", "province")
    districts = [_unit(f"D{i}", "district", province) for i in range(2)]
    departments = [_unit(f"S{i}", "department", province) for i in range(3)]
    communes = [_unit(f"C{d}{i}", "commune", districts[d]) for d in range(2) for i in range(5)]
    return {"province": province, "units": districts + departments + communes}


def _expected(units, totals, key):
    """Standard competition ranking, written the obvious way: 1 + how many in the group did better; a
    group where fewer than two units have a total is not ranked."""
    groups = {}
    for unit in units:
        groups.setdefault(key(unit), []).append(unit)
    expected = {}
    for unit in units:
        peers = [totals[p.pk] for p in groups[key(unit)] if totals[p.pk] is not None]
        mine = totals[unit.pk]
        rank = None if mine is None or len(peers) < 2 else 1 + sum(1 for t in peers if t > mine)
        expected[unit.pk] = (rank, len(peers), len(groups[key(unit)]))
    return expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_ranks_follow_standard_competition_ranking_within_peer_groups(tree, data):
    units = tree["units"]
    totals = {u.pk: data.draw(TOTALS, label=u.code) for u in units}
    period = period_get(year=2023, month=1)
    CurrentRevision.objects.filter(period=period).delete()  # the month starts without figures
    codes = indicators_by_code(framework=framework_for())
    values = [Value(unit_id=pk, indicator_id=codes["total"].pk, points=t) for pk, t in totals.items() if t is not None]
    if values:
        revision_apply(
            period=period, scope=tree["province"], values=values, file_name="t", file_sha256="", data_as_of=AS_OF
        )
    rankings_compute(period_key="2023-01")

    stored = {(r.scope, r.unit_id): r for r in RankingResult.objects.filter(period_key="2023-01", unit__tree="custom")}
    peer = _expected(units, totals, key=lambda u: (u.level, u.parent_id))
    groups_with_data = {(u.level, u.parent_id) for u in units if totals[u.pk] is not None}
    for unit in units:
        row = stored.get(("peer", unit.pk))
        if (unit.level, unit.parent_id) not in groups_with_data:
            assert row is None  # nobody in the group has data: no list to be in
            continue
        rank, ranked, peers = peer[unit.pk]
        assert (row.rank, row.rank_of, row.ranked_count, row.peer_count) == (rank, ranked, ranked, peers), unit.code
        assert row.rank_source == ("computed" if rank else "")
        if row.rank is not None:  # what it takes to climb: reach the lowest total above, where all are known
            above = [totals[p.pk] for p in units if (p.level, p.parent_id) == (unit.level, unit.parent_id)]
            above = [t for t in above if t is not None and t > totals[unit.pk]]
            expected_gap = str(min(above) - totals[unit.pk]) if above and ranked == peers else None
            assert row.details["to_next_rank"] == expected_gap
        assert row.total == totals[unit.pk]
        assert row.parent_id == unit.parent_id

    province = _expected([u for u in units if u.level == "commune"], totals, key=lambda u: u.parent.parent_id)
    for pk, (rank, ranked, peers) in province.items():
        row = stored.get(("province", pk))
        if ranked == 0:
            assert row is None
        else:
            assert (row.rank, row.rank_of, row.parent_id) == (rank, ranked, tree["province"].pk)
            assert (row.ranked_count, row.peer_count) == (ranked, peers)

    # Read back in rank order, totals never increase and tied totals share a rank.
    for parent in {u.parent_id for u in units}:
        for level in ("district", "department", "commune"):
            rows = sorted(
                (r for (s, _), r in stored.items() if s == "peer" and r.parent_id == parent and r.level == level),
                key=lambda r: (r.rank is None, r.rank or 0),
            )
            ranked = [r for r in rows if r.rank is not None]
            assert [r.total for r in ranked] == sorted((r.total for r in ranked), reverse=True)
            for a, b in itertools.pairwise(ranked):
                assert (a.rank == b.rank) == (a.total == b.total)
                if a.total != b.total:  # the rank after a tie skips: 1, 2, 2, 4
                    assert b.rank == 1 + sum(1 for r in ranked if r.total > b.total)
            # After the ranked units come those without a total, or a lone total a group of one cannot rank.
            unranked = rows[len(ranked) :]
            assert all(r.total is None for r in unranked) or (
                not ranked and len(unranked) - 1 == sum(1 for r in unranked if r.total is None)
            )
