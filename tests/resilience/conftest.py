"""Fixtures of the fault and load tests: a real gunicorn on the test database, and private servers."""

import pytest
from django.conf import settings

from .servers import Portal, PrivatePostgres, PrivateRedis, fetch  # noqa: F401  (fetch: used by the tests)


def committed_database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def start_portal(tmp_path):
    """Start gunicorn with an environment of the test's choosing; every one started is stopped after."""
    portals = []

    def start(**env) -> Portal:
        portal = Portal(log=tmp_path / "gunicorn.log", **{"DATABASE_URL": committed_database_url(), **env})
        portals.append(portal)
        return portal

    yield start
    for portal in portals:
        portal.stop()


@pytest.fixture
def gunicorn_server(demo, start_portal):
    """gunicorn with 2 workers on the committed test database; yields its base URL."""
    return start_portal().base


@pytest.fixture
def private_redis():
    """A Redis of this test's own, started; stopped (whatever state it is in) after the test."""
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def private_postgres():
    """A PostgreSQL cluster of this test's own, started; destroyed after the test."""
    cluster = PrivatePostgres()
    cluster.start()
    yield cluster
    cluster.destroy()
