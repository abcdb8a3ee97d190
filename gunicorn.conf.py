"""Production server settings for gunicorn, read from the environment.

    DJANGO_ENV=production ... uv run gunicorn portal.wsgi

PORT / BIND, WEB_CONCURRENCY (workers), GUNICORN_THREADS, GUNICORN_TIMEOUT,
GUNICORN_KEEPALIVE, GUNICORN_MAX_REQUESTS: see docs/deploy.md.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(
    os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1))
)
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so that no slow leak can grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "1000"))
# Load the application once in the master, then fork: the workers share its
# memory (see pre_fork below) instead of each loading its own copy.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() == "true"
# The portal logs one line per request itself (portal.http.request_log).
accesslog = None
errorlog = "-"
# gunicorn's own lines (start, workers, errors) in the portal's format: one JSON
# object per line unless LOG_FORMAT=text (as portal.http.logs.JSON_FORMATTER; this
# file is read before the portal's modules can be imported).
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        # The portal's logging configures the root logger; gunicorn's own lines
        # go once, to stderr, and its access log stays off (see accesslog).
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {
                "level": "INFO",
                "handlers": ["error_console"],
                "propagate": False,
                "qualname": "gunicorn.error",
            },
            "gunicorn.access": {
                "level": "INFO",
                "handlers": [],
                "propagate": False,
                "qualname": "gunicorn.access",
            },
        },
        "formatters": {
            "generic": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": True,
            }
        },
    }


def pre_fork(server, worker):
    """In the master, before each worker is forked: what the preloaded
    application allocated moves to the garbage collector's permanent
    generation, so the workers' collections never write to those objects and
    their memory pages stay shared with the master instead of being copied
    into every worker."""
    gc.freeze()
