"""Tests in parallel (pytest-xdist): each worker process gets a Redis database of its own.

pytest-django already gives each worker its own test database (test_NAME_gw0, _gw1 …). Redis is
shared, though: the Celery broker's queues and the page cache. Two workers on one Redis database
would take each other's tasks (and run them on the other's database) and serve each other's cached
pages. This plugin is loaded before Django's settings (`-p tests.parallel` in pyproject.toml), so it
moves REDIS_URL to database N + k for worker k before anything reads it; the Celery workers the
tests start inherit the environment.
"""

import os
import re


def _shift(url: str, worker: int) -> str:
    match = re.match(r"^(redis://[^/]*)(?:/(\d+))?$", url)
    if not match:
        return url
    base = int(match.group(2) or 0)
    return f"{match.group(1)}/{base + worker}"


_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw"):
    for _name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if os.environ.get(_name):
            os.environ[_name] = _shift(os.environ[_name], int(_worker[2:]))
