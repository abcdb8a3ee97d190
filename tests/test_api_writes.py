"""Integrations write with admin-issued tokens: hashed at rest, revocable, bound to
a user whose permissions decide what each may do; no lost updates."""

import datetime
import json

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licenses.models import Family
from portal.api.tokens import ApiToken
from portal.publishing.models import State
from portal.text.json_input import MAX_DEPTH
from projects.models import Project, Release

D = datetime.date
SNUBA_TERMS = {"change_license": "Apache-2.0", "change_after_months": 36}


@pytest.fixture
def licenses(make_license):
    make_license("Apache-2.0")
    make_license("MIT")
    make_license(
        "BUSL-1.1",
        family=Family.SOURCE_AVAILABLE,
        change_cap_months=48,
    )


def token_for(django_user_model, *perms, name="integration"):
    user = django_user_model.objects.create_user(f"{name}-user")
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    _token, secret = ApiToken.issue(name=name, user=user)
    return secret


def auth(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def patch_release(api_client, token, version, body):
    return api_client.patch(
        f"/api/v1/projects/snuba/releases/{version}/",
        body,
        format="json",
        **auth(token),
    )


def snuba_with_a_release(make_project, make_release):
    """Snuba under BUSL-1.1 with its terms, and its release 23.11.0."""
    project = make_project(
        "Snuba", slug="snuba", license_expression="BUSL-1.1", terms=SNUBA_TERMS
    )
    make_release(project, "23.11.0", released_on=D(2023, 11, 15))
    return project


@pytest.fixture
def editor_token(django_user_model, licenses):
    return token_for(
        django_user_model,
        "projects.add_project",
        "projects.change_project",
        "projects.add_release",
        "projects.change_release",
        name="catalogue sync",
    )


@pytest.fixture
def publisher_token(django_user_model, licenses):
    """May change published projects and releases live (no review)."""
    return token_for(
        django_user_model,
        "projects.add_project",
        "projects.change_project",
        "projects.publish_project",
        "projects.add_release",
        "projects.change_release",
        "projects.publish_release",
        name="catalogue publisher",
    )


@pytest.fixture
def release_bot(django_user_model, licenses):
    return token_for(
        django_user_model,
        "projects.add_release",
        "projects.change_release",
        name="release bot",
    )


NEW = {
    "slug": "snuba",
    "name": "Snuba",
    "summary": "A store.",
    "license_expression": "busl-1.1",
}


def test_token_is_stored_hashed_and_shown_once(django_user_model, db):
    user = django_user_model.objects.create_user("bot")
    token, secret = ApiToken.issue(name="bot", user=user)
    stored = ApiToken.objects.get()
    assert secret.startswith(f"ptk_{stored.prefix}_")
    assert secret not in (stored.key_hash, stored.prefix, stored.name)
    assert len(stored.key_hash) == 64
    assert ApiToken.authenticate(secret) == token
    assert ApiToken.authenticate(secret + "x") is None


def test_create_a_project_with_a_token(api_client, editor_token):
    response = api_client.post(
        "/api/v1/projects/", NEW, format="json", **auth(editor_token)
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["license_expression"] == "BUSL-1.1"  # normalised like the admin
    assert body["licenses"] == ["BUSL-1.1"]
    assert response["Location"].endswith("/projects/snuba/")
    project = Project.objects.get(slug="snuba")
    assert project.state == State.DRAFT  # the token may not publish
    history = project.history.first()
    assert history.history_user.username == "catalogue sync-user"
    assert history.history_change_reason == "API token 'catalogue sync'"
    # A draft stays invisible to readers.
    assert api_client.get("/api/v1/projects/snuba/").status_code == 404


def test_writes_need_a_token(api_client, licenses):
    response = api_client.post("/api/v1/projects/", NEW, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "token" in response.json()["detail"]


def test_unknown_or_revoked_tokens_are_refused(api_client, editor_token):
    bad = api_client.post("/api/v1/projects/", NEW, format="json", **auth("ptk_x_y"))
    assert bad.status_code == 401
    ApiToken.objects.get().revoke()
    revoked = api_client.post(
        "/api/v1/projects/", NEW, format="json", **auth(editor_token)
    )
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["detail"]
    assert not Project.objects.exists()


def test_last_use_is_recorded(api_client, editor_token):
    assert ApiToken.objects.get().last_used_at is None
    api_client.post("/api/v1/projects/", NEW, format="json", **auth(editor_token))
    assert ApiToken.objects.get().last_used_at is not None


def test_release_bot_may_add_releases_but_not_projects(
    api_client, release_bot, make_project
):
    make_project(
        "Snuba", slug="snuba", license_expression="BUSL-1.1", terms=SNUBA_TERMS
    )

    refused = api_client.post(
        "/api/v1/projects/", {**NEW, "slug": "x"}, format="json", **auth(release_bot)
    )
    added = api_client.post(
        "/api/v1/projects/snuba/releases/",
        {"version": "23.11.0", "released_on": "2023-11-15"},
        format="json",
        **auth(release_bot),
    )

    assert refused.status_code == 403
    assert "projects.add_project" in refused.json()["detail"]
    assert added.status_code == 201, added.json()
    assert added.json()["converts_on"] == "2026-11-15"
    assert added.json()["converts_to"] == "Apache-2.0"
    release = Release.objects.get(version="23.11.0")
    assert release.state == State.DRAFT
    assert release.history.first().history_change_reason == "API token 'release bot'"


def test_publishing_needs_the_publish_permission(api_client, editor_token):
    response = api_client.post(
        "/api/v1/projects/",
        {**NEW, "state": "published"},
        format="json",
        **auth(editor_token),
    )
    assert response.status_code == 403
    assert "publish" in response.json()["detail"]


def test_a_token_that_may_publish_can_publish(api_client, django_user_model, licenses):
    secret = token_for(
        django_user_model,
        "projects.add_project",
        "projects.publish_project",
        name="publisher",
    )
    response = api_client.post(
        "/api/v1/projects/",
        {**NEW, "state": "published"},
        format="json",
        **auth(secret),
    )
    assert response.status_code == 201
    assert api_client.get("/api/v1/projects/snuba/").status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("license_expression", "FSL-1.1-Apache-2.0", "FSL-1.1-ALv2"),
        ("license_expression", "Apache-2.0 ORR MIT", "ORR"),
        ("license_expression", "\uff2d\uff29\uff34", "U+FF2D"),
        ("license_expression", "Apache-2.0 WITH MIT", "is a license, not an"),
        ("repository_url", "nope", "URL"),
        ("slug", "Not a slug!", "slug"),
        ("status", "retired", "valid choice"),
        ("category", "no-such-category", "does not exist"),
    ],
)
def test_same_validation_as_the_admin(api_client, editor_token, field, value, message):
    response = api_client.post(
        "/api/v1/projects/", {**NEW, field: value}, format="json", **auth(editor_token)
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert not Project.objects.exists()


def test_duplicate_slug_and_version_are_conflicts(
    api_client, editor_token, make_project, make_release
):
    project = make_project("Snuba", slug="snuba", license_expression="MIT")
    make_release(project, "1.0")
    again = api_client.post(
        "/api/v1/projects/", NEW, format="json", **auth(editor_token)
    )
    release = api_client.post(
        "/api/v1/projects/snuba/releases/",
        {"version": "1.0", "released_on": "2024-01-01"},
        format="json",
        **auth(editor_token),
    )
    assert again.status_code == 409
    assert release.status_code == 409


def test_patch_changes_only_the_given_fields(api_client, publisher_token, make_project):
    make_project("Snuba", slug="snuba", summary="Old.", license_expression="MIT")
    response = api_client.patch(
        "/api/v1/projects/snuba/",
        {"summary": "New.", "license_expression": "apache-2.0 or mit"},
        format="json",
        **auth(publisher_token),
    )
    assert response.status_code == 200, response.json()
    project = Project.objects.get(slug="snuba")
    assert project.summary == "New."
    assert project.name == "Snuba"
    assert sorted(lic.spdx_id for lic in project.licenses.all()) == [
        "Apache-2.0",
        "MIT",
    ]


def test_if_match_prevents_lost_updates(api_client, publisher_token, make_project):
    make_project("Snuba", slug="snuba", summary="First.", license_expression="MIT")
    read = api_client.get("/api/v1/projects/snuba/")
    etag = read["ETag"]

    first = api_client.patch(
        "/api/v1/projects/snuba/",
        {"summary": "Second."},
        format="json",
        HTTP_IF_MATCH=etag,
        **auth(publisher_token),
    )
    stale = api_client.patch(
        "/api/v1/projects/snuba/",
        {"summary": "Lost?"},
        format="json",
        HTTP_IF_MATCH=etag,
        **auth(publisher_token),
    )
    fresh = api_client.patch(
        "/api/v1/projects/snuba/",
        {"summary": "Third."},
        format="json",
        HTTP_IF_MATCH=first["ETag"],
        **auth(publisher_token),
    )

    assert first.status_code == 200
    assert stale.status_code == 412
    assert "changed since you read it" in stale.json()["detail"]
    assert fresh.status_code == 200
    assert Project.objects.get(slug="snuba").summary == "Third."


# A project's and a release's address, and the body of a PATCH of each.
PATCHES = [
    ("/api/v1/projects/snuba/", {"summary": "Changed."}),
    ("/api/v1/projects/snuba/releases/23.11.0/", {"change_date": "2026-01-01"}),
]
MODIFIED = datetime.datetime(2020, 6, 1, 12, 0, 0, 500_000, tzinfo=datetime.UTC)


@pytest.fixture
def modified_at_noon(make_project, make_release):
    """Snuba and its release, both last modified on 1 June 2020 at 12:00:00.5."""
    snuba_with_a_release(make_project, make_release)
    Project.objects.update(updated_at=MODIFIED)
    Release.objects.update(updated_at=MODIFIED)


@pytest.mark.parametrize(("url", "body"), PATCHES)
def test_if_unmodified_since_refuses_a_write_to_what_changed_after_it(
    api_client, editor_token, modified_at_noon, url, body
):
    stale = api_client.patch(
        url,
        body,
        format="json",
        HTTP_IF_UNMODIFIED_SINCE="Mon, 01 Jun 2020 11:59:59 GMT",
        **auth(editor_token),
    )

    assert stale.status_code == 412
    assert stale.json() == {
        "detail": "It changed since you read it (it was modified Mon, 01 Jun 2020 "
        "12:00:00 GMT, after your If-Unmodified-Since Mon, 01 Jun 2020 11:59:59 "
        "GMT). Read it again, then apply your change.",
        "errors": {},
    }
    assert Project.objects.get().summary == "Summary of Snuba."
    assert Release.objects.get().change_date is None


@pytest.mark.parametrize(("url", "body"), PATCHES)
def test_if_unmodified_since_lets_a_write_to_what_did_not_change_through(
    api_client, publisher_token, modified_at_noon, url, body
):
    # The same second as the last change is not after it (HTTP dates count
    # seconds); what is no HTTP date, a list of them included, is ignored
    # (RFC 9110, 13.1.4).
    dates = [
        "Mon, 01 Jun 2020 12:00:00 GMT",
        "yesterday",
        "Mon, 01 Jun 2020 11:59:59 GMT, Mon, 01 Jun 2020 11:59:58 GMT",
    ]
    answers = [
        api_client.patch(
            url,
            body,
            format="json",
            HTTP_IF_UNMODIFIED_SINCE=date,
            **auth(publisher_token),
        )
        for date in dates
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    # What was a valid date is now stale: the item changed after it.
    again = api_client.patch(
        url,
        body,
        format="json",
        HTTP_IF_UNMODIFIED_SINCE=dates[0],
        **auth(publisher_token),
    )
    assert again.status_code == 412


@pytest.mark.parametrize(("url", "body"), PATCHES)
def test_if_match_takes_precedence_over_if_unmodified_since(
    api_client, publisher_token, modified_at_noon, url, body
):
    stale_date = "Mon, 01 Jun 2020 11:59:59 GMT"
    fresh_date = "Mon, 01 Jun 2020 12:00:00 GMT"

    outdated = api_client.patch(
        url,
        body,
        format="json",
        HTTP_IF_MATCH='"not-its-etag"',
        HTTP_IF_UNMODIFIED_SINCE=fresh_date,
        **auth(publisher_token),
    )
    current = api_client.patch(
        url,
        body,
        format="json",
        HTTP_IF_MATCH="*",  # whatever is there now
        HTTP_IF_UNMODIFIED_SINCE=stale_date,
        **auth(publisher_token),
    )

    assert outdated.status_code == 412
    assert "If-Match" in outdated.json()["detail"]
    assert current.status_code == 200


def test_if_unmodified_since_is_documented_on_every_write_with_if_match(api_client, db):
    schema = api_client.get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            headers = {
                parameter["name"]
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "header"
            }
            if "If-Match" in headers:
                assert "If-Unmodified-Since" in headers, (method, path)
    assert (
        "If-Unmodified-Since"
        in schema["paths"]["/api/v1/projects/{slug}/"]["patch"]["responses"]["412"][
            "description"
        ]
    )


# Python's JSON parser recurses once per level: this deep, it ran out of stack
# (a RecursionError, answered with the site's HTML 500 page).
DEEP_JSON = {
    "arrays": "[" * 100_000,
    "objects": '{"a":' * 100_000,
    "closed": "[" * 1000 + "]" * 1000,
    "one too many": "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
}


@pytest.mark.parametrize("body", DEEP_JSON.values(), ids=DEEP_JSON)
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/v1/projects/"),
        ("patch", "/api/v1/projects/snuba/"),
        ("put", "/api/v1/projects/snuba/"),
        ("post", "/api/v1/projects/snuba/releases/"),
        ("patch", "/api/v1/projects/snuba/releases/23.11.0/"),
    ],
)
def test_deeply_nested_json_is_a_400_in_the_error_format(
    api_client, editor_token, make_project, make_release, method, url, body
):
    make_release(make_project("Snuba", slug="snuba"), "23.11.0")

    response = getattr(api_client, method)(
        url, body, content_type="application/json", **auth(editor_token)
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": f"The JSON nests deeper than {MAX_DEPTH} levels.",
        "errors": {},
    }


def test_a_body_over_the_size_limit_is_a_413_in_the_error_format(
    api_client, editor_token, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"name": "Big", "slug": "big", "description": "x" * 2000}

    response = api_client.post(
        "/api/v1/projects/", body, format="json", **auth(editor_token)
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The request body is larger than 1000 bytes.",
        "errors": {},
    }
    assert not Project.objects.filter(slug="big").exists()


def test_json_within_the_depth_limit_is_read(api_client, editor_token):
    # Brackets inside strings are text, however many; nesting up to the limit
    # is read (and here refused for what it is: not a project).
    text = "[" * 500 + "{" * 500
    created = api_client.post(
        "/api/v1/projects/",
        json.dumps({**NEW, "description": text}),
        content_type="application/json",
        **auth(editor_token),
    )
    nested = api_client.post(
        "/api/v1/projects/",
        "[" * MAX_DEPTH + "]" * MAX_DEPTH,
        content_type="application/json",
        **auth(editor_token),
    )

    assert created.status_code == 201, created.json()
    assert Project.objects.get().description == text
    assert nested.status_code == 400
    assert "nests" not in nested.json()["detail"]


def test_patch_a_release(api_client, publisher_token, make_project, make_release):
    snuba_with_a_release(make_project, make_release)
    response = patch_release(
        api_client, publisher_token, "23.11.0", {"change_date": "2026-01-01"}
    )
    beyond = patch_release(
        api_client, publisher_token, "23.11.0", {"change_date": "2028-01-01"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["converts_on"] == "2026-01-01"
    assert beyond.status_code == 400
    assert "2027-11-15" in " ".join(beyond.json()["errors"]["change_date"])


def test_token_admin_issues_shows_once_and_revokes(admin_client, django_user_model):
    user = django_user_model.objects.create_user("bot-user")
    response = admin_client.post(
        reverse("admin:portal_apitoken_add"),
        {"name": "release bot", "user": user.pk},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    token = ApiToken.objects.get()
    secret = next(word for word in shown[0].split() if word.startswith("<code>ptk_"))
    secret = secret.removeprefix("<code>").removesuffix("</code>")
    assert ApiToken.authenticate(secret) == token
    assert (
        secret
        not in admin_client.get(
            reverse("admin:portal_apitoken_change", args=[token.pk])
        ).content.decode()
    )

    admin_client.post(
        reverse("admin:portal_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert ApiToken.authenticate(secret) is None


# ------------------------------------- found by schemathesis (test_schemathesis.py)


def test_writes_are_json_only(api_client, editor_token, make_project):
    # A form cannot say null ("no category"), yet the schema offered form and
    # multipart bodies; now JSON is the one body, anything else a 415.
    make_project("Relay", slug="relay", summary="Old.")
    form = api_client.post("/api/v1/projects/", NEW, **auth(editor_token))
    multipart = api_client.patch(
        "/api/v1/projects/relay/", {"summary": "New."}, **auth(editor_token)
    )
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    for response in (form, multipart):
        assert response.status_code == 415
        assert set(response.json()) == {"detail", "errors"}
    assert list(Project.objects.values_list("summary", flat=True)) == ["Old."]
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if "requestBody" in operation:
                assert list(operation["requestBody"]["content"]) == [
                    "application/json"
                ], (path, method)
                assert "415" in operation["responses"], (path, method)


@pytest.mark.parametrize("method", ["patch", "put"])
def test_renaming_onto_a_taken_slug_is_a_conflict(
    api_client, editor_token, make_project, method
):
    # It was a 400 ("Project with this Slug already exists."), unlike a POST.
    make_project("Snuba", slug="snuba", license_expression="MIT")
    make_project("Relay", slug="relay", license_expression="MIT")

    response = getattr(api_client, method)(
        "/api/v1/projects/relay/",
        {**NEW, "slug": "snuba", "name": "Relay"},
        format="json",
        **auth(editor_token),
    )

    assert response.status_code == 409, response.json()
    assert "snuba" in response.json()["detail"]
    assert Project.objects.get(slug="relay").name == "Relay"


def test_a_taken_slug_or_version_with_spaces_is_a_conflict(
    api_client, editor_token, make_project, make_release
):
    # The duplicate check read the raw value; validation then trimmed it and
    # refused the duplicate with a 400.
    project = make_project("Snuba", slug="snuba", license_expression="MIT")
    make_release(project, "1.0")

    again = api_client.post(
        "/api/v1/projects/",
        {**NEW, "slug": " snuba "},
        format="json",
        **auth(editor_token),
    )
    release = api_client.post(
        "/api/v1/projects/snuba/releases/",
        {"version": " 1.0 ", "released_on": "2024-01-01"},
        format="json",
        **auth(editor_token),
    )

    assert again.status_code == 409, again.json()
    assert release.status_code == 409, release.json()


def test_changing_a_version_onto_a_taken_one_is_a_conflict(
    api_client, publisher_token, make_project, make_release
):
    project = make_project("Snuba", slug="snuba", license_expression="MIT")
    make_release(project, "1.0")
    make_release(project, "2.0")

    response = patch_release(api_client, publisher_token, "2.0", {"version": "1.0"})
    renamed = patch_release(api_client, publisher_token, "2.0", {"version": "2.0.1"})

    assert response.status_code == 409, response.json()
    assert renamed.status_code == 200, renamed.json()
    assert sorted(project.releases.values_list("version", flat=True)) == [
        "1.0",
        "2.0.1",
    ]


def test_patching_a_release_locks_its_row_only(
    api_client, publisher_token, make_project, make_release
):
    # PostgreSQL refused the lock on the release joined to its (nullable)
    # conversion license: every release PATCH was a 500 there.
    snuba_with_a_release(make_project, make_release)

    with CaptureQueriesContext(connection) as queries:
        response = api_client.patch(
            "/api/v1/projects/snuba/releases/23.11.0/",
            {"change_date": "2026-01-01"},
            format="json",
            **auth(publisher_token),
        )

    assert response.status_code == 200, response.json()
    if connection.features.has_select_for_update_of:  # PostgreSQL
        locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
        assert locks and all('FOR UPDATE OF "projects_release"' in s for s in locks)


@pytest.mark.parametrize(
    ("field", "value", "table"),
    [
        ("category", "back\x00end", "projects_category"),
        ("languages", ["py\x00"], "projects_language"),
    ],
)
def test_a_slug_with_a_nul_is_refused_before_any_query(
    api_client, editor_token, field, value, table
):
    # PostgreSQL cannot compare a text holding a NUL: the lookup was a 500 there.
    with CaptureQueriesContext(connection) as queries:
        response = api_client.post(
            "/api/v1/projects/",
            {**NEW, field: value},
            format="json",
            **auth(editor_token),
        )

    assert response.status_code == 400
    assert field in " ".join(response.json()["errors"])
    assert not any(table in query["sql"] for query in queries)


TERRAFORM_TERMS = {
    "licensor": "HashiCorp, Inc.",
    "licensed_work": "Terraform",
    "additional_use_grant": None,
    "change_license": "MPL-2.0",
    "change_date": None,
    "change_after_months": 48,
}


def test_project_terms_are_written_and_read_back(api_client, editor_token):
    created = api_client.post(
        "/api/v1/projects/",
        {**NEW, "terms": {**TERRAFORM_TERMS, "change_license": "mpl-2.0"}},
        format="json",
        **auth(editor_token),
    )

    assert created.status_code == 201, created.json()
    assert created.json()["terms"] == TERRAFORM_TERMS  # normalised like the admin
    grant = Project.objects.get(slug="snuba").license_changes.get()
    assert (grant.effective_on, grant.license_expression) == (None, "BUSL-1.1")


def test_changing_terms_moves_the_releases_conversions(
    api_client, publisher_token, make_project, make_release
):
    snuba_with_a_release(make_project, make_release)

    response = api_client.patch(
        "/api/v1/projects/snuba/",
        {"terms": TERRAFORM_TERMS},
        format="json",
        **auth(publisher_token),
    )

    assert response.status_code == 200, response.json()
    (release,) = response.json()["releases"]
    assert (release["converts_on"], release["converts_to"]) == ("2027-11-15", "MPL-2.0")


@pytest.mark.parametrize(
    ("terms", "field", "words"),
    [
        (
            {"change_license": "MIT", "change_after_months": 60},
            "change_after_months",
            "at most 48 months",
        ),
        ({"change_after_months": 36}, "change_license", "leaves the change license"),
        ({"change_license": "Apache 2"}, "change_license", "Apache-2.0"),
        (
            {
                "change_license": "MIT",
                "change_date": "2026-01-01",
                "change_after_months": 36,
            },
            "change_after_months",
            "not both",
        ),
    ],
)
def test_terms_a_license_refuses_are_a_400_under_terms(
    api_client, editor_token, make_project, terms, field, words
):
    make_project("Snuba", slug="snuba", license_expression="BUSL-1.1")

    response = api_client.patch(
        "/api/v1/projects/snuba/", {"terms": terms}, format="json", **auth(editor_token)
    )

    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert any(
        key.startswith("terms") and field in key and words in " ".join(messages)
        for key, messages in errors.items()
    ), errors
    assert not Project.objects.get(slug="snuba").license_changes.exists()


def test_a_release_s_stated_change_date_beyond_the_cap_is_a_400(
    api_client, release_bot, make_project
):
    make_project(
        "Snuba", slug="snuba", license_expression="BUSL-1.1", terms=SNUBA_TERMS
    )

    response = api_client.post(
        "/api/v1/projects/snuba/releases/",
        {"version": "1.0", "released_on": "2023-11-15", "change_date": "2028-01-01"},
        format="json",
        **auth(release_bot),
    )

    assert response.status_code == 400
    assert "2027-11-15" in " ".join(response.json()["errors"]["change_date"])


def test_terms_one_of_the_releases_refuses_are_a_400_naming_it(
    api_client, publisher_token, make_project, make_release
):
    project = snuba_with_a_release(make_project, make_release)

    response = api_client.patch(
        "/api/v1/projects/snuba/",
        {"terms": {"change_license": "Apache-2.0", "change_date": "2030-01-01"}},
        format="json",
        **auth(publisher_token),
    )

    assert response.status_code == 400
    (message,) = response.json()["errors"]["terms"]
    assert "23.11.0" in message and "2027-11-15" in message
    assert project.license_changes.get().change_after_months == 36  # unchanged
