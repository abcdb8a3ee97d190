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
# The portal logs one JSON line per request itself (portal.http.request_log).
accesslog = None
errorlog = "-"
# Load the application once in the master, then fork: less memory per worker.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() == "true"


def pre_fork(server, worker):
    """In the master, before each worker is forked: what the preloaded
    application allocated moves to the garbage collector's permanent
    generation, so the workers' collections never write to those objects and
    their memory pages stay shared with the master instead of being copied
    into every worker."""
    gc.freeze()
