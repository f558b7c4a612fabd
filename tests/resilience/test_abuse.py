"""A standing abuse run: for a bounded time, threads on the loopback mix cacheable pages, cache-busting
variants and invalid requests against gunicorn. Not one answer may be a 5xx, and the page cache (a
private Redis, so that its keys can be counted) holds no more pages than its bound.

Prints the figures; asserts only outcomes (tests never assert timings).
"""

import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest
import redis

from indicators.services import period_get
from publishing.services import publication_publish
from rankings.services import rankings_compute
from units.models import AdministrativeUnit

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.needs("redis-server"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DURATION_S = 40  # of the 60 s this test may take
THREADS = 8
MAX_PAGES = 150
CACHEABLE = [
    "/",
    "/xep-hang/?parent=legacy.332&level=commune&period=2024-08",
    "/don-vi/legacy/12367/",
    "/don-vi/legacy/332/bang-diem/",
    "/so-sanh/?u=legacy.12367&u=legacy.12376",
    "/ban-do/?parent=legacy.332&period=2024-08",
    "/phuong-phap/",
    "/api/v1/rankings/?period=2024-08&parent=332",
    "/xep-hang/?parent=legacy.332&period=2024-08&format=csv",
]


def _busting(rng: random.Random) -> str:
    """A cacheable page with something that changes every time: what filled the cache before."""
    n = rng.randrange(10**9)
    return rng.choice(
        [
            f"/xep-hang/?parent=legacy.332&period=2024-08&nc={n}",
            f"/?utm_source=x{n}&fbclid={n}",
            f"/xep-hang/?parent=legacy.332&period=2024-08&q=xa{n}",
            f"/xep-hang/?parent=legacy.332&period=2024-08&page={n % 50}&sort=-total",
            f"/don-vi/legacy/12367/?period=2024-08&x={n}",
            f"/so-sanh/?u=legacy.12367&u=legacy.{n % 20000}",
        ]
    )


INVALID = [
    "/xep-hang/?parent=%00",
    "/don-vi/legacy/%00/",
    "/cong-van/cong-khai/332%00/2024-08.pdf",
    "/api/v1/rankings/?period=2024-08&parent=3%0032",
    "/xep-hang/?parent=legacy.332&period=2024-13",
    "/xep-hang/?parent=legacy.332&period=../../etc/passwd",
    "/xep-hang/?parent=khong.co",
    "/don-vi/legacy/khong-co/",
    "/xep-hang/?parent=legacy.332&per_page=-1&page=abc&_per_page=0",
    "/xep-hang/?parent=legacy.332&q=" + "%27%22%3Cscript%3E" * 200,
    "/so-sanh/?" + "&".join(f"u=legacy.{n}" for n in range(300)),
    "/api/v1/rankings/?period=9999-99",
    "/api/v1/units/?q=%ff%fe%fd",
    "/don-vi/%ff%fe/1/",
    "/nhung/don-vi/legacy/332/?period=x" + "y" * 3000,
    "/cong-van/cong-khai/332/2024-02.pdf",
    "/khong-co-trang/" + "a" * 1500,
]


@pytest.fixture
def published(demo):
    for key in ("2024-07", "2024-08"):
        rankings_compute(period_key=key)
    publication_publish(
        period=period_get(year=2024, month=8), scope=AdministrativeUnit.objects.get(tree="legacy", code="332")
    )


def _ask(base: str, path: str, method: str) -> int:
    data = b"" if method == "POST" else None
    request = urllib.request.Request(base + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_mixed_abusive_load_gives_no_5xx_and_a_bounded_cache(published, private_redis, start_portal):
    portal = start_portal(REDIS_URL=private_redis.url, PORTAL_CACHE_MAX_PAGES=str(MAX_PAGES), threads=4)
    deadline = time.monotonic() + DURATION_S
    answers: Counter = Counter()
    server_errors: list[str] = []
    lock = threading.Lock()

    def visitor(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            kind = rng.choices(["cacheable", "busting", "invalid"], weights=[4, 4, 2])[0]
            path = {"cacheable": lambda: rng.choice(CACHEABLE), "busting": lambda: _busting(rng)}.get(
                kind, lambda: rng.choice(INVALID)
            )()
            method = rng.choices(["GET", "HEAD", "POST"], weights=[8, 1, 1])[0]
            try:
                status = _ask(portal.base, path, method)
            except Exception as exc:  # a dropped or hung connection counts as a server failure
                status, path = 599, f"{path}: {exc}"
            with lock:
                answers[(kind, status)] += 1
                if status >= 500:
                    server_errors.append(f"{method} {path[:200]} → {status}")

    threads = [threading.Thread(target=visitor, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DURATION_S + 30)

    pages = sum(1 for _ in redis.Redis.from_url(private_redis.url).scan_iter(match="*portal:page:*", count=1000))
    total = sum(answers.values())
    print(f"\nabuse: {total} requests in {DURATION_S} s by {THREADS} threads ({total / DURATION_S:.0f} req/s)")
    for (kind, status), count in sorted(answers.items()):
        print(f"  {kind:9} {status}: {count}")
    print(f"  pages in the cache: {pages} (bound {MAX_PAGES})")
    assert total > 0 and answers[("cacheable", 200)] > 0
    assert server_errors == []
    assert pages <= MAX_PAGES
