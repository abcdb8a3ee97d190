"""The production path end to end: collectstatic, then gunicorn serving the portal
with whitenoise's compressed, hashed static files."""

import re

import pytest

from tests.helpers import fetch, gunicorn, production_env


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
