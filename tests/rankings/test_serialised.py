"""Two computations of the same period run one after the other, from the first read to the last write."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from indicators.models import CurrentRevision, ScoreRecord
from indicators.selectors import framework_for
from indicators.services import indicators_by_code, period_get
from rankings.models import RankingResult
from rankings.services import _lock, rankings_compute
from units.models import AdministrativeUnit

# The computation runs in another thread, on its own connection: it sees committed rows only.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CUONG_CHINH = "12376"  # Xã Cương Chính, last in 8/2024 at 83,28


def _waiting_for_the_period() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0] > 0


def test_a_computation_that_waits_for_the_period_ranks_the_figures_committed_meanwhile(demo):
    rankings_compute(period_key="2024-08")
    august = period_get(year=2024, month=8)
    cuong_chinh = AdministrativeUnit.objects.get(tree="legacy", code=CUONG_CHINH)
    total = indicators_by_code(framework=framework_for())["total"]
    current = CurrentRevision.objects.get(period=august, unit=cuong_chinh).revision_id
    figure = ScoreRecord.objects.filter(period=august, unit=cuong_chinh, indicator=total, revision_id=current)
    failures = []

    def compute() -> None:
        try:
            rankings_compute(period_key="2024-08")
        except Exception as exc:  # reported below, in the test's own thread
            failures.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=compute)
    with transaction.atomic():
        # Another computation of the month holds its lock (here: this transaction) while a new
        # figure is written; the worker's computation starts meanwhile and must wait to read.
        _lock("2024-08", public=False)
        worker.start()
        deadline = time.monotonic() + 30
        while not _waiting_for_the_period():
            assert time.monotonic() < deadline, "the computation never waited for the period's lock"
            time.sleep(0.05)
        assert figure.update(points=Decimal("95.00")) == 1
    worker.join(timeout=60)

    assert not worker.is_alive() and not failures, failures
    row = RankingResult.objects.get(period_key="2024-08", scope="peer", unit=cuong_chinh, public=False)
    assert (row.total, row.rank) == (Decimal("95.00"), 1)
