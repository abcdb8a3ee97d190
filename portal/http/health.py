"""Liveness and readiness probes for load balancers and orchestrators.

``/healthz`` says the process answers (no database or cache touched), so a
database outage does not get healthy app servers restarted. ``/readyz`` says
whether this server can do its work: the database and the cache both answer; if
not, 503 with which one failed, so the load balancer sends traffic elsewhere.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger("portal.http.health")


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    checks = {"database": _database(), "cache": _cache()}
    ready = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any failure means "not ready"
        logger.warning("readiness: database unavailable: %s", error)
        return "unavailable"
    return "ok"


def _cache() -> str:
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        # The tolerant Redis backend answers a miss instead of raising, so the
        # check is that a value just written comes back.
        cache.set(key, "1", 5)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as error:  # any failure means "not ready"
        logger.warning("readiness: cache unavailable: %s", error)
        return "unavailable"
    return "ok" if ok else "unavailable"
