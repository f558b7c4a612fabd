"""A real Celery worker on Redis and PostgreSQL: import → task → stored ranks, and a worker killed
in the middle of the task leaves the old results (never a mix) and finishes after a restart."""

import datetime
import time
from decimal import Decimal

import psycopg
import pytest
from django.db import connection

from indicators.selectors import framework_for
from indicators.services import Value, indicators_by_code, period_get, revision_apply
from rankings.models import RankingResult, RankingRun
from rankings.services import rankings_compute
from tests.workers import _database_url, _wait
from units.models import AdministrativeUnit

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    # The worker is another process: it sees committed rows only. Flushing after the test wipes
    # the catalogue too, so it is restored from the serialised copy.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
D = Decimal


def _run_state(period_key: str, since: int) -> set[str]:
    """States of the runs queued after run `since` (the demo's own were purged from the queue)."""
    runs = RankingRun.objects.filter(period_key=period_key, pk__gt=since)
    return set(runs.values_list("state", flat=True))


def _set_totals(totals: dict[str, str]) -> None:
    """An import of Tiên Lữ 8/2024 with new totals for some communes (by code): the real service."""
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    total = indicators_by_code(framework=framework_for())["total"]
    units = {u.code: u for u in AdministrativeUnit.objects.filter(parent=tien_lu, code__in=totals)}
    revision_apply(
        period=period_get(year=2024, month=8),
        scope=tien_lu,
        values=[Value(unit_id=units[c].pk, indicator_id=total.pk, points=D(t)) for c, t in totals.items()],
        file_name="sua-so-lieu.xlsx",
        file_sha256="",
        data_as_of=datetime.datetime(2024, 9, 10, 8, tzinfo=datetime.UTC),
    )


def _stored(period_key: str) -> dict:
    return {
        (scope, code): (total, rank)
        for scope, code, total, rank in RankingResult.objects.filter(period_key=period_key).values_list(
            "scope", "unit__code", "total", "rank"
        )
    }


CUONG_CHINH = "12376"  # Xã Cương Chính, last in 8/2024 at 83,28


def test_an_import_is_ranked_by_a_real_worker(demo_committed, start_worker, worker_log):
    cuong_chinh = AdministrativeUnit.objects.get(tree="legacy", code=CUONG_CHINH)
    assert cuong_chinh.name == "Xã Cương Chính"
    start_worker()
    _set_totals({CUONG_CHINH: "95.5"})  # enqueues 2024-08, 2024-Q3 and 2024 once committed
    _wait(lambda: _run_state("2024-08", demo_committed) == {"done"}, timeout=60, what="the 2024-08 run", log=worker_log)
    row = RankingResult.objects.get(period_key="2024-08", scope="peer", unit=cuong_chinh)
    assert (row.total, row.rank, row.rank_of, row.band.name) == (D("95.50"), 1, 15, "Xuất sắc")
    assert row.total_change == D("95.50") - (D("83.28") + D("2.60"))
    thu_sy = RankingResult.objects.get(period_key="2024-08", scope="peer", unit__code="12367")
    assert thu_sy.rank == 2
    _wait(lambda: _run_state("2024", demo_committed) == {"done"}, timeout=60, what="the 2024 run", log=worker_log)
    assert RankingResult.objects.filter(period_key="2024", unit=cuong_chinh, months_count=12).exists() is False
    assert RankingResult.objects.get(period_key="2024", scope="peer", unit=cuong_chinh).months_count == 8


def test_compute_rankings_queues_the_run_and_waits_for_the_worker(demo_committed, start_worker, worker_log):
    from django.core.management import call_command

    from config.celery import app

    start_worker()
    # The command first asks the workers to answer: wait until this one has started.
    _wait(lambda: bool(app.control.ping(timeout=0.5)), timeout=60, what="the worker to answer a ping", log=worker_log)
    call_command("compute_rankings", "--period", "2024-08", "--timeout", "60")
    run = RankingRun.objects.filter(period_key="2024-08", pk__gt=demo_committed).get()
    assert run.state == "done" and run.result_count > 0
    assert RankingResult.objects.get(period_key="2024-08", scope="peer", unit__code="12367").rank == 1


def test_a_worker_killed_mid_task_leaves_the_old_results_and_a_restart_completes_them(
    demo_committed, start_worker, worker_log
):
    rankings_compute(period_key="2024-08")
    old = _stored("2024-08")
    cuong_chinh = AdministrativeUnit.objects.get(tree="legacy", code=CUONG_CHINH)
    blocked_row = RankingResult.objects.get(period_key="2024-08", scope="peer", unit=cuong_chinh).pk

    # Another session holds one of the old rows, so the worker's replacement stops half-way:
    # it has deleted some old rows in its transaction and waits for this one.
    blocker = psycopg.connect(_database_url().replace("postgres://", "postgresql://"))
    blocker.execute("DELETE FROM rankings_rankingresult WHERE id = %s", [blocked_row])
    try:
        _set_totals({CUONG_CHINH: "95.5"})
        worker = start_worker()
        _wait(
            lambda: _waiting_on_lock(),
            timeout=60,
            what="the worker to be half-way through replacing the results",
            log=worker_log,
        )
        assert _run_state("2024-08", demo_committed) == {"running"}
        assert _stored("2024-08") == old  # readers see the old set while the task runs
        worker.kill()
    finally:
        blocker.rollback()
        blocker.close()
    assert _stored("2024-08") == old  # the killed task's half-done work is gone

    # The unacknowledged task goes back to the queue; a restarted worker runs it to the end.
    time.sleep(1.5)
    start_worker(CELERY_VISIBILITY_TIMEOUT="1")
    _wait(
        lambda: _run_state("2024-08", demo_committed) == {"done"},
        timeout=60,
        what="the redelivered run",
        log=worker_log,
    )
    new = _stored("2024-08")
    assert set(new) == set(old)  # complete: every unit and scope is there again
    assert new[("peer", CUONG_CHINH)] == (D("95.50"), 1)
    assert new[("peer", "12367")] == (D("89.63"), 2)
    communes = RankingResult.objects.filter(
        period_key="2024-08", scope="peer", parent__tree="legacy", parent__code="332"
    )
    assert sorted(communes.values_list("rank", flat=True)) == list(range(1, 16))


def _waiting_on_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE 'DELETE FROM%%rankings_rankingresult%%'"
        )
        return cursor.fetchone()[0] > 0
