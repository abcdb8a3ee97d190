"""Health probes, the Redis cache and its outages, and the request log."""

import json
import logging

import pytest
from django.core.cache import cache
from django.db import connection

REDIS = "redis://127.0.0.1:6379/15"
NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def redis_cache(location):
    return {
        "default": {
            "BACKEND": "portal.http.cache_backends.FaultTolerantRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "portal-tests",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


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
    class Unreachable:
        def cursor(self):
            raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr("portal.http.health.connection", Unreachable())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unavailable", "cache": "ok"}


def test_readyz_names_the_cache_when_redis_is_down(client, db, settings):
    settings.CACHES = redis_cache(NOWHERE)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "unavailable"}


def test_redis_cache_stores_and_reads_for_real(settings):
    settings.CACHES = redis_cache(REDIS)
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


@pytest.mark.parametrize("url", ["/", "/projects/", "/api/v1/projects/"])
def test_site_and_api_keep_serving_while_redis_is_down(client, db, settings, url):
    settings.CACHES = redis_cache(NOWHERE)
    assert client.get(url).status_code == 200


def test_every_response_has_a_request_id_and_one_log_line(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        response = client.get("/projects/?q=secret-token-like-value")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    (line,) = [r.getMessage() for r in caplog.records if r.name == "portal.requests"]
    entry = json.loads(line)
    assert entry["method"] == "GET"
    assert entry["path"] == "/projects/"
    assert entry["status"] == 200
    assert entry["request_id"] == request_id
    assert entry["duration_ms"] >= 0
    assert "secret-token-like-value" not in line  # no query strings in logs


def test_a_sane_incoming_request_id_is_kept_and_a_bad_one_replaced(client, db):
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-1234.abc"})
    assert kept["X-Request-ID"] == "lb-1234.abc"
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>\n"})
    assert replaced["X-Request-ID"] != "<script>\n"
    assert len(replaced["X-Request-ID"]) == 32
