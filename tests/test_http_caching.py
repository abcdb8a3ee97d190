"""HTTP caching of the site and the API (portal.http.caching).

What a browser, a CDN or an integration relies on: every public GET has an ETag
and a Last-Modified and answers 304 to either; anonymous answers are public for a
minute, a logged-in user's are private, the admin's never cached; a publish (in
the admin, by a save, or by a scheduled time passing) changes the ETag of every
answer that shows it at once; and the server keeps rendered pages for anonymous
readers, so a page it has built costs no view query the next time.
"""

import contextlib
import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from portal.api.tokens import ApiToken
from portal.http import caching
from portal.http.caching import CONTENT_CHANGED_KEY
from portal.models import SiteSettings, Statement
from portal.publishing.models import State
from portal.publishing.revisions import revision_submit
from projects.models import Category, ImportJob, Project

NOON = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock(monkeypatch):
    """Fix "now" (publishing, ``updated_at`` and the content version all ask
    ``timezone.now()``); ``clock.set(moment)`` moves it."""

    class Clock:
        def set(self, moment):
            self.now = moment
            monkeypatch.setattr(timezone, "now", lambda: moment)

    clock = Clock()
    clock.set(NOON)
    return clock


@pytest.fixture
def catalogue(make_license, make_category, make_project, make_release, make_section):
    make_license("MIT")
    snuba = make_project("Snuba", category=make_category("SDK"))
    make_release(snuba, "1.0.0")
    goals = make_section("Goals")
    return {"project": snuba, "section": goals}


@pytest.fixture
def editor(client, db):
    user = get_user_model().objects.create_superuser("editor", password="x")
    client.force_login(user)
    return client


def directives(response) -> set[str]:
    return {d.strip() for d in response["Cache-Control"].split(",")}


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response["Vary"].split(",")}


PUBLIC_URLS = [
    "/",
    "/projects/",
    "/projects/snuba/",
    "/licenses/",
    "/licenses/MIT/",
    "/conversions/",
    "/api/v1/projects/",
    "/api/v1/projects/snuba/",
    "/api/v1/licenses/MIT/",
    "/api/v1/",
]


# ---------------------------------------------------------------- validators


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_every_public_get_has_validators_and_a_public_cache_control(
    client, catalogue, url
):
    response = client.get(url)

    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith(" GMT")
    assert directives(response) == {"public", "max-age=60"}
    assert {"accept-encoding", "cookie"} <= vary(response)


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_if_none_match_gives_a_304(client, catalogue, url):
    etag = client.get(url)["ETag"]

    response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert directives(response) == {"public", "max-age=60"}


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_if_modified_since_gives_a_304(client, catalogue, url):
    last_modified = client.get(url)["Last-Modified"]

    response = client.get(url, headers={"If-Modified-Since": last_modified})

    assert response.status_code == 304


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_a_page_built_twice_has_the_same_etag(client, catalogue, settings, url):
    # Nothing in a page differs between two readers (no per-request token), so
    # a 304 does not depend on the page cache having kept the first answer.
    settings.PAGE_CACHE_SECONDS = 0
    etag = client.get(url)["ETag"]

    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_a_stale_validator_gets_the_full_answer(client, catalogue):
    response = client.get("/api/v1/projects/", headers={"If-None-Match": '"old"'})
    earlier = client.get(
        "/api/v1/projects/",
        headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
    )

    assert response.status_code == 200 and response.json()["count"] == 1
    assert earlier.status_code == 200


def test_if_none_match_wins_over_if_modified_since(client, catalogue):
    fresh = client.get("/projects/")

    response = client.get(
        "/projects/",
        headers={
            "If-None-Match": '"old"',
            "If-Modified-Since": fresh["Last-Modified"],
        },
    )

    assert response.status_code == 200


def test_api_answers_vary_on_accept_and_origin(client, catalogue):
    response = client.get("/api/v1/projects/")

    assert {"accept", "accept-encoding", "cookie", "origin"} <= vary(response)


def test_site_pages_do_not_vary_on_origin(client, catalogue):
    assert "origin" not in vary(client.get("/projects/"))


