"""CORS and rate limits of the API.

Any web page may read the API anonymously (no cookies, no credentials), and read
its caching headers; the site and the admin answer no cross-origin request. Each
client has a rate limit (anonymous by address, users by account), set from the
environment; beyond it, a 429 in the error format says when to come back.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from portal.api.tokens import ApiToken

ROOT = Path(__file__).resolve().parent.parent
ORIGIN = "https://example.org"


@pytest.fixture
def rates(settings):
    """Set the rate limits for one test: ``rates(anon="2/min", user="3/min")``."""

    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **rates,
            },
        }

    return set_rates


def preflight(client, url, **headers):
    return client.options(
        url,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            **headers,
        },
    )


# ---------------------------------------------------------------- CORS


def test_preflight_allows_reads_from_any_origin(client, db):
    response = preflight(
        client,
        "/api/v1/projects/",
        **{"Access-Control-Request-Headers": "if-none-match"},
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert methods == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


def test_a_cross_origin_read_can_see_the_caching_headers(client, make_license):
    make_license("MIT")

    response = client.get("/api/v1/licenses/", headers={"Origin": ORIGIN})

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Last-Modified", "Retry-After"} <= exposed
    assert "Access-Control-Allow-Credentials" not in response
    assert "origin" in response["Vary"].lower()


def test_a_cross_origin_revalidation_gets_its_304_with_cors_headers(
    client, make_license
):
    make_license("MIT")
    etag = client.get("/api/v1/licenses/MIT/", headers={"Origin": ORIGIN})["ETag"]

    response = client.get(
        "/api/v1/licenses/MIT/", headers={"Origin": ORIGIN, "If-None-Match": etag}
    )

    assert response.status_code == 304
    assert response["Access-Control-Allow-Origin"] == "*"


def test_api_errors_carry_cors_headers_so_pages_can_read_them(client, db):
    response = client.get("/api/v1/projects/?status=nope", headers={"Origin": ORIGIN})

    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("url", ["/", "/projects/", "/admin/login/"])
def test_the_site_and_the_admin_answer_no_cross_origin_request(client, db, url):
    simple = client.get(url, headers={"Origin": ORIGIN})
    checked = preflight(client, url)

    for response in (simple, checked):
        assert "Access-Control-Allow-Origin" not in response
        assert "origin" not in response.get("Vary", "").lower()


# ---------------------------------------------------------------- rate limits


def test_anonymous_clients_get_a_429_in_the_error_format(client, db, rates):
    rates(anon="3/min")
    for _ in range(3):
        assert client.get("/api/v1/licenses/").status_code == 200

    response = client.get("/api/v1/licenses/", headers={"Origin": ORIGIN})

    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["errors"] == {}
    assert "throttled" in body["detail"]
    assert 0 < int(response["Retry-After"]) <= 60
    assert response["Access-Control-Allow-Origin"] == "*"


def test_answers_from_the_page_cache_count_too(
    client, make_license, rates, django_assert_num_queries
):
    """A repeated read is answered from the page cache without running the
    view, and still counts: the client meets its limit as it would without it,
    304s included."""
    rates(anon="3/min")
    make_license("MIT")
    etag = client.get("/api/v1/licenses/")["ETag"]
    with django_assert_num_queries(0):
        again = client.get("/api/v1/licenses/")
    assert again.status_code == 200 and again["ETag"] == etag
    revalidated = client.get("/api/v1/licenses/", headers={"If-None-Match": etag})
    assert revalidated.status_code == 304

    response = client.get("/api/v1/licenses/", headers={"If-None-Match": etag})

    assert response.status_code == 429
    assert set(response.json()) == {"detail", "errors"}
    assert 0 < int(response["Retry-After"]) <= 60


@pytest.fixture
def throttle_clock(monkeypatch):
    """Fix the rate limits' clock: ``throttle_clock.now = seconds``."""
    from portal.api import throttling

    class Clock:
        now = 1_000_000.0

    clock = Clock()
    monkeypatch.setattr(throttling.SlottedRateThrottle, "timer", lambda self: clock.now)
    return clock


def test_a_refused_client_may_come_back_when_retry_after_says(
    client, db, rates, throttle_clock
):
    rates(anon="2/min")
    start = throttle_clock.now
    assert client.get("/api/v1/licenses/").status_code == 200
    throttle_clock.now = start + 30
    assert client.get("/api/v1/licenses/").status_code == 200

    throttle_clock.now = start + 40
    refused = client.get("/api/v1/licenses/")
    # The first request leaves the minute at start + 60.
    assert refused.status_code == 429
    assert refused["Retry-After"] == "20"
    throttle_clock.now = start + 59.5
    assert client.get("/api/v1/licenses/").status_code == 429
    throttle_clock.now = start + 60.5
    assert client.get("/api/v1/licenses/").status_code == 200
    # ... and the one at start + 30 still counts.
    assert client.get("/api/v1/licenses/").status_code == 429


def test_the_kept_history_does_not_grow_with_the_rate(
    client, db, rates, throttle_clock
):
    """What each request reads and writes back stays small however many
    requests a client makes: a count per second of the minute."""
    from django.core.cache import cache

    rates(anon="100000/min")
    start = throttle_clock.now
    for n in range(600):
        throttle_clock.now = start + n / 5  # five a second for two minutes
        assert client.get("/api/v1/licenses/").status_code == 200

    history = cache.get("throttle:anon:127.0.0.1")
    assert len(history) <= 61
    # Every request of the last minute is counted, none older.
    assert sum(count for _slot, count, _latest in history) in range(300, 306)


def test_the_limit_is_per_client_address(client, db, rates):
    rates(anon="1/min")
    assert client.get("/api/v1/licenses/").status_code == 200
    assert client.get("/api/v1/licenses/").status_code == 429

    other = client.get("/api/v1/licenses/", REMOTE_ADDR="192.0.2.7")

    assert other.status_code == 200


def test_a_forged_forwarded_for_header_does_not_reset_the_limit(client, db, rates):
    rates(anon="1/min")
    client.get("/api/v1/licenses/")

    response = client.get(
        "/api/v1/licenses/", headers={"X-Forwarded-For": "198.51.100.1"}
    )

    assert response.status_code == 429


def test_unknown_api_addresses_count_too(client, db, rates):
    rates(anon="1/min")
    client.get("/api/v1/nope/")

    assert client.get("/api/v1/nope/").status_code == 429


def test_the_site_is_not_rate_limited_by_the_api_limit(client, db, rates):
    rates(anon="1/min")

    assert [client.get("/licenses/").status_code for _ in range(3)] == [200] * 3


def test_token_users_have_their_own_limit(client, db, rates):
    rates(anon="1/min", user="3/min")
    user = get_user_model().objects.create_user("integrator")
    _token, secret = ApiToken.issue(name="integration", user=user)

    statuses = [
        client.get(
            "/api/v1/licenses/", headers={"Authorization": f"Bearer {secret}"}
        ).status_code
        for _ in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize(
    ("variable", "value"),
    [("API_ANON_RATE", "lots"), ("API_USER_RATE", "10/fortnight")],
)
def test_a_malformed_rate_in_the_environment_is_refused_at_start(variable, value):
    environment = {**os.environ, variable: value}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert f"{variable} must look like '120/min'" in result.stderr
