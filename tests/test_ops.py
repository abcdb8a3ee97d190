"""Health probes, the Redis cache and its outages, and the request log."""

import io
import json
import logging
import logging.config
import threading
import time

import pytest
import redis
from django.core.cache import cache
from django.db import connection

from portal.http import logs
from tests.helpers import ThrowawayRedis, wait_for

NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens on port 1
COOLOFF_SECONDS = 0.2


def redis_cache(location):
    """The production cache configuration, with its short timeouts (the
    backend's defaults) and a cool-off short enough for a test."""
    return {
        "default": {
            "BACKEND": "portal.http.cache_backends.FaultTolerantRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "portal-tests",
            "OPTIONS": {"cooloff_seconds": COOLOFF_SECONDS},
        }
    }


@pytest.fixture
def redis_server(tmp_path):
    server = ThrowawayRedis(tmp_path)
    yield server
    server.remove()


@pytest.fixture
def redis_commands(monkeypatch):
    """The commands the portal sends to Redis, as they are sent."""
    sent = []
    send = redis.Redis.execute_command

    def counted(client, *args, **options):
        sent.append(args[0])
        return send(client, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    return sent


def database_down(monkeypatch):
    class Unreachable:
        def cursor(self):
            raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr("portal.http.health.connection", Unreachable())


def test_healthz_answers_without_touching_the_database(
    client, db, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_200_when_database_and_cache_answer(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok"},
    }


def test_readyz_names_the_database_when_it_is_down(client, db, monkeypatch):
    database_down(monkeypatch)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "unavailable", "cache": "ok"},
    }


def test_readyz_is_200_and_degraded_when_only_redis_is_down(client, db, settings):
    """The site serves without its cache, so the load balancer must keep
    sending traffic: only the database makes a server unready."""
    settings.CACHES = redis_cache(NOWHERE)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "unavailable"},
    }


@pytest.mark.parametrize("probe", ["/healthz", "/readyz"])
def test_probes_answer_over_plain_http_where_pages_redirect_to_https(
    client, db, settings, probe
):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    response = client.get(probe)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_probes_over_plain_http_tell_the_database_is_down(
    client, db, settings, monkeypatch
):
    settings.SECURE_SSL_REDIRECT = True
    database_down(monkeypatch)
    assert client.get("/healthz").status_code == 200  # the process is fine
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"


def test_redis_cache_stores_and_reads_for_real(settings, redis_server):
    settings.CACHES = redis_cache(redis_server.url)
    cache.set("answer", {"value": 42}, 30)
    assert cache.get("answer") == {"value": 42}
    assert cache.get_many(["answer", "missing"]) == {"answer": {"value": 42}}
    cache.delete("answer")
    assert cache.get("answer", "gone") == "gone"


def test_redis_outage_is_a_miss_not_an_error(settings, caplog):
    settings.CACHES = redis_cache(NOWHERE)
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        cache.set("key", "value")
        assert cache.get("key", "fallback") == "fallback"
        assert cache.get_many(["key"]) == {}
        assert cache.add("key", "value") is False
        cache.delete("key")
    assert "serving without cache" in caplog.text


def test_one_redis_client_and_connection_serve_every_call_of_the_process(
    settings, redis_server, monkeypatch
):
    made = []
    make = redis.Redis.__init__

    def counted(client, *args, **kwargs):
        made.append(client)
        make(client, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counted)
    settings.CACHES = redis_cache(redis_server.url)

    def use_the_cache():
        for number in range(10):
            cache.set(f"key-{number}", number)
            assert cache.get(f"key-{number}") == number

    use_the_cache()
    other_thread = threading.Thread(target=use_the_cache)  # its own backend object
    other_thread.start()
    other_thread.join()

    assert len(made) == 1
    connections = redis.Redis.from_url(redis_server.url).info("clients")
    assert connections["connected_clients"] == 1 + 1  # the portal's and this one


