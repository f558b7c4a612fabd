"""A Redis cache that degrades to "miss" when Redis is unreachable, so public pages keep serving."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    """Reads miss and writes are dropped while Redis is down; the cache is an optimisation, never a dependency."""

    def _guard(self, name, default, *args, **kwargs):
        try:
            return getattr(super(), name)(*args, **kwargs)
        except _DOWN as exc:
            logger.warning("cache %s skipped, Redis unreachable: %s", name, exc)
            return default

    def get(self, key, default=None, version=None):
        return self._guard("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, keys, version)

    def set(self, key, value, timeout=None, version=None):
        return self._guard("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=None, version=None):
        return self._guard("add", False, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._guard("set_many", list(data), data, timeout, version)

    def delete(self, key, version=None):
        return self._guard("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._guard("delete_many", None, keys, version)

    def touch(self, key, timeout=None, version=None):
        return self._guard("touch", False, key, timeout, version)

    def has_key(self, key, version=None):
        return self._guard("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._guard("incr", None, key, delta, version)

    def clear(self):
        return self._guard("clear", None)
