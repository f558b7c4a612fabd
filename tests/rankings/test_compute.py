import datetime
from decimal import Decimal

import pytest

from indicators.demo import TIEN_LU_2024_08, vn
from rankings.models import RankingResult
from rankings.services import rankings_compute
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

D = Decimal


def _peer(period_key, parent):
    return list(
        RankingResult.objects.filter(period_key=period_key, scope="peer", parent=parent)
        .select_related("unit", "band")
        .order_by("rank", "unit__name")
    )


def test_tien_lu_august_2024_matches_the_dispatch(demo):
    rankings_compute(period_key="2024-07")
    rankings_compute(period_key="2024-08")
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    rows = _peer("2024-08", tien_lu)
    assert len(rows) == 15
    assert all(r.rank_of == 15 for r in rows)
    assert (rows[0].unit.name, rows[0].total, rows[0].rank) == ("Xã Thủ Sỹ", D("89.63"), 1)
    assert (rows[-1].unit.name, rows[-1].total, rows[-1].rank) == ("Xã Cương Chính", D("83.28"), 15)
    assert [r.total for r in rows] == [vn(total) for _, total, _, _ in TIEN_LU_2024_08]
    assert [r.total_change for r in rows] == [vn(change) for _, _, change, _ in TIEN_LU_2024_08]
    assert rows[0].band.name == "Tốt"
    assert rows[0].details["to_next_rank"] is None and rows[1].details["to_next_rank"] == "0.81"
    assert rows[0].details["to_next_band"] == "0.37" and rows[0].details["next_band"] == "Xuất sắc"


def _snapshot(period_key):
    return sorted(
        RankingResult.objects.filter(period_key=period_key).values_list(
            "scope",
            "unit_id",
            "parent_id",
            "level",
            "total",
            "rank",
            "rank_of",
            "previous_total",
            "total_change",
            "previous_rank",
            "rank_change",
            "band_id",
            "group_sum",
            "sum_mismatch",
            "months_count",
            "comparable",
            "details",
        ),
        key=repr,
    )


def test_rank_change_is_positive_when_a_commune_moves_up(demo):
    rankings_compute(period_key="2024-07")
    rankings_compute(period_key="2024-08")
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    july = {r.unit_id: r.rank for r in _peer("2024-07", tien_lu)}
    for row in _peer("2024-08", tien_lu):
        assert row.previous_rank == july[row.unit_id]
        assert row.rank_change == july[row.unit_id] - row.rank
        assert row.comparable


def test_computing_twice_stores_identical_rows(demo):
    rankings_compute(period_key="2024-08")
    first = _snapshot("2024-08")
    assert rankings_compute(period_key="2024-08") == len(first)
    assert _snapshot("2024-08") == first


def test_communes_are_also_ranked_across_the_province_with_the_rest_listed_without_data(demo):
    rankings_compute(period_key="2024-08")
    hung_yen = AdministrativeUnit.objects.get(tree="legacy", code="33")
    rows = list(
        RankingResult.objects.filter(period_key="2024-08", scope="province", parent=hung_yen).select_related("unit")
    )
    ranked = sorted((r for r in rows if r.rank), key=lambda r: r.rank)
    assert [r.rank for r in ranked] == list(range(1, 16)) and all(r.rank_of == 15 for r in ranked)
    assert ranked[0].unit.name == "Xã Thủ Sỹ"
    unranked = [r for r in rows if r.rank is None]
    assert unranked and all(r.total is None and r.rank_of == 15 for r in unranked)
    assert not {r.unit.parent_id for r in unranked} & {ranked[0].unit.parent_id}


def test_ha_noi_december_2024_flags_groups_that_do_not_add_up_and_keeps_the_official_rank(demo):
    rankings_compute(period_key="2024-12")
    ha_noi = RankingResult.objects.select_related("band").get(
        period_key="2024-12", unit__tree="legacy", unit__code="01"
    )
    # The official rank, as published, wins; alone among the provinces in the data it would have none.
    assert (ha_noi.total, ha_noi.rank, ha_noi.rank_of, ha_noi.rank_source) == (D("62.28"), 61, 63, "published")
    assert (ha_noi.total_change, ha_noi.details["change_source"]) == (D("1.29"), "published")
    assert ha_noi.group_sum == D("68.80") and ha_noi.sum_mismatch
    assert ha_noi.band.name == "Trung bình"
    assert ha_noi.details["groups"]["1"]["points"] == "10.40"
    others = RankingResult.objects.filter(period_key="2024-12", level="province").exclude(pk=ha_noi.pk)
    assert others.count() == 62 and not others.filter(rank__isnull=False).exists()
    assert set(others.values_list("rank_of", "ranked_count", "peer_count")) == {(1, 1, 63)}


