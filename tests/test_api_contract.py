"""The API's contract beyond its resources: one error format, strict inputs,
documented ordering, and an OpenAPI schema that says all of it.

An integration relies on every error having the shape
``{"detail": "...", "errors": {parameter: [messages]}}``, on a mistyped parameter
value being refused (never silently ignored or "corrected"), and on the schema
listing each parameter, its accepted values and each error response.
"""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework import exceptions
from rest_framework.test import APIClient

from licenses.models import Family
from portal.api.errors import Conflict, PreconditionFailed, exception_handler
from portal.api.tokens import ApiToken
from portal.models import Section
from portal.publishing.models import State
from portal.views import HomeView
from projects.api import ProjectViewSet
from projects.models import Project


@pytest.fixture
def catalogue(
    make_license,
    make_category,
    make_project,
    make_release,
    make_section,
    make_statement,
):
    make_license("Apache-2.0", family=Family.PERMISSIVE, osi_approved=True, position=2)
    make_license("MIT", family=Family.PERMISSIVE, osi_approved=True, position=1)
    make_license(
        "BUSL-1.1",
        name="Business Source License 1.1",
        family=Family.SOURCE_AVAILABLE,
        osi_approved=False,
        change_cap_months=48,
        position=3,
    )
    make_license("LicenseRef-Old", family=Family.OTHER, deprecated=True)
    terms = {"change_license": "Apache-2.0", "change_after_months": 36}
    relay = make_project("Relay", license_expression="BUSL-1.1", terms=terms)
    snuba = make_project("Snuba", license_expression="BUSL-1.1", terms=terms)
    make_project("Arroyo", license_expression="Apache-2.0")
    make_release(snuba, "23.11.0", released_on=datetime.date(2023, 11, 15))
    make_release(relay, "24.1.0", released_on=datetime.date(2024, 1, 10))
    goals = make_section("Goals")
    make_statement(goals, body="Second.", position=2)
    make_statement(goals, body="First.", position=1)


def assert_error(response, status, fields=()):
    """``response`` is a ``status`` in the one error format, naming ``fields``."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert sorted(body["errors"]) == sorted(fields)
    for messages in body["errors"].values():
        assert messages and all(isinstance(m, str) and m for m in messages)
    return body


# ---------------------------------------------------------------- the format


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/projects/?status=bogus", "status"),
        ("/api/v1/projects/?license=NOPE", "license"),
        ("/api/v1/conversions/?after=yesterday", "after"),
        ("/api/v1/statements/?kind=nope", "kind"),
        ("/api/v1/licenses/?family=copyleft", "family"),
        ("/api/v1/licenses/?osi_approved=maybe", "osi_approved"),
        ("/api/v1/licenses/?fsf_libre=1", "fsf_libre"),
        ("/api/v1/licenses/?deprecated=yes", "deprecated"),
        ("/api/v1/projects/?ordering=password", "ordering"),
        ("/api/v1/projects/?page=0", "page"),
        ("/api/v1/projects/?page_size=101", "page_size"),
        ("/api/v1/expressions/validate/", "expression"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api_client, catalogue, url, field):
    body = assert_error(api_client.get(url), 400, [field])

    assert field in body["detail"]


def test_several_bad_parameters_are_all_named(api_client, catalogue):
    response = api_client.get("/api/v1/projects/?status=bogus&category=nope")

    assert_error(response, 400, ["category", "status"])


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/nope/",
        "/api/v1/licenses/NOPE-1.0/",
        "/api/v1/sections/nope/",
        "/api/v1/statements/999999/",
    ],
)
def test_a_missing_item_is_a_404(api_client, catalogue, url):
    assert_error(api_client.get(url), 404)


def test_a_draft_is_a_404_like_a_missing_item(api_client, catalogue, make_project):
    make_project("Secret", state=State.DRAFT)

    assert_error(api_client.get("/api/v1/projects/secret/"), 404)


@pytest.fixture
def hidden_keys(catalogue, make_license, make_project, make_release, make_statement):
    """An item of each kind that the public cannot see, and the statements' ids."""
    tomorrow = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=1)
    make_license("FSL-1.1-ALv2", state=State.DRAFT)
    secret = make_project("Secret", state=State.DRAFT)
    make_release(secret, "1.0")
    make_release(Project.objects.get(slug="snuba"), "24.1.0-rc1", state=State.DRAFT)
    make_project("Scheduled", publish_at=tomorrow)
    goals = Section.objects.get(slug="goals")
    hidden = Section.objects.create(title="Hidden", slug="hidden", state=State.DRAFT)
    return {
        "draft_statement": make_statement(goals, state=State.DRAFT).pk,
        "in_hidden_section": make_statement(hidden).pk,
    }


