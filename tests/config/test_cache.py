"""The cache never takes the portal down with it."""

import os

import pytest

from config.cache import ResilientRedisCache


def _cache(location):
    return ResilientRedisCache(location, {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}})


def test_unreachable_redis_reads_as_a_miss_and_drops_writes():
    cache = _cache("redis://127.0.0.1:1/0")  # nothing listens on port 1
    assert cache.get("k", "fallback") == "fallback"
    assert cache.set("k", "v") is None
    assert cache.add("k", "v") is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.delete("k") is False


@pytest.mark.redis
def test_reachable_redis_behaves_as_a_cache():
    cache = _cache(os.environ["REDIS_URL"])
    cache.set("resilient-test", {"x": 1}, 5)
    assert cache.get("resilient-test") == {"x": 1}
    cache.delete("resilient-test")
    assert cache.get("resilient-test") is None