def test_errors_are_not_marked_cacheable(client, catalogue):
    for url in ["/api/v1/projects/nope/", "/api/v1/projects/?status=zzz"]:
        response = client.get(url)
        assert response.status_code in {400, 404}
        assert "ETag" not in response
        assert "public" not in response.get("Cache-Control", "")


def test_a_failed_if_match_on_the_api_is_a_412_in_the_error_format(client, catalogue):
    response = client.get("/api/v1/projects/", headers={"If-Match": '"other"'})

    assert response.status_code == 412
    assert response.json()["errors"] == {}
    assert "If-Match" in response.json()["detail"]


# ---------------------------------------------------------------- who may cache


def test_a_logged_in_users_answers_are_private(editor, catalogue):
    for url in ["/projects/", "/api/v1/projects/"]:
        response = editor.get(url)
        assert directives(response) == {"private", "no-cache"}
        assert "ETag" in response and "Last-Modified" in response


def test_a_request_with_credentials_is_private(client, catalogue, django_user_model):
    user = django_user_model.objects.create_user("integrator")
    _token, secret = ApiToken.issue(name="integration", user=user)
    # The anonymous answer is in the page cache (and this process's copy).
    for _ in range(2):
        assert directives(client.get("/api/v1/projects/")) == {"public", "max-age=60"}

    response = client.get(
        "/api/v1/projects/", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200

    assert directives(response) == {"private", "no-cache"}


def test_a_bad_token_is_refused_even_when_the_anonymous_answer_is_cached(
    client, catalogue
):
    for _ in range(2):
        assert client.get("/api/v1/projects/").status_code == 200

    response = client.get(
        "/api/v1/projects/", headers={"Authorization": "Bearer not-a-token"}
    )

    assert response.status_code == 401
    assert "unknown" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/admin/", "/admin/projects/project/"])
def test_the_admin_is_never_cached(editor, catalogue, url):
    response = editor.get(url)

    assert response.status_code == 200
    assert {"no-cache", "no-store", "private"} <= directives(response)
    assert "ETag" not in response
    assert "Last-Modified" not in response


def test_admin_login_page_is_never_cached(client, db):
    response = client.get("/admin/login/")

    assert "no-store" in directives(response)
    assert "ETag" not in response


def test_health_probes_are_left_alone(client, db):
    response = client.get("/healthz")

    assert "no-store" in directives(response)
    assert "ETag" not in response


# ---------------------------------------------------------------- a publish shows


def test_publishing_a_draft_project_changes_the_api_list_and_the_directory(
    client, catalogue, make_project
):
    draft = make_project("Relay", state=State.DRAFT)
    before = {url: client.get(url) for url in ["/api/v1/projects/", "/projects/"]}

    draft.state = State.PUBLISHED
    draft.save()

    for url, earlier in before.items():
        response = client.get(url, headers={"If-None-Match": earlier["ETag"]})
        assert response.status_code == 200, url
        assert response["ETag"] != earlier["ETag"]
        assert "relay" in response.content.decode().lower()


def test_publishing_a_draft_release_changes_the_api_project_detail(
    client, catalogue, make_release
):
    release = make_release(catalogue["project"], "2.0.0", state=State.DRAFT)
    before = client.get("/api/v1/projects/snuba/")

    release.state = State.PUBLISHED
    release.save()

    response = client.get(
        "/api/v1/projects/snuba/", headers={"If-None-Match": before["ETag"]}
    )
    assert response.status_code == 200
    assert response["ETag"] != before["ETag"]
    assert [r["version"] for r in response.json()["releases"]] == ["2.0.0", "1.0.0"]


def test_the_admins_publish_action_changes_the_home_page_at_once(
    editor, catalogue, make_statement
):
    draft = make_statement(catalogue["section"], body="Newly public.", state="draft")
    editor.logout()
    before = editor.get("/")  # now anonymous: built and kept in the page cache
    assert "Newly public." not in before.content.decode()
    editor.force_login(get_user_model().objects.get(username="editor"))

    # The action saves each item: the write records the content change.
    editor.post(
        reverse("admin:portal_statement_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    editor.logout()

    response = editor.get("/", headers={"If-None-Match": before["ETag"]})
    assert response.status_code == 200
    assert "Newly public." in response.content.decode()
    assert response["ETag"] != before["ETag"]


def test_last_modified_moves_forward_with_a_publish(
    client, clock, catalogue, make_project
):
    draft = make_project("Relay", state=State.DRAFT)
    before = client.get("/projects/")
    assert before["Last-Modified"] == http_date(NOON.timestamp())

    later = NOON + datetime.timedelta(minutes=5)
    clock.set(later)
    draft.state = State.PUBLISHED
    draft.save()

    response = client.get(
        "/projects/", headers={"If-Modified-Since": before["Last-Modified"]}
    )
    assert response.status_code == 200
    assert response["Last-Modified"] == http_date(later.timestamp())


def test_a_scheduled_project_shows_when_its_time_comes_without_any_write(
    client, clock, catalogue, make_project
):
    launch = NOON + datetime.timedelta(hours=1)
    make_project("Launch", publish_at=launch)
    before = {url: client.get(url) for url in ["/api/v1/projects/", "/projects/"]}
    assert all(b"Launch" not in r.content for r in before.values())

    clock.set(NOON + datetime.timedelta(hours=2))

    for url, earlier in before.items():
        response = client.get(url, headers={"If-None-Match": earlier["ETag"]})
        assert response.status_code == 200, url
        assert b"Launch" in response.content
        # The moment it became visible is when the content last changed.
        assert response["Last-Modified"] == http_date(launch.timestamp())


def test_a_new_day_is_a_new_version(client, clock, catalogue):
    before = client.get("/projects/snuba/")
    tomorrow = datetime.datetime(2026, 6, 2, 0, 30, tzinfo=datetime.UTC)
    clock.set(tomorrow)

    response = client.get(
        "/projects/snuba/", headers={"If-Modified-Since": before["Last-Modified"]}
    )

    # "Open source today" may have changed at midnight.
    assert response.status_code == 200
    assert response["Last-Modified"] == http_date(
        tomorrow.replace(minute=0).timestamp()
    )


def test_a_deletion_shows_once_committed(
    client, catalogue, make_project, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(caching, "RECORD_AFTER_COMMIT", True)
    with django_capture_on_commit_callbacks(execute=True):  # an earlier commit
        relay = make_project("Relay")
    assert b"Relay" in client.get("/projects/").content

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        relay.delete()
    # Not yet committed: a reader now would cache the old page under a new
    # version, so the version waits for the commit.
    assert b"Relay" in client.get("/projects/").content

    for callback in callbacks:
        callback()
    assert b"Relay" not in client.get("/projects/").content


def test_renaming_a_category_shows_on_the_directory(
    client, catalogue, django_capture_on_commit_callbacks
):
    assert b"SDK" in client.get("/projects/").content

    category = Category.objects.get(slug="sdk")
    category.name = "Libraries"
    with django_capture_on_commit_callbacks(execute=True):
        category.save()

    assert b"Libraries" in client.get("/projects/").content


def test_site_settings_change_every_page(
    client, catalogue, django_capture_on_commit_callbacks
):
    before = client.get("/licenses/")
    client.get("/search/")  # the settings are kept for the pages that follow

    with django_capture_on_commit_callbacks(execute=True):
        SiteSettings(organisation_name="Renamed Org").save()

    response = client.get("/licenses/")
    assert b"Renamed Org" in response.content
    assert response["ETag"] != before["ETag"]
    assert b"Renamed Org" in client.get("/search/?q=new").content


def test_records_no_reader_sees_leave_every_page_valid(
    client, clock, catalogue, django_user_model
):
    """A pending change, an import job or an API token is no public content:
    saving one keeps every page's version (its ETag), so the page cache and
    readers' validators stay good."""
    before = client.get("/projects/")
    clock.set(NOON + datetime.timedelta(minutes=1))
    editor = django_user_model.objects.create_user("ed")
    project = catalogue["project"]
    project.summary = "A change waiting for review."
    revision_submit(user=editor, instance=project)
    ImportJob.objects.create(file_name="a.csv", format="csv", content=b"", dry_run=True)
    ApiToken.issue(name="ci", user=editor)

    after = client.get(
        "/projects/", headers={"If-Modified-Since": before["Last-Modified"]}
    )
    assert after.status_code == 304

    # ... while a public change still makes a new version.
    Project.objects.get(pk=project.pk).save()
    after = client.get("/projects/")
    assert after["Last-Modified"] == http_date(clock.now.timestamp())


def test_a_change_recorded_by_another_server_is_seen(client, clock, catalogue):
    before = client.get("/projects/")
    later = NOON + datetime.timedelta(minutes=1)

    # Another app server wrote content and recorded it in the shared cache.
    cache.set(CONTENT_CHANGED_KEY, int(later.timestamp() * 1_000_000))

    response = client.get(
        "/projects/", headers={"If-Modified-Since": before["Last-Modified"]}
    )
    assert response.status_code == 200
    assert response["Last-Modified"] == http_date(later.timestamp())


# ---------------------------------------------------------------- the page cache


def test_a_cached_page_is_served_without_the_views_queries(
    client, catalogue, django_assert_num_queries, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20) as first:
        first_response = client.get("/projects/")

    # No query at all: the content version is read from the cache, and the
    # page too.
    with django_assert_num_queries(0):
        second_response = client.get("/projects/")

    assert len(first.captured_queries) > 1
    assert second_response.content == first_response.content
    assert second_response["ETag"] == first_response["ETag"]


def test_a_page_asked_for_again_is_kept_by_the_process(client, catalogue, monkeypatch):
    """The second request finds the page in the shared cache and the process
    keeps a copy: the third is answered without asking the shared cache. An
    address asked for once takes no place in the process's copy."""
    first = client.get("/projects/")
    client.get("/projects/")
    client.get("/projects/?utm_source=once")
    asked = []
    shared_get = caching.cache.get
    monkeypatch.setattr(
        caching.cache,
        "get",
        lambda key, *a, **k: asked.append(key) or shared_get(key, *a, **k),
    )

    third = client.get("/projects/")

    assert third.content == first.content
    assert not [key for key in asked if key.startswith(caching.PAGE_KEY_PREFIX)]
    kept = [
        key for key in caching.process_pages._cache if caching.PAGE_KEY_PREFIX in key
    ]
    assert len(kept) == 1


def test_a_large_answer_is_not_kept_by_the_process(client, catalogue, monkeypatch):
    monkeypatch.setattr(caching, "PROCESS_PAGE_MAX_BYTES", 100)
    first = client.get("/api/v1/projects/")
    assert len(first.content) > 100

    again = [client.get("/api/v1/projects/") for _ in range(2)]

    assert [answer.content for answer in again] == [first.content] * 2
    assert not caching.process_pages._cache


def test_a_cached_page_still_gets_the_security_headers(client, catalogue):
    client.get("/projects/")
    response = client.get("/projects/")

    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert len(response["X-Request-ID"]) == 32


def test_a_page_from_the_page_cache_keeps_its_validators(
    client, catalogue, monkeypatch
):
    first = client.get("/projects/")
    hashed = []
    monkeypatch.setattr(
        caching, "set_response_etag", lambda response: hashed.append(response)
    )

    again = client.get("/projects/")
    revalidated = client.get("/projects/", headers={"If-None-Match": first["ETag"]})

    # Stored with the page: the body is not hashed again for each answer.
    assert hashed == []
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert directives(again) == {"public", "max-age=60"}
    assert {"accept-encoding", "cookie"} <= vary(again)
    assert revalidated.status_code == 304


def test_a_logged_in_user_is_never_served_from_or_stored_in_the_page_cache(
    editor, catalogue, make_statement, django_assert_max_num_queries
):
    draft = make_statement(catalogue["section"], body="Draft words.", state="draft")
    editor.get("/")
    with django_assert_max_num_queries(20) as again:
        editor.get("/")
    # Built by the view again, not taken from the page cache.
    assert any("portal_section" in q["sql"] for q in again.captured_queries)

    Statement.objects.filter(pk=draft.pk).update(state=State.PUBLISHED)
    editor.logout()
    assert b"Draft words." in editor.get("/").content


def test_api_reads_are_serialized_once_per_content_version(
    client,
    catalogue,
    make_project,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    with django_assert_num_queries(5):
        first = client.get("/api/v1/projects/?ordering=name")
    # The same address again: answered from the page cache (its rate limit
    # still counts the request, see test_cors_throttle), no query.
    with django_assert_num_queries(0):
        again = client.get("/api/v1/projects/?ordering=name")
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    # Another address is an answer of its own; the list's count, the same
    # for every order and page, is kept.
    with django_assert_num_queries(4) as other:
        client.get("/api/v1/projects/?ordering=-name&page_size=1")
    assert not [q for q in other.captured_queries if "COUNT(" in q["sql"]]
    # Another filter is another count.
    with django_assert_num_queries(5):
        assert client.get("/api/v1/projects/?status=active").json()["count"] == 1
    with django_assert_max_num_queries(5) as archived:
        assert client.get("/api/v1/projects/?status=archived").json()["count"] == 0
    assert [q for q in archived.captured_queries if "COUNT(" in q["sql"]]
    # A publish makes a new content version: the new project is there at once.
    make_project("Relay")
    page = client.get("/api/v1/projects/?ordering=name").json()
    assert [p["name"] for p in page["results"]] == ["Relay", "Snuba"]
    assert page["count"] == 2
    assert client.get("/api/v1/projects/?page_size=1&page=2").json()["count"] == 2


def test_reads_the_page_cache_cannot_answer_share_the_serialized_answer(
    client, catalogue, django_assert_num_queries
):
    """A logged-in user's reads are never answered from the page cache; the
    view runs, and reads the answer serialized once for such reads (only
    published rows, whoever asks)."""
    user = get_user_model().objects.create_user("reader", password="x")
    client.get("/api/v1/projects/?ordering=name")  # kept by the page cache
    client.force_login(user)
    client.get("/api/v1/projects/?ordering=name")

    # The view ran (its answer is private, unlike the one kept by the page
    # cache) and asked the database nothing: the API reads no session.
    with django_assert_num_queries(0):
        response = client.get("/api/v1/projects/?ordering=name")

    assert directives(response) == {"private", "no-cache"}
    assert [p["slug"] for p in response.json()["results"]] == ["snuba"]


def test_an_api_answer_is_kept_per_accept_header(client, catalogue):
    """DRF answers by the ``Accept`` header (another format, a 406): a kept
    answer is only given to a request asking for the same."""
    for _ in range(2):
        assert client.get("/api/v1/projects/")["Content-Type"] == "application/json"

    html = client.get("/api/v1/projects/", headers={"Accept": "text/html"})
    indented = client.get(
        "/api/v1/projects/", headers={"Accept": "application/json; indent=2"}
    )

    assert html["Content-Type"].startswith("text/html")
    assert indented.content.startswith(b'{\n  "count"')
    assert client.get("/api/v1/projects/").content.startswith(b'{"count"')


def test_api_errors_are_not_kept(client, catalogue, make_category, make_project):
    assert client.get("/api/v1/projects/?category=backend").status_code == 400
    make_project("Relay", category=make_category("Backend"))
    assert client.get("/api/v1/projects/?category=backend").status_code == 200


def test_page_cache_can_be_turned_off(
    client, catalogue, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/projects/")

    with django_assert_max_num_queries(20) as again:
        client.get("/projects/")

    assert len(again.captured_queries) > 1


def test_max_age_comes_from_the_settings(client, catalogue, settings):
    settings.HTTP_CACHE_MAX_AGE = 300

    assert directives(client.get("/projects/")) == {"public", "max-age=300"}


def test_a_views_own_cache_control_is_kept(client, make_license, make_project):
    make_license("MIT")
    make_project("Snuba")

    response = client.get("/projects/snuba/badge.svg")

    assert directives(response) == {"public", "max-age=3600"}
    assert "ETag" in response


def test_a_draft_project_page_is_not_cached_as_found(client, catalogue, make_project):
    make_project("Hidden", state=State.DRAFT)
    assert client.get("/projects/hidden/").status_code == 404

    Project.objects.filter(slug="hidden").update(
        state=State.PUBLISHED, updated_at=timezone.now()
    )

    assert client.get("/projects/hidden/").status_code == 200


# ---------------------------------------------------------------- the cost of it


def test_a_scheduled_moment_costs_one_query_once_it_has_passed(
    client,
    clock,
    catalogue,
    make_project,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    make_project("Launch", publish_at=NOON + datetime.timedelta(hours=1))
    client.get("/projects/")
    with django_assert_num_queries(0):
        client.get("/projects/")

    clock.set(NOON + datetime.timedelta(hours=2))

    # The first request after the moment asks the database for the next one
    # (and the page is built anew); the ones after it ask nothing.
    with django_assert_max_num_queries(30) as first:
        response = client.get("/projects/")
    assert b"Launch" in response.content
    schedule = [q for q in first.captured_queries if "MIN(" in q["sql"]]
    assert len(schedule) == 1
    with django_assert_num_queries(0):
        assert b"Launch" in client.get("/projects/").content


def test_an_import_that_only_adds_releases_changes_the_version(
    client, catalogue, make_staff, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(caching, "RECORD_AFTER_COMMIT", True)
    from projects.imports import import_catalogue, read_file

    before = client.get("/projects/snuba/")
    row = {
        "slug": "snuba",
        "name": "Snuba",
        "summary": catalogue["project"].summary,
        "license_expression": "MIT",
        "releases": [{"version": "9.9.9", "released_on": "2024-01-31"}],
    }
    rows = read_file(json.dumps([row]), "json")
    with django_capture_on_commit_callbacks(execute=True):
        report = import_catalogue(rows, fmt="json", user=make_staff("ed", "Publisher"))
    assert report.updated == 1

    response = client.get("/projects/snuba/", headers={"If-None-Match": before["ETag"]})
    assert response.status_code == 200
    assert b"9.9.9" in response.content


def test_a_cached_page_is_served_before_sessions_csrf_and_authentication(
    client, catalogue, monkeypatch
):
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.middleware.csrf import CsrfViewMiddleware

    client.get("/projects/")
    ran = []
    for middleware in (SessionMiddleware, CsrfViewMiddleware, AuthenticationMiddleware):
        monkeypatch.setattr(
            middleware,
            "process_request",
            lambda self, request, name=middleware.__name__: ran.append(name),
        )

    response = client.get("/projects/")

    assert response.status_code == 200
    assert b"Snuba" in response.content
    assert ran == []
    assert response["X-Frame-Options"] == "DENY"


def test_a_process_reuses_its_copy_of_the_version_for_a_moment(
    client,
    catalogue,
    settings,
    monkeypatch,
    make_project,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    settings.CONTENT_VERSION_LOCAL_SECONDS = 60
    moment = [1000.0]
    monkeypatch.setattr(caching.time, "monotonic", lambda: moment[0])
    # The copy the fixtures' writes left was timed by the real clock.
    monkeypatch.setattr(caching.local_copy, "values", None)
    client.get("/projects/")

    # Another app server records a change: within the minute this process keeps
    # its copy, the page still comes from the page cache under the old version.
    cache.set(CONTENT_CHANGED_KEY, cache.get(CONTENT_CHANGED_KEY) + 1)
    with django_assert_num_queries(0):
        client.get("/projects/")
    # Requests meanwhile do not renew the copy: a minute after it was read, the
    # process reads the new version and the page is built again.
    moment[0] += 40
    with django_assert_num_queries(0):
        client.get("/projects/")
    moment[0] += 21
    with django_assert_max_num_queries(30) as rebuilt:
        assert b"Snuba" in client.get("/projects/").content
    assert rebuilt.captured_queries

    # A change made through this process shows at once.
    make_project("Relay")
    assert b"Relay" in client.get("/projects/").content


def test_the_writes_of_one_transaction_queue_one_content_change(
    catalogue, make_project, django_capture_on_commit_callbacks, monkeypatch
):
    """An import saves thousands of rows in one transaction: one callback records
    their change, not one per row (each would hold memory until the commit)."""
    monkeypatch.setattr(caching, "RECORD_AFTER_COMMIT", True)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for number in range(50):
            make_project(f"Bulk {number}")
    changes = [
        c
        for c in callbacks
        if isinstance(getattr(c.__self__, "value", None), caching.PendingChange)
    ]
    assert len(changes) == 1


def test_a_change_kept_after_a_rolled_back_savepoint_is_still_recorded(
    client, catalogue, make_project, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(caching, "RECORD_AFTER_COMMIT", True)
    client.get("/projects/")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with contextlib.suppress(RuntimeError), transaction.atomic():
            make_project("Dropped")
            raise RuntimeError("rolled back with its savepoint")
        make_project("Kept")

    page = client.get("/projects/").content
    assert b"Kept" in page
    assert b"Dropped" not in page