def test_a_hung_redis_costs_one_timeout_then_is_left_alone_until_it_answers(
    client, db, settings, redis_server, redis_commands
):
    settings.CACHES = redis_cache(redis_server.url)
    cache.set("kept", "value", 60)
    assert cache.get("kept") == "value"

    redis_server.pause()  # stopped: connections are accepted, never answered
    assert cache.get("kept", "missed") == "missed"  # one timeout
    assert cache.breaker.is_open

    sent = len(redis_commands)
    started = time.monotonic()
    for _ in range(20):
        assert cache.get("kept", "missed") == "missed"
    assert len(redis_commands) == sent  # not one reached Redis
    assert time.monotonic() - started < 0.5  # a timeout each would be 5 s

    assert client.get("/").status_code == 200
    assert client.get("/projects/").status_code == 200
    readiness = client.get("/readyz")
    assert readiness.status_code == 200
    assert readiness.json()["status"] == "degraded"

    redis_server.resume()
    wait_for(lambda: cache.get("kept") == "value", "the cache to be used again")
    assert not cache.breaker.is_open
    assert client.get("/readyz").json()["status"] == "ok"


@pytest.mark.parametrize("url", ["/", "/projects/", "/api/v1/projects/"])
def test_site_and_api_keep_serving_while_redis_is_down(client, db, settings, url):
    settings.CACHES = redis_cache(NOWHERE)
    assert client.get(url).status_code == 200


def test_every_response_has_a_request_id_and_one_log_line(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        response = client.get("/projects/?q=secret-token-like-value")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    (record,) = [r for r in caplog.records if r.name == "portal.requests"]
    assert (record.method, record.path, record.status) == ("GET", "/projects/", 200)
    assert record.request_id == request_id
    assert record.duration_ms >= 0
    assert record.getMessage().startswith("GET /projects/ 200 ")
    # No query strings in logs.
    assert "secret-token-like-value" not in repr(vars(record))


@pytest.fixture
def production_logging(settings):
    """The production logging configuration for one test, its stdout and stderr
    written to the two buffers returned."""
    config = logs.logging_config(json_lines=True)
    out, err = io.StringIO(), io.StringIO()
    config["handlers"]["stdout"]["stream"] = out
    config["handlers"]["stderr"]["stream"] = err
    logging.config.dictConfig(config)
    yield out, err
    logging.config.dictConfig(settings.LOGGING)


def test_in_production_every_log_line_is_one_json_object(
    client, db, production_logging
):
    warner = logging.getLogger("portal.cache")
    token = logs.current_request_id.set("lb-1234.abc")
    try:
        warner.warning("Redis is down: serving without cache")
    finally:
        logs.current_request_id.reset(token)
    try:
        raise ValueError("a broken row")
    except ValueError:
        logging.getLogger("projects.imports").exception("Import failed")
    client.get("/healthz", headers={"X-Request-ID": "probe-7"})

    out, err = (buffer.getvalue() for buffer in production_logging)
    warning, error = (json.loads(line) for line in err.splitlines())
    assert warning["level"] == "WARNING"
    assert warning["logger"] == "portal.cache"
    assert warning["message"] == "Redis is down: serving without cache"
    assert warning["request_id"] == "lb-1234.abc"
    assert error["level"] == "ERROR"
    assert error["message"] == "Import failed"
    assert error["request_id"] is None
    assert "ValueError: a broken row" in error["exc_info"]
    (request,) = (json.loads(line) for line in out.splitlines())
    assert request["logger"] == "portal.requests"
    assert (request["path"], request["status"]) == ("/healthz", 200)
    assert request["request_id"] == "probe-7"


def test_a_sane_incoming_request_id_is_kept_and_a_bad_one_replaced(client, db):
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-1234.abc"})
    assert kept["X-Request-ID"] == "lb-1234.abc"
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>\n"})
    assert replaced["X-Request-ID"] != "<script>\n"
    assert len(replaced["X-Request-ID"]) == 32
