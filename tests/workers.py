"""A real Celery worker process on the test database, for tests of tasks, faults and recovery."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app
from rankings.models import RankingRun

BASE = Path(__file__).resolve().parents[1]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """`celery -A config worker` in its own process group, on the test database."""

    def __init__(self, log: Path, *, beat: bool = False, **env):
        environment = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CONN_MAX_AGE": "0",
            **env,
        }
        self.log = log
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork", "-c", "1", "-l", "info"]
        if beat:  # beat inside the worker: the sweepers run on their schedule, as the beat service does
            command += ["-B", "-s", str(log.with_name(log.stem + "-beat-schedule"))]
        self.process = subprocess.Popen(
            command, cwd=BASE, env=environment, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self) -> None:
        """SIGKILL the worker and its pool child: nothing gets to clean up, as when a machine dies."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker_log(tmp_path):
    return tmp_path / "worker.log"


@pytest.fixture
def start_worker(worker_log):
    # Messages earlier tests of this process queued name rows that are gone: a worker started on
    # them would spend the test's time failing them before it reaches the test's own.
    app.control.purge()
    workers = []

    def start(*, beat: bool = False, **env) -> Worker:
        worker = Worker(worker_log, beat=beat, **env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def demo_committed(demo) -> int:
    """The demo, committed; returns the last run it queued (those messages are purged: tests send their own)."""
    app.control.purge()
    return RankingRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _wait(predicate, *, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    text = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{text}")
