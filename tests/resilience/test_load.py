"""A bounded loopback load on the public pages, served by gunicorn with 2 workers: zero errors.

Prints the figures; asserts only that every request succeeded (tests never assert timings).
"""

import statistics
import threading
import time
import urllib.request

import pytest

from indicators.services import period_get
from publishing.services import publication_publish
from rankings.services import rankings_compute
from units.models import AdministrativeUnit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DURATION_S = 30
THREADS = 8
PATHS = [
    "/",
    "/xep-hang/?period=2024-08&parent=legacy.332",
    "/don-vi/legacy/12367/",
    "/api/v1/rankings/?period=2024-08&parent=332",
    "/static/css/portal.css",
]


@pytest.fixture
def published(demo):
    for key in ("2024-07", "2024-08"):
        rankings_compute(period_key=key)
    publication_publish(
        period=period_get(year=2024, month=8), scope=AdministrativeUnit.objects.get(tree="legacy", code="332")
    )


def test_public_pages_serve_a_30_second_load_without_a_single_error(published, gunicorn_server):
    deadline = time.monotonic() + DURATION_S
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def hammer(offset: int) -> None:
        n = offset
        while time.monotonic() < deadline:
            path = PATHS[n % len(PATHS)]
            n += 1
            started = time.monotonic()
            try:
                with urllib.request.urlopen(gunicorn_server + path, timeout=10) as response:
                    response.read()
                    ok = response.status == 200
            except Exception as exc:  # every kind of failure counts as an error
                ok, path = False, f"{path}: {exc}"
            with lock:
                (latencies.append(time.monotonic() - started) if ok else failures.append(path))

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DURATION_S + 30)
    total = len(latencies) + len(failures)
    cuts = statistics.quantiles(latencies, n=20) if len(latencies) > 20 else [0] * 19
    print(
        f"\nload: {total} requests in {DURATION_S} s by {THREADS} threads, {total / DURATION_S:.0f} req/s, "
        f"p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {cuts[18] * 1000:.1f} ms, errors {len(failures)}"
    )
    assert total > 0
    assert failures == []
