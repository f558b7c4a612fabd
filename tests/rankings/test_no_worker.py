"""compute_rankings with a broker and no worker says so at once, and how to start one (it used to wait ten minutes)."""

import subprocess
import sys
import time

import pytest

from tests.resilience.servers import ROOT, PrivateRedis, free_port

pytestmark = [pytest.mark.needs("redis-server"), pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _compute_rankings(broker: str, database: str) -> tuple[subprocess.CompletedProcess, float]:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database, "REDIS_URL": broker, "HOME": "/tmp"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", "compute_rankings", "--period", "2024-08"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result, time.monotonic() - started


def _database_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_no_worker_answers_is_said_at_once_with_how_to_start_one(demo):
    redis = PrivateRedis()  # a broker of its own, that no worker listens to
    redis.start()
    try:
        result, took = _compute_rankings(redis.url, _database_url())
    finally:
        redis.stop()
    assert result.returncode != 0
    assert "Không có Celery worker nào trả lời" in result.stderr
    assert "celery -A config worker -l info" in result.stderr
    print(f"\ncompute_rankings without a worker answered in {took:.1f} s")


def test_an_unreachable_broker_is_said_at_once(demo):
    result, took = _compute_rankings(f"redis://127.0.0.1:{free_port()}/0", _database_url())
    assert result.returncode != 0 and "Không kết nối được hàng đợi" in result.stderr
    print(f"\ncompute_rankings with the broker down answered in {took:.1f} s")
