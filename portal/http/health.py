"""Liveness and readiness probes for load balancers and orchestrators.

``/healthz`` says the process answers (no database or cache touched), so a
database outage does not get healthy app servers restarted. ``/readyz`` says
whether this server can do its work, that is whether the database answers: if
not, 503, so the load balancer sends traffic elsewhere. The cache only makes the
site faster (a cache outage is served as misses), so a cache that does not answer
makes the answer 200 ``degraded``, never 503: a shared Redis going away must not
take every app server out of the load balancer.

Both answer over plain HTTP even where pages redirect to HTTPS
(``SECURE_REDIRECT_EXEMPT``): a load balancer probes app servers directly.
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
    if checks["database"] != "ok":
        status = "unavailable"
    elif checks["cache"] != "ok":
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "checks": checks},
        status=503 if status == "unavailable" else 200,
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
        # The tolerant Redis backend answers a miss instead of raising (and
        # does not call a Redis that just failed), so the check is that a value
        # just written comes back.
        cache.set(key, "1", 5)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as error:  # any failure means "degraded"
        logger.warning("readiness: cache unavailable: %s", error)
        return "unavailable"
    return "ok" if ok else "unavailable"
