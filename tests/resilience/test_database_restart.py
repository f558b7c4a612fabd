"""PostgreSQL restarted under a running portal: requests fail cleanly, then recover without a restart."""

import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection

from .conftest import fetch

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _cluster(action: str) -> None:
    version = next(Path("/etc/postgresql").iterdir()).name
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action, "-m", "fast"]
        if action == "stop"
        else ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def reconnect_afterwards():
    yield
    connection.close()  # the test process's own connection died with the server: open a new one


def test_requests_fail_cleanly_while_postgres_is_down_and_succeed_after(gunicorn_server, reconnect_afterwards):
    search = gunicorn_server + "/api/v1/units/?q=thu%20sy"  # never cached: it needs the database
    assert fetch(gunicorn_server + "/") == 200 and fetch(search) == 200
    _cluster("stop")
    try:
        started = time.monotonic()
        during = [fetch(gunicorn_server + "/healthz"), fetch(search), fetch(gunicorn_server + "/")]
        # An error answer, quickly, not a hung connection ("try again shortly": 503, see portal/views/errors.py);
        # a page already in the cache may still be served.
        assert during[0] == 503 and during[1] == 503 and during[2] in (200, 503)
        assert time.monotonic() - started < 10
    finally:
        _cluster("start")
    for _ in range(60):
        if fetch(gunicorn_server + "/healthz") == 200:
            break
        time.sleep(0.5)
    assert [fetch(search) for _ in range(6)] == [200] * 6  # every worker recovered, without a restart
