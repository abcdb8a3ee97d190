"""A Redis cache that never takes the site down with it.

Django's ``RedisCache`` raises when Redis is unreachable. The portal uses its cache
only to go faster, so a cache outage must cost speed, not availability: every
operation here catches Redis's connection and timeout errors, logs them, and
answers as a cache miss (reads) or as a no-op (writes). When Redis comes back, the
next operation uses it again; nothing needs restarting.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("portal.cache")
OUTAGES = (RedisConnectionError, RedisTimeoutError, OSError)


def _tolerant(name, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except OUTAGES as error:
            logger.warning("cache %s failed, serving without cache: %s", name, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    call.__name__ = name
    call.__doc__ = method.__doc__
    return call


def _default(key, default=None, *args, **kwargs):
    return default


class FaultTolerantRedisCache(RedisCache):
    get = _tolerant("get", _default)
    get_many = _tolerant("get_many", lambda *a, **k: {})
    has_key = _tolerant("has_key", False)
    set = _tolerant("set", None)
    add = _tolerant("add", False)
    set_many = _tolerant("set_many", lambda data, *a, **k: list(data))
    delete = _tolerant("delete", False)
    delete_many = _tolerant("delete_many", None)
    touch = _tolerant("touch", False)
    incr = _tolerant("incr", None)
    clear = _tolerant("clear", None)