def test_my_hao_february_2025_groups_add_up_within_rounding(demo):
    rankings_compute(period_key="2025-02")
    my_hao = RankingResult.objects.get(period_key="2025-02", unit__tree="legacy", unit__code="328")
    assert my_hao.total == D("91.34") and my_hao.group_sum == D("91.40") and not my_hao.sum_mismatch
    assert (my_hao.rank, my_hao.rank_of, my_hao.rank_source) == (1, 10, "published")
    assert my_hao.details["next_band"] is None and my_hao.details["to_next_band"] is None


def test_quarter_is_the_mean_of_the_months_present_and_ranked_the_same_way(demo):
    rankings_compute(period_key="2024-Q3")
    thu_sy = AdministrativeUnit.objects.get(tree="legacy", code="12367")
    row = RankingResult.objects.get(period_key="2024-Q3", scope="peer", unit=thu_sy)
    july = D("89.63") - D("6.96")
    assert row.months_count == 2 and row.details["months"] == 2
    assert row.total == ((july + D("89.63")) / 2).quantize(D("0.01"))
    ranks = sorted(
        RankingResult.objects.filter(period_key="2024-Q3", scope="peer", parent=thu_sy.parent).values_list(
            "total", "rank"
        ),
        key=lambda r: r[1],
    )
    assert [t for t, _ in ranks] == sorted((t for t, _ in ranks), reverse=True)


def _apply(period, scope, totals):
    from indicators.selectors import framework_for
    from indicators.services import Value, indicators_by_code, revision_apply

    total = indicators_by_code(framework=framework_for())["total"]
    revision_apply(
        period=period,
        scope=scope,
        values=[Value(unit_id=u.pk, indicator_id=total.pk, points=D(t)) for u, t in totals],
        file_name="test.xlsx",
        file_sha256="",
        data_as_of=datetime.datetime(2025, 1, 5, 12, tzinfo=datetime.UTC),
    )


def test_across_a_merger_only_a_single_predecessor_gives_a_comparable_previous_figure(demo):
    from indicators.services import period_get
    from units.models import UnitSuccession

    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    merged = AdministrativeUnit.objects.get(tree="legacy", code="12364")  # Hải Thắng ← Hải Triều + Đức Thắng
    hai_trieu, duc_thang = (
        AdministrativeUnit.objects.get(tree="custom", code=c) for c in ("TL-HAI-TRIEU", "TL-DUC-THANG")
    )
    thu_sy = AdministrativeUnit.objects.get(tree="legacy", code="12367")
    old = AdministrativeUnit.objects.create(
        tree="custom",
        code="T-OLD",
        name="Xã Cũ",
        short_name="Cũ",
        kind="Xã",
        level="commune",
        parent=tien_lu,
        valid_to=datetime.date(2024, 11, 30),
    )
    new = AdministrativeUnit.objects.create(
        tree="custom",
        code="T-NEW",
        name="Xã Mới",
        short_name="Mới",
        kind="Xã",
        level="commune",
        parent=tien_lu,
        valid_from=datetime.date(2024, 12, 1),
    )
    UnitSuccession.objects.create(predecessor=old, successor=new)
    _apply(
        period_get(year=2024, month=11), tien_lu, [(hai_trieu, "80"), (duc_thang, "82"), (old, "79"), (thu_sy, "85")]
    )
    _apply(period_get(year=2024, month=12), tien_lu, [(merged, "84"), (new, "81.5"), (thu_sy, "86")])
    rankings_compute(period_key="2024-11")
    rankings_compute(period_key="2024-12")
    rows = {r.unit_id: r for r in _peer("2024-12", tien_lu)}
    assert not rows[merged.pk].comparable and rows[merged.pk].total_change is None
    assert rows[new.pk].comparable and rows[new.pk].total_change == D("2.50")
    assert rows[new.pk].details["compared_with_unit"] == old.pk
    assert (rows[new.pk].previous_rank, rows[new.pk].rank, rows[new.pk].rank_change) == (4, 3, 1)
    assert rows[thu_sy.pk].total_change == D("1.00") and rows[thu_sy.pk].rank_change == 0
    assert rows[merged.pk].rank == 2 and rows[merged.pk].rank_of == 3


