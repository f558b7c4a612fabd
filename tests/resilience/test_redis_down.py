"""Redis stopped under the portal: pages keep answering, an import still applies, its ranking job
waits, and a real worker ranks it once Redis is back and the sweeper has re-sent the job."""

import datetime
import subprocess
import time
from decimal import Decimal

import pytest
from django.conf import settings

from indicators.models import Score
from rankings.models import RankingResult, RankingRun
from rankings.services import rankings_requeue_stale
from tests.rankings.test_worker import CUONG_CHINH, _set_totals
from tests.workers import _wait

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _redis(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", *args], capture_output=True, text=True)


def _stop_redis() -> None:
    _redis("shutdown", "nosave")
    for _ in range(50):
        if _redis("ping").returncode != 0:
            return
        time.sleep(0.1)
    pytest.fail("Redis did not stop")


def _start_redis() -> None:
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
        capture_output=True,
    )
    for _ in range(50):
        if _redis("ping").stdout.strip() == "PONG":
            return
        time.sleep(0.1)
    pytest.fail("Redis did not start again")


def test_portal_keeps_working_without_redis_and_catches_up_when_it_returns(
    client, demo_committed, start_worker, worker_log
):
    assert settings.REDIS_URL and not settings.CELERY_TASK_ALWAYS_EAGER
    _stop_redis()
    try:
        assert client.get("/").status_code == 200
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["broker"] == "error"

        started = time.monotonic()
        _set_totals({CUONG_CHINH: "95,00".replace(",", ".")})  # the real write path; commits at once
        assert time.monotonic() - started < 15  # the request that applies an import does not hang
        cuong_chinh = Score.objects.get(
            unit__code=CUONG_CHINH, period__year=2024, period__month=8, indicator__code="total"
        )
        assert cuong_chinh.points == Decimal("95.00")
        waiting = RankingRun.objects.filter(period_key="2024-08", pk__gt=demo_committed).get()
        assert waiting.state == RankingRun.State.QUEUED and "chờ hàng đợi" in waiting.error
    finally:
        _start_redis()

    start_worker()
    assert rankings_requeue_stale(older_than=datetime.timedelta(0)) >= 1  # what beat does every minute
    _wait(
        lambda: RankingRun.objects.get(pk=waiting.pk).state == RankingRun.State.DONE,
        timeout=60,
        what="the re-sent ranking run",
        log=worker_log,
    )
    first = RankingResult.objects.get(period_key="2024-08", scope="peer", unit__code=CUONG_CHINH)
    assert (first.total, first.rank) == (Decimal("95.00"), 1)
