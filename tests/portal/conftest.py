"""Fixtures of the portal tests: demo data with stored rankings, published or not; a server without its database."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.shared_data import shared_data

from .factories import publish, quarter_build, rankings_build, tien_lu

DEMO_MONTHS = [(2023, 9), (2023, 10), (2023, 11), (2023, 12)] + [(2024, m) for m in range(1, 9)]


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    """Each test starts with an empty page cache (rolled-back data can repeat a data version).

    A local-memory cache of its own: clearing a Redis cache would also flush a broker sharing it.
    """
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}}
    cache.clear()
    yield
    cache.clear()


def _rank_demo() -> None:
    from indicators.demo import demo_load

    demo_load()
    for year, month in DEMO_MONTHS:
        rankings_build(year=year, month=month)
    quarter_build(year=2024, quarter=2)


def _publish_all_but_newest() -> None:
    shared_data("ranked", _rank_demo)
    for year, month in DEMO_MONTHS[:-1]:
        publish(year=year, month=month, scope=tien_lu())


def _publish_all() -> None:
    shared_data("published", _publish_all_but_newest)
    year, month = DEMO_MONTHS[-1]
    publish(year=year, month=month, scope=tien_lu())


# Each state is built once per test process, by the real services and on top of the one before it,
# then copied back whole for the next test that asks for it (tests.shared_data).


@pytest.fixture
def ranked(unit_tree):
    """Demo data with rankings stored for every demo month of Tiên Lữ; nothing published yet."""
    shared_data("ranked", _rank_demo)
    return tien_lu()


@pytest.fixture
def published(unit_tree):
    """Every demo month of Tiên Lữ published, except 8/2024 (the newest) which stays unpublished."""
    shared_data("published", _publish_all_but_newest)
    return tien_lu()


@pytest.fixture
def all_published(unit_tree):
    """Every demo month of Tiên Lữ published."""
    shared_data("all_published", _publish_all)
    return tien_lu()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server_without_database():
    """A real server (gunicorn) whose database does not answer (nothing listens on its port); yields its base URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{_free_port()}/nothing"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "1", "config.wsgi"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
