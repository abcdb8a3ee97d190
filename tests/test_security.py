"""Production refuses unsafe settings; every response carries the security headers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "REDIS_URL",
            "CACHE_URL",
            "DJANGO_ENV",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' live server
        }
    }
    environment.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "sqlite:////tmp/portal-deploy-check.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def test_check_deploy_warns_of_a_cache_local_to_each_process():
    env = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "portal.W001" in result.stdout + result.stderr
    assert "Set REDIS_URL" in result.stdout + result.stderr


def test_production_settings_pass_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} is required when DJANGO_ENV=production" in result.stderr


def test_unknown_environment_is_refused():
    result = manage("check", DJANGO_ENV="staging")
    assert result.returncode != 0
    assert "DJANGO_ENV must be 'development' or 'production'" in result.stderr


@pytest.mark.parametrize("url", ["/", "/projects/", "/licenses/", "/api/v1/projects/"])
def test_pages_carry_security_headers(client, db, url):
    response = client.get(url)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "http" not in policy  # no third-party origin


def test_api_docs_page_has_no_inline_script_or_style(client, db):
    html = client.get("/api/docs/").content.decode()
    assert "<script>" not in html and "<style" not in html
    assert 'lang="en"' in html


DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")


def assert_strict_permissions_policy(response):
    policy = dict(
        directive.strip().split("=", 1)
        for directive in response["Permissions-Policy"].split(",")
    )
    assert all(policy[feature] == "()" for feature in DENIED_FEATURES)
    assert set(policy.values()) == {"()"}  # nothing allowed, not even to self


@pytest.mark.parametrize(
    "url", ["/", "/projects/", "/api/v1/projects/", "/no-such-page/", "/admin/login/"]
)
def test_every_answer_denies_the_browser_features_the_site_does_not_use(
    client, db, url
):
    assert_strict_permissions_policy(client.get(url))


def test_an_api_error_denies_the_browser_features_too(client, db):
    response = client.get("/api/v1/projects/no-such-project/")
    assert response.status_code == 404
    assert_strict_permissions_policy(response)


def test_a_page_from_the_page_cache_denies_the_browser_features_too(
    client, db, django_assert_num_queries
):
    client.get("/projects/")
    with django_assert_num_queries(0):  # a page-cache hit: no query
        response = client.get("/projects/")
    assert_strict_permissions_policy(response)


def test_a_cache_timeout_that_is_not_a_number_of_seconds_is_refused():
    result = manage("check", CACHE_TIMEOUT_SECONDS="soon")
    assert result.returncode != 0
    assert (
        "CACHE_TIMEOUT_SECONDS must be a positive number of seconds, not 'soon'"
        in result.stderr
    )
