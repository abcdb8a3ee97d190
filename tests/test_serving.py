"""The production path end to end: collectstatic, then gunicorn serving the portal
with whitenoise's compressed, hashed static files."""

import re
import runpy
import subprocess
import sys

import pytest

from tests.helpers import ROOT, fetch, gunicorn, production_env


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    with gunicorn(production_env(tmp_path_factory.mktemp("production"))) as base:
        yield base


def test_gunicorn_serves_pages_with_hashed_static_files(production_server):
    status, headers, body = fetch(production_server + "/")
    assert status == 200
    stylesheet = re.search(rb'href="(/static/portal/site\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, "the page links the hashed stylesheet"

    status, headers, _ = fetch(
        production_server + stylesheet.group(1).decode(), **{"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]


def test_gunicorn_answers_the_api_and_probes(production_server):
    assert fetch(production_server + "/api/v1/projects/")[0] == 200
    assert fetch(production_server + "/readyz")[0] == 200


def test_unknown_page_is_the_styled_404_without_traceback(production_server):
    status, _, body = fetch(production_server + "/no-such-page/")
    assert status == 404
    assert b"Traceback" not in body
    assert b"<html" in body


def test_a_worker_loads_the_schema_generator_only_when_asked(tmp_path):
    """What every worker holds: the application and its URL map, without
    drf-spectacular's views (loaded by the first /api/schema/ or /api/docs/
    request, see portal.api.schema_views)."""
    script = (
        "import sys, portal.wsgi\n"
        "from django.urls import get_resolver, reverse\n"
        "get_resolver().url_patterns\n"
        "assert reverse('api-docs') == '/api/docs/'\n"
        "print('drf_spectacular.views' in sys.modules)\n"
    )
    loaded = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert loaded == "False"


def test_gunicorn_loads_the_application_before_forking_its_workers():
    """Workers forked from a master that loaded the application share its
    memory (gunicorn.conf.py's pre_fork freezes it for the collector)."""
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["preload_app"] is True
