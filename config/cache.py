"""The Redis cache, answering as an empty cache while Redis is down.

Every public page reads the cache (the page cache, its generation, the category tree, the scan
page's answers and rate limits). With Django's RedisCache a Redis that is down or unreachable
makes each of those reads an exception, so the whole storefront answers 500. Here a failed call
answers as a cache that holds nothing and keeps nothing: `get` gives the default, `add` and
`set` keep nothing, `incr` finds no key. Pages are then rendered for every request, slower but
right. After a failure Redis is not asked again for PAUSE_SECONDS (per process), so a Redis that
hangs costs one timeout every few seconds, not one per call. `/readyz` reports the cache failed
meanwhile (the value it writes does not come back).
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 5.0


class ResilientRedisCache(RedisCache):
    _down_until = 0.0  # time.monotonic() before which Redis is not asked (this process)

    def _call(self, failed, method, *args, **kwargs):
        if time.monotonic() < ResilientRedisCache._down_until:
            return failed
        try:
            return method(*args, **kwargs)
        except RedisError as error:
            mark_unavailable(error)
            return failed

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._call(missing, super().incr, key, delta, version)
        if value is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(None, super().delete_many, keys, version)

    def clear(self):
        return self._call(False, super().clear)


def redis_available():
    """Whether the cache's Redis was reachable at its last call (for code that talks to the
    same Redis directly, such as the scan buffer)."""
    return time.monotonic() >= ResilientRedisCache._down_until


def mark_unavailable(error):
    """Redis failed (in the cache or in code talking to it directly): pause it everywhere."""
    ResilientRedisCache._down_until = time.monotonic() + PAUSE_SECONDS
    logger.warning(
        "redis unavailable, pages are rendered without the cache for %s s: %s",
        PAUSE_SECONDS,
        error,
        extra={"event": "cache_unavailable"},
    )