@pytest.mark.parametrize(
    ("hidden", "missing"),
    [
        ("/api/v1/projects/secret/", "/api/v1/projects/nope/"),
        ("/api/v1/projects/scheduled/", "/api/v1/projects/nope/"),
        ("/api/v1/licenses/FSL-1.1-ALv2/", "/api/v1/licenses/NOPE-1.0/"),
        ("/api/v1/sections/hidden/", "/api/v1/sections/nope/"),
        ("/api/v1/statements/{draft_statement}/", "/api/v1/statements/999999/"),
        ("/api/v1/statements/{in_hidden_section}/", "/api/v1/statements/999999/"),
        ("/api/v1/projects/secret/releases/", "/api/v1/projects/nope/releases/"),
        (
            "/api/v1/projects/secret/releases/1.0/",
            "/api/v1/projects/nope/releases/1.0/",
        ),
        (
            "/api/v1/projects/snuba/releases/24.1.0-rc1/",
            "/api/v1/projects/snuba/releases/9.9.9/",
        ),
    ],
)
def test_options_on_what_the_public_cannot_see_is_the_404_of_a_missing_item(
    api_client, hidden_keys, hidden, missing
):
    # A draft's OPTIONS was a 200 listing the fields of a PUT, a missing key's a
    # shorter 200: anyone could tell which drafts exist.
    hidden_answer = api_client.options(hidden.format(**hidden_keys))
    missing_answer = api_client.options(missing)

    assert_error(hidden_answer, 404)
    assert hidden_answer.status_code == missing_answer.status_code
    assert hidden_answer.content == missing_answer.content


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/",
        "/api/v1/projects/snuba/",
        "/api/v1/projects/snuba/releases/",
        "/api/v1/projects/snuba/releases/23.11.0/",
        "/api/v1/licenses/MIT/",
        "/api/v1/sections/goals/",
    ],
)
def test_options_still_describes_what_the_public_can_see(api_client, catalogue, url):
    response = api_client.options(url)

    assert response.status_code == 200, response.content
    assert "OPTIONS" in response["Allow"]
    assert response.json()["name"]


@pytest.mark.parametrize(
    "url",
    ["/api/", "/api/v1/nope/", "/api/v2/projects/", "/api/v1/projects/snuba/extra/"],
)
def test_an_unknown_api_address_is_a_json_404(api_client, db, url):
    body = assert_error(api_client.get(url), 404)

    assert "/api/v1/" in body["detail"]


def test_an_unknown_site_address_is_still_the_html_page(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_api_address_without_its_slash_is_redirected(api_client, catalogue):
    response = api_client.get("/api/v1/projects?status=active")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/projects/?status=active"


@pytest.mark.parametrize(
    ("method", "url"),
    [("delete", "/api/v1/projects/snuba/"), ("delete", "/api/v1/licenses/MIT/")],
)
def test_a_write_is_a_405(api_client, catalogue, method, url):
    body = assert_error(getattr(api_client, method)(url), 405)

    assert method.upper() in body["detail"]


def test_a_browser_session_is_no_api_credential(catalogue):
    # Only tokens write: an editor logged in to the admin cannot be made to
    # write through the API by another site (no session, so no CSRF to forge).
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.create_superuser("someone"))

    body = assert_error(client.post("/api/v1/projects/", {}), 401)

    assert "token" in body["detail"]


