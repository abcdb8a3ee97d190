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
}


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


def test_a_cache_timeout_that_is_not_a_number_of_seconds_is_refused():
    result = manage("check", CACHE_TIMEOUT_SECONDS="soon")
    assert result.returncode != 0
    assert (
        "CACHE_TIMEOUT_SECONDS must be a positive number of seconds, not 'soon'"
        in result.stderr
    )