def test_why_it_changed_lists_groups_that_gained_and_lost_points(demo):
    rankings_compute(period_key="2024-07")
    row = RankingResult.objects.get(period_key="2024-07", scope="peer", unit__tree="legacy", unit__code="12367")
    groups = row.details["groups"]
    assert set(groups) == {"1", "2", "3", "4", "5", "6"} and all(g["change"] is not None for g in groups.values())
    why = row.details["why"]
    changes = {code: D(g["change"]) for code, g in groups.items()}
    assert [g["code"] for g in why["groups_gained"]] == sorted(
        (c for c, v in changes.items() if v > 0), key=lambda c: -changes[c]
    )[:3]
    assert all(D(g["change"]) < 0 for g in why["groups_lost"])
    assert row.group_sum == row.total and not row.sum_mismatch


def test_why_it_changed_names_the_criteria_that_got_better_and_worse_by_their_direction(demo):
    from indicators.selectors import framework_for
    from indicators.services import Value, indicators_by_code, period_get, revision_apply

    codes = indicators_by_code(framework=framework_for())
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    thu_sy = AdministrativeUnit.objects.get(tree="legacy", code="12367")

    def month(number, total, rates):
        values = [Value(unit_id=thu_sy.pk, indicator_id=codes["total"].pk, points=D(total))]
        values += [Value(unit_id=thu_sy.pk, indicator_id=codes[c].pk, rate=D(r)) for c, r in rates.items()]
        revision_apply(
            period=period_get(year=2023, month=number),
            scope=tien_lu,
            values=values,
            file_name="t.xlsx",
            file_sha256="",
            data_as_of=datetime.datetime(2023, number + 1, 5, tzinfo=datetime.UTC),
        )

    # 2.2 (on time, higher is better) up 5; 2.3 (overdue, lower is better) up 1: worse; 6.1 down 20.
    month(1, "80", {"2.2": "90", "2.3": "10", "6.1": "50", "5.1": "99"})
    month(2, "81", {"2.2": "95", "2.3": "11", "6.1": "30", "5.1": "99"})
    rankings_compute(period_key="2023-02")
    why = RankingResult.objects.get(period_key="2023-02", scope="peer", unit=thu_sy).details["why"]
    assert [(c["code"], c["measure"], D(c["change"])) for c in why["criteria_better"]] == [("2.2", "rate", D(5))]
    assert [(c["code"], D(c["change"])) for c in why["criteria_worse"]] == [("6.1", D(-20)), ("2.3", D(1))]
    assert [c["change"] for c in why["criteria_worse"]] == ["-20", "1"]  # plain numerals: not "-2E+1"