def test_an_unsupported_format_is_a_406(api_client, catalogue):
    response = api_client.get("/api/v1/projects/", HTTP_ACCEPT="application/xml")

    assert_error(response, 406)


def test_an_unexpected_error_in_the_api_is_a_json_500(catalogue, monkeypatch):
    # Any bug: it used to be the site's HTML 500 page.
    def fail(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(ProjectViewSet, "list", fail)
    client = APIClient(raise_request_exception=False)

    body = assert_error(client.get("/api/v1/projects/"), 500)

    assert "unexpected error" in body["detail"]
    assert "recursion" not in body["detail"]  # nothing of the inside leaks


def test_an_unexpected_error_on_the_site_is_still_the_html_page(catalogue, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(HomeView, "get", fail)
    client = Client(raise_request_exception=False)

    response = client.get("/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_a_request_django_refuses_is_a_json_400_in_the_api(api_client, client, db):
    # Refused before any view (a Host the portal does not serve): it used to be
    # Django's HTML "Bad Request" page.
    api = api_client.get("/api/v1/projects/", HTTP_HOST="evil.example")
    site = client.get("/", HTTP_HOST="evil.example")

    body = assert_error(api, 400)
    assert "refuses" in body["detail"]
    assert site.status_code == 400
    assert site["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("exception", "status"),
    [
        (exceptions.NotAuthenticated(), 401),
        (Conflict(), 409),
        (PreconditionFailed(), 412),
        (exceptions.Throttled(wait=12.2), 429),
    ],
)
def test_statuses_still_to_come_use_the_format_too(exception, status):
    response = exception_handler(exception, {})

    assert response.status_code == status
    assert set(response.data) == {"detail", "errors"}
    assert response.data["errors"] == {}
    if status == 429:
        assert response.headers["Retry-After"] == "13"  # never too early


def test_nested_field_errors_are_flattened():
    error = exceptions.ValidationError(
        {"releases": [{}, {"version": ["Required."]}], "non_field_errors": ["Bad."]}
    )

    response = exception_handler(error, {})

    assert response.data == {
        "detail": "Bad.",
        "errors": {"releases.1.version": ["Required."]},
    }


def test_unknown_parameters_are_ignored(api_client, catalogue):
    response = api_client.get("/api/v1/projects/?colour=blue&utm_source=x")

    assert response.status_code == 200
    assert response.json()["count"] == 3


# ---------------------------------------------------------------- paging


@pytest.mark.parametrize("query", ["?page=4", "?page=abc", "?page=-1", "?page=1.5"])
def test_a_bad_page_is_a_400(api_client, catalogue, query):
    response = api_client.get(f"/api/v1/projects/?page_size=1{query.replace('?', '&')}")

    assert_error(response, 400, ["page"])


def test_the_last_page_exists_and_the_next_does_not(api_client, catalogue):
    last = api_client.get("/api/v1/projects/?page_size=1&page=3")
    beyond = api_client.get("/api/v1/projects/?page_size=1&page=4")

    assert last.status_code == 200 and last.json()["next"] is None
    assert "last page is 3" in assert_error(beyond, 400, ["page"])["errors"]["page"][0]


def test_page_one_of_an_empty_list_is_empty_not_an_error(api_client, db):
    response = api_client.get("/api/v1/projects/?page=1")

    assert response.status_code == 200
    assert response.json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_an_empty_page_value_is_page_one(api_client, catalogue):
    response = api_client.get("/api/v1/projects/?page=&page_size=")

    assert response.status_code == 200
    assert response.json()["count"] == 3


@pytest.mark.parametrize("size", ["0", "101", "10000", "abc", "-5", "2.5"])
def test_a_bad_page_size_is_a_400(api_client, catalogue, size):
    response = api_client.get(f"/api/v1/projects/?page_size={size}")

    body = assert_error(response, 400, ["page_size"])
    assert "100" in body["errors"]["page_size"][0]


# ---------------------------------------------------------------- license filters


@pytest.mark.parametrize(
    ("query", "spdx_ids"),
    [
        ("family=source_available", ["BUSL-1.1"]),
        ("family=permissive", ["MIT", "Apache-2.0"]),
        ("osi_approved=false", ["LicenseRef-Old", "BUSL-1.1"]),
        ("osi_approved=true", ["MIT", "Apache-2.0"]),
        ("osi_approved=TRUE", ["MIT", "Apache-2.0"]),
        ("deprecated=true", ["LicenseRef-Old"]),
        ("family=permissive&osi_approved=false", []),
    ],
)
def test_licenses_filter(api_client, catalogue, query, spdx_ids):
    response = api_client.get(f"/api/v1/licenses/?{query}")

    assert response.status_code == 200
    assert [item["spdx_id"] for item in response.json()["results"]] == spdx_ids


# ---------------------------------------------------------------- ordering


def values(api_client, url, key):
    response = api_client.get(url)
    assert response.status_code == 200, response.content
    return [item[key] for item in response.json()["results"]]


@pytest.mark.parametrize(
    ("url", "key", "expected"),
    [
        ("/api/v1/projects/?ordering=name", "slug", ["arroyo", "relay", "snuba"]),
        ("/api/v1/projects/?ordering=-name", "slug", ["snuba", "relay", "arroyo"]),
        (
            "/api/v1/licenses/?ordering=spdx_id",
            "spdx_id",
            ["Apache-2.0", "BUSL-1.1", "LicenseRef-Old", "MIT"],
        ),
        (
            "/api/v1/licenses/?ordering=-position",
            "spdx_id",
            ["BUSL-1.1", "Apache-2.0", "MIT", "LicenseRef-Old"],
        ),
        (
            "/api/v1/licenses/?ordering=name",
            "spdx_id",
            ["Apache-2.0", "BUSL-1.1", "LicenseRef-Old", "MIT"],
        ),
        (
            "/api/v1/conversions/?ordering=-converts_on",
            "converts_on",
            ["2027-01-10", "2026-11-15"],
        ),
        (
            "/api/v1/statements/?ordering=position",
            "body_html",
            ["<p>First.</p>", "<p>Second.</p>"],
        ),
        (
            "/api/v1/statements/?ordering=-position",
            "body_html",
            ["<p>Second.</p>", "<p>First.</p>"],
        ),
    ],
)
def test_documented_orderings(api_client, catalogue, url, key, expected):
    assert values(api_client, url, key) == expected


def test_ordering_by_update_time(api_client, catalogue, make_project):
    make_project("Latest")

    slugs = values(api_client, "/api/v1/projects/?ordering=-updated_at", "slug")

    assert slugs[0] == "latest"
    assert values(api_client, "/api/v1/projects/?ordering=updated_at", "slug")[-1] == (
        "latest"
    )


def test_several_ordering_fields(api_client, catalogue):
    url = "/api/v1/licenses/?ordering=-position,spdx_id"

    assert values(api_client, url, "spdx_id") == [
        "BUSL-1.1",
        "Apache-2.0",
        "MIT",
        "LicenseRef-Old",
    ]


@pytest.mark.parametrize(
    "ordering", ["password", "state", "-publish_at", "name,", "-", "licenses__name"]
)
def test_an_undocumented_ordering_is_a_400(api_client, catalogue, ordering):
    body = assert_error(
        api_client.get(f"/api/v1/projects/?ordering={ordering}"), 400, ["ordering"]
    )

    assert "name, -name, updated_at, -updated_at" in body["errors"]["ordering"][0]


def test_ordering_where_none_is_offered_is_an_unknown_parameter(api_client, catalogue):
    for url in [
        "/api/v1/sections/?ordering=password",
        "/api/v1/projects/snuba/?ordering=x",
    ]:
        assert api_client.get(url).status_code == 200


# ---------------------------------------------------------------- the schema


@pytest.fixture
def schema(api_client, db):
    return api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def parameters(schema, path):
    return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}


def test_every_operation_documents_its_errors_and_304(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        for status in ["400", "404", "406", "429"]:
            content = responses[status]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (path, status)
            assert responses[status]["description"]
        assert "Retry-After" in responses["429"]["headers"]
        if method == "get":
            assert {"ETag", "Last-Modified"} <= set(responses["304"]["headers"])
            assert {"ETag", "Last-Modified", "Cache-Control"} <= set(
                responses["200"]["headers"]
            )
            names = {p["name"] for p in operation["parameters"]}
            assert {"If-None-Match", "If-Modified-Since"} <= names


def test_the_error_schema(schema):
    error = schema["components"]["schemas"]["Error"]

    assert error["required"] == ["detail", "errors"]
    assert error["properties"]["detail"]["type"] == "string"
    errors = error["properties"]["errors"]
    assert errors["type"] == "object"
    assert errors["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }


@pytest.mark.parametrize(
    ("path", "enum"),
    [
        ("/api/v1/projects/", ["name", "-name", "updated_at", "-updated_at"]),
        (
            "/api/v1/licenses/",
            ["spdx_id", "-spdx_id", "name", "-name", "position", "-position"],
        ),
        ("/api/v1/conversions/", ["converts_on", "-converts_on"]),
        ("/api/v1/statements/", ["position", "-position"]),
    ],
)
def test_ordering_values_are_documented(schema, path, enum):
    ordering = parameters(schema, path)["ordering"]

    assert ordering["schema"] == {
        "type": "array",
        "items": {"type": "string", "enum": enum},
    }
    assert (ordering["style"], ordering["explode"]) == ("form", False)


def test_lists_without_ordering_document_none(schema):
    assert "ordering" not in parameters(schema, "/api/v1/sections/")


def test_license_filters_are_documented(schema):
    documented = parameters(schema, "/api/v1/licenses/")

    for flag in ["osi_approved", "fsf_libre", "deprecated"]:
        assert documented[flag]["schema"] == {"type": "boolean"}
    assert set(documented["family"]["schema"]["enum"]) == set(Family.values)


def test_enum_filters_are_documented(schema):
    assert set(parameters(schema, "/api/v1/projects/")["status"]["schema"]["enum"]) == {
        "active",
        "maintenance",
        "archived",
        "deprecated",
    }
    assert (
        "quote" in parameters(schema, "/api/v1/statements/")["kind"]["schema"]["enum"]
    )


def test_paging_limits_are_documented(schema):
    documented = parameters(schema, "/api/v1/projects/")

    assert documented["page"]["schema"] == {"type": "integer", "minimum": 1}
    assert documented["page_size"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 20,
    }


def test_the_catch_all_is_not_an_endpoint(schema):
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


# ------------------------------------- found by schemathesis (test_schemathesis.py)


def test_every_read_says_its_token_is_optional(schema):
    # The project reads used to declare the token required, like the writes
    # beside them: a generated client would have sent one for every read. A
    # read requires nothing (the docs show no lock on it).
    for path, method, operation in operations(schema):
        if method == "get":
            assert operation["security"] == [], path
        else:
            assert operation["security"] == [{"bearerToken": []}], (path, method)


def test_a_read_with_a_bad_token_is_a_documented_401(api_client, catalogue, schema):
    response = api_client.get(
        "/api/v1/projects/", HTTP_AUTHORIZATION="Bearer ptk_nope_nope"
    )

    assert_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    for path, method, operation in operations(schema):
        assert "401" in operation["responses"], (path, method)


def test_an_empty_query_value_is_no_value_and_documented(api_client, catalogue, schema):
    response = api_client.get(
        "/api/v1/conversions/?after=&before=&project=&license=&ordering=&page="
    )

    assert response.status_code == 200
    assert response.json()["count"] == 2
    for path, _method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                assert parameter["allowEmptyValue"] is True, (path, parameter)


def test_text_rules_are_documented(schema):
    # DRF refuses a NUL in any text, and a required text that is only whitespace
    # (it trims first); the schema said any string would do.
    write = schema["components"]["schemas"]["ProjectWriteRequest"]["properties"]
    name = re.compile(write["name"]["pattern"])
    summary = re.compile(write["summary"]["pattern"])
    q = re.compile(parameters(schema, "/api/v1/projects/")["q"]["schema"]["pattern"])

    assert name.search("Snuba") and name.search(" Snuba ")
    assert not name.search(" ") and not name.search("\x1c\t")
    assert not name.search("Sn\x00uba") and not summary.search("A\x00")
    assert q.search("") and q.search("sentry sdk") and not q.search("a\x00")
    assert write["slug"]["pattern"] == "^[-a-zA-Z0-9_]+$"


@pytest.mark.parametrize("text", [" ", "\x1c", "Sn\x00uba"])
def test_text_the_schema_refuses_is_refused(api_client, catalogue, text):
    user = get_user_model().objects.create_user("writer")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_project", "change_project"])
    )
    _token, secret = ApiToken.issue(name="writer", user=user)

    response = api_client.patch(
        "/api/v1/projects/snuba/",
        {"name": text},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )

    assert_error(response, 400, ["name"])


def test_the_expression_limit_is_documented(schema):
    expression = parameters(schema, "/api/v1/expressions/validate/")["expression"]

    assert expression["required"] is True
    assert expression["schema"]["maxLength"] == 2000


def test_a_project_without_a_category_reads_null_as_documented(
    api_client, catalogue, schema
):
    response = api_client.get("/api/v1/projects/snuba/")

    assert response.json()["category"] is None
    for name in ["Project", "ProjectDetail"]:
        category = schema["components"]["schemas"][name]["properties"]["category"]
        assert category["nullable"] is True


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/projects/a%00b/"),
        ("get", "/api/v1/licenses/MIT%00/"),
        ("get", "/api/v1/sections/goals%00/"),
        ("patch", "/api/v1/projects/snu%00ba/"),
        ("post", "/api/v1/projects/snu%00ba/releases/"),
        ("patch", "/api/v1/projects/snuba/releases/1%00/"),
    ],
)
def test_a_key_with_a_nul_is_no_address(api_client, catalogue, method, url):
    # PostgreSQL cannot compare a text holding a NUL: looking one up was a 500
    # there. Such a key is now no address at all, a 404 before any query.
    response = getattr(api_client, method)(url, {}, format="json")

    body = assert_error(response, 404)
    assert "/api/v1/" in body["detail"]  # the catch-all's answer, not a lookup's


def test_the_schema_builds_on_public_hooks_of_drf_spectacular_only():
    """A private method overridden would change or vanish unannounced with the
    library; the public hooks are its documented contract."""
    from portal.api.schema import AutoSchema

    overridden = {
        name
        for klass in AutoSchema.__mro__
        if klass.__module__.startswith("portal.")
        for name in vars(klass)
        if name.startswith("_") and not name.startswith("__")
    }
    assert overridden == set()


def test_operations_are_tagged_by_resource(schema):
    tags = {path: operation["tags"] for path, _, operation in operations(schema)}
    assert tags["/api/v1/projects/"] == ["projects"]
    assert tags["/api/v1/licenses/{spdx_id}/"] == ["licenses"]
    assert tags["/api/v1/statements/{id}/"] == ["statements"]


def test_a_statement_carries_the_key_of_its_address(api_client, catalogue):
    listed = api_client.get("/api/v1/statements/").json()["results"]
    assert [statement["body_html"] for statement in listed] == [
        "<p>First.</p>",
        "<p>Second.</p>",
    ]
    detail = api_client.get(f"/api/v1/statements/{listed[0]['id']}/")
    assert detail.json()["body_html"] == "<p>First.</p>"


def test_the_browsable_api_breadcrumbs_name_only_real_addresses(client, catalogue):
    html = client.get("/api/v1/projects/", HTTP_ACCEPT="text/html").content.decode()
    start = html.index('class="breadcrumb"')
    crumbs = html[start : html.index("</ul>", start)]
    assert "Not Found" not in crumbs
    assert "Api Root" in crumbs
    assert "Project List" in crumbs
