"""The portal survives its database going away and recovers by itself.

Runs gunicorn against a PostgreSQL cluster of the test's own, stops that cluster,
checks what readers and API clients get, starts it again and checks recovery.
As in production, plain HTTP is redirected to HTTPS, which the proxy in front
says a request came over; the health probes are fetched over plain HTTP, as a
load balancer does.
"""

import json

import pytest

from tests.helpers import ThrowawayPostgres, fetch, gunicorn, production_env, wait_for


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    folder = tmp_path_factory.mktemp("faults")
    postgres = ThrowawayPostgres()
    try:
        postgres.start()
        env = production_env(
            folder,
            DATABASE_URL=postgres.url,
            DB_CONN_MAX_AGE="60",
            SECURE_SSL_REDIRECT="true",
            BEHIND_PROXY="true",
        )
        with gunicorn(env) as base:
            yield base, postgres
    finally:
        postgres.remove()


def page(url):
    """A page as the proxy forwards it: over HTTPS."""
    return fetch(url, **{"X-Forwarded-Proto": "https"})


def test_database_outage_and_recovery(outage):
    base, postgres = outage
    assert page(base + "/projects/")[0] == 200
    assert page(base + "/api/v1/projects/")[0] == 200

    postgres.stop()

    # Addresses no worker has answered yet: nothing kept, the database is needed.
    # (An answer kept in the page cache is still served: the content version
    # needs no database.)
    status, headers, body = page(base + "/projects/?sort=name")
    assert status == 503
    assert b"Temporarily unavailable" in body
    assert b"Traceback" not in body
    assert headers["Retry-After"] == "30"
    assert "Content-Security-Policy" in headers
    assert "camera=()" in headers["Permissions-Policy"]

    # (A list's count is kept per filters: an empty catalogue's first page in
    # another order needs no database either. Another filter does.)
    status, headers, body = page(base + "/api/v1/projects/?ordering=name&status=active")
    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["detail"].startswith("The service is temporarily")

    status, _, body = fetch(base + "/readyz")
    assert status == 503
    assert json.loads(body)["checks"]["database"] == "unavailable"
    assert fetch(base + "/healthz")[0] == 200  # the process itself is fine

    postgres.start()

    wait_for(lambda: page(base + "/projects/")[0] == 200, "recovery", seconds=15)
    assert page(base + "/api/v1/projects/")[0] == 200
    assert fetch(base + "/readyz")[0] == 200
