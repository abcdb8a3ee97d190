"""A Redis cache that never takes the site down with it, nor slows it down.

The portal uses its cache only to go faster, so a cache outage must cost speed,
not availability, and as little speed as possible:

- **A failure is a miss.** Every operation catches Redis's connection and
  timeout errors, logs them, and answers as a cache miss (reads) or as a no-op
  (writes). Django's ``RedisCache`` would raise instead.
- **It fails fast.** Connecting and reading time out after
  ``DEFAULT_TIMEOUT_SECONDS`` unless ``OPTIONS`` says otherwise
  (``socket_connect_timeout``, ``socket_timeout``); redis-py's default is 5 s.
- **A failing Redis is left alone for a while** (a circuit breaker). After a
  failure no call is sent to Redis for ``cooloff_seconds`` (an ``OPTIONS`` key,
  default ``DEFAULT_COOLOFF_SECONDS``): each operation is a miss at once. Then one
  call is let through as a trial; if it succeeds the cache is used again, if it
  fails the cool-off starts over. So a hung Redis (accepting connections but
  never answering) costs one timeout per cool-off, not one per cache call, and
  nothing needs restarting when it comes back.
- **One client per process.** Django makes a cache backend object per thread,
  and its ``RedisCache`` a new ``redis.Redis`` client for every call. Here every
  backend object of a process with the same configuration shares one client,
  its connection pool and its breaker (:func:`shared_client`).
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import cached_property
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("portal.cache")
OUTAGES = (RedisConnectionError, RedisTimeoutError, OSError)
DEFAULT_TIMEOUT_SECONDS = 0.25
DEFAULT_COOLOFF_SECONDS = 5.0


class CircuitBreaker:
    """Closed, calls pass; a failure opens it for ``cooloff`` seconds, during
    which calls are refused; then it lets one trial call through, whose outcome
    closes it or opens it again. Safe to share between threads."""

    def __init__(self, cooloff: float):
        self.cooloff = cooloff
        self._lock = threading.Lock()
        self._open_until = None  # monotonic time; None: closed
        self._trial_running = False

    @property
    def is_open(self) -> bool:
        return self._open_until is not None

    def allows(self) -> bool:
        """Whether a call may go to Redis now (if so, report its outcome)."""
        if self._open_until is None:
            return True
        with self._lock:
            if self._open_until is None:
                return True
            if self._trial_running or time.monotonic() < self._open_until:
                return False
            self._trial_running = True
            return True

    def succeeded(self) -> None:
        if self._open_until is not None:
            with self._lock:
                self._open_until = None
                self._trial_running = False

    def failed(self) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self.cooloff
            self._trial_running = False


class SharedRedisClient(RedisCacheClient):
    """Django's Redis cache client, keeping one ``redis.Redis`` per server
    (each with its connection pool) instead of making one per call, and the
    breaker for those servers."""

    def __init__(self, servers, *, cooloff: float, **options):
        super().__init__(servers, **options)
        self.breaker = CircuitBreaker(cooloff)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(
                id(pool), self._client(connection_pool=pool)
            )
        return client

    def close(self) -> None:
        for pool in self._pools.values():
            pool.disconnect()


_shared_clients: dict[tuple, SharedRedisClient] = {}
_shared_clients_lock = threading.Lock()


def shared_client(servers, options: dict, cooloff: float) -> SharedRedisClient:
    """The process's client for this configuration, made on first use."""
    key = (tuple(servers), repr(sorted(options.items())), cooloff)
    client = _shared_clients.get(key)
    if client is None:
        with _shared_clients_lock:
            client = _shared_clients.get(key)
            if client is None:
                client = SharedRedisClient(servers, cooloff=cooloff, **options)
                _shared_clients[key] = client
    return client


@receiver(setting_changed)
def _forget_shared_clients(setting, **kwargs):
    """A changed ``CACHES`` (tests do it) starts from new clients and breakers,
    as Django starts from new backend objects."""
    if setting == "CACHES":
        with _shared_clients_lock:
            for client in _shared_clients.values():
                client.close()
            _shared_clients.clear()


def _tolerant(name, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        breaker = self._cache.breaker
        if not breaker.allows():
            return fallback(*args, **kwargs) if callable(fallback) else fallback
        try:
            result = method(self, *args, **kwargs)
        except OUTAGES as error:
            breaker.failed()
            logger.warning(
                "cache %s failed, serving without cache for %g s: %s",
                name,
                breaker.cooloff,
                error,
            )
            return fallback(*args, **kwargs) if callable(fallback) else fallback
        except Exception:
            breaker.succeeded()  # Redis answered (e.g. incr of a missing key)
            raise
        breaker.succeeded()
        return result

    call.__name__ = name
    call.__doc__ = method.__doc__
    return call


def _default(key, default=None, *args, **kwargs):
    return default


class FaultTolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        options = {
            "socket_connect_timeout": DEFAULT_TIMEOUT_SECONDS,
            "socket_timeout": DEFAULT_TIMEOUT_SECONDS,
            **self._options,
        }
        self._cooloff = float(options.pop("cooloff_seconds", DEFAULT_COOLOFF_SECONDS))
        self._options = options

    @cached_property
    def _cache(self):
        return shared_client(self._servers, self._options, self._cooloff)

    @property
    def breaker(self) -> CircuitBreaker:
        return self._cache.breaker

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
