"""Deployment checks of the HTTP layer (``manage.py check --deploy``)."""

from django.conf import settings
from django.core import checks

LOCAL_MEMORY_CACHE = "django.core.cache.backends.locmem.LocMemCache"


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """The content version lives in the cache (``portal.http.caching``): every
    process must read the same one, or a publish goes unseen by the others."""
    if settings.CACHES["default"]["BACKEND"] != LOCAL_MEMORY_CACHE:
        return []
    return [
        checks.Warning(
            "The cache is local to each process: with more than one process, "
            "a publish in one is not seen by the others until their pages expire.",
            hint="Set REDIS_URL to a Redis server shared by every app server.",
            id="portal.W001",
        )
    ]