def test_replacing_a_period_tells_the_page_cache_once_after_commit(demo, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from portal.caching import VERSION_KEY
    from rankings.signals import results_replaced

    heard = []

    def listener(sender, period_key, **kwargs):
        heard.append(period_key)

    results_replaced.connect(listener)
    try:
        cache.set(VERSION_KEY, ("stale", None))
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            rankings_compute(period_key="2024-08")
            assert heard == []  # nothing is announced before the rows are committed
        assert len(callbacks) == 1
        assert heard == ["2024-08"]
        assert cache.get(VERSION_KEY) is None  # the next page request reads the new data version
    finally:
        results_replaced.disconnect(listener)


def test_results_follow_a_deleted_parent_and_band_without_database_constraints(demo):
    """`parent` and `band` carry no database constraint (derived rows); Django still applies on_delete."""
    from indicators.models import ClassificationBand

    rankings_compute(period_key="2024-08")
    good = ClassificationBand.objects.get(name="Tốt")
    rated = RankingResult.objects.filter(period_key="2024-08", band=good)
    assert rated.exists()
    ids = list(rated.values_list("pk", flat=True))
    good.delete()
    assert RankingResult.objects.filter(pk__in=ids, band__isnull=True).count() == len(ids)  # SET_NULL

    parent = AdministrativeUnit.objects.create(
        tree="custom", code="T-1", name="Ban thử", short_name="Thử", kind="ban", level="department"
    )
    row = RankingResult.objects.get(period_key="2024-08", unit__name="Xã Thủ Sỹ", scope="peer")
    row.parent = parent
    row.save()
    parent.delete()
    assert not RankingResult.objects.filter(pk=row.pk).exists()  # CASCADE


def test_periods_know_the_one_after_them():
    from indicators.periods import period_span

    assert period_span("2024-08").following().key == "2024-09"
    assert period_span("2024-12").following().key == "2025-01"
    assert period_span("2024-Q3").following().key == "2024-Q4"
    assert period_span("2024-Q4").following().key == "2025-Q1"
    assert period_span("2024").following().key == "2025"
    for key in ("2024-01", "2024-Q1", "2024"):
        assert period_span(key).following().previous().key == key


def test_correcting_a_month_also_refreshes_the_changes_of_the_month_after(demo, django_capture_on_commit_callbacks):
    """August's changes are measured against July: a corrected July must recompute August too."""
    from django.utils import timezone

    from indicators.models import Indicator, Period
    from indicators.services import Value, revision_apply
    from rankings.models import RankingRun
    from rankings.services import ranking_run_execute

    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    thu_sy = AdministrativeUnit.objects.get(parent=tien_lu, name="Xã Thủ Sỹ")
    july = Period.objects.get(year=2024, month=7)
    total = Indicator.objects.get(framework__in=july.scores.values("indicator__framework"), kind="total")

    def correct(month: int, points: str) -> list[RankingRun]:
        """Import Thủ Sỹ's total for the month; the ranking runs queued once it commits."""
        before = RankingRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with django_capture_on_commit_callbacks(execute=True):
            revision_apply(
                period=Period.objects.get(year=2024, month=month),
                scope=tien_lu,
                values=[Value(unit_id=thu_sy.pk, indicator_id=total.pk, points=D(points))],
                file_name=f"sua-thang-{month}.xlsx",
                file_sha256="",
                data_as_of=timezone.now(),
            )
        return list(RankingRun.objects.filter(pk__gt=before))

    runs = correct(7, "80.00")
    # The demo also has figures for 12/2024 (Hà Nội) and 2/2025 (Mỹ Hào): the next quarter and year.
    assert {r.period_key for r in runs} == {"2024-07", "2024-Q3", "2024", "2024-08", "2024-Q4", "2025"}
    for run in runs:  # as a worker would (in process, without a broker, they have run already)
        if RankingRun.objects.get(pk=run.pk).state == RankingRun.State.QUEUED:
            ranking_run_execute(run_id=run.pk)
    august = RankingResult.objects.get(period_key="2024-08", unit=thu_sy, scope="peer")
    assert august.previous_total == D("80.00")
    # The file's own change ("6,96") is what the source published and wins; the recomputed one no longer
    # agrees with it, and the result says so (the preview warns staff).
    assert (august.total_change, august.details["change_source"]) == (D("6.96"), "published")
    assert august.details["computed_change"] == str(D("89.63") - D("80.00"))

    runs = correct(8, "89.63")
    assert "2024-09" not in {r.period_key for r in runs}  # no figures after August: nothing to refresh


def test_a_failing_criteria_query_leaves_the_stored_ranks_and_the_connection_as_they_were(demo, monkeypatch):
    """The criteria are paired while the rows are built (on PostgreSQL in pipeline mode): when the database
    refuses that query, the computation raises Django's error, keeps the rows it would have replaced, and the
    connection takes the next query as usual."""
    from django.db import DatabaseError, connection

    from rankings import services

    rankings_compute(period_key="2024-07")
    rankings_compute(period_key="2024-08")
    stored = sorted(RankingResult.objects.filter(period_key="2024-08").values_list("pk", "unit_id", "rank"))
    assert stored
    monkeypatch.setattr(services, "_CRITERIA_SQL", services._CRITERIA_SQL.replace("ROW_NUMBER()", "NO_SUCH_RANK()"))
    with pytest.raises(DatabaseError, match=r"(?i)no_such_rank"):
        rankings_compute(period_key="2024-08")
    assert sorted(RankingResult.objects.filter(period_key="2024-08").values_list("pk", "unit_id", "rank")) == stored
    if connection.vendor == "postgresql":
        assert connection.connection.pgconn.pipeline_status == 0  # out of pipeline mode
