"""The API door: /api/v1/ answers with published content only, in a stable shape.

What an integration relies on: the exact field names, the filters shared with the
site, 400 (never 500) on bad input, page-number paging up to 100, a read-only
API for anonymous clients, an OpenAPI schema that validates, and a fixed number of
SQL queries per request whatever the catalogue's size.
"""

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.test import APIClient

from licenses.models import Family, License
from portal.api.errors import Conflict, PreconditionFailed, exception_handler
from portal.api.tokens import ApiToken
from portal.models import Section, Statement
from portal.publishing.models import State
from portal.views import HomeView
from projects.api import ProjectViewSet
from projects.models import LicenseChange, Project
from projects.serializers import ProjectSerializer

LICENSE_KEYS = {
    "spdx_id",
    "name",
    "family",
    "osi_approved",
    "fsf_libre",
    "deprecated",
    "summary_html",
    "permissions",
    "conditions",
    "limitations",
    "change_license",
    "change_period_months",
    "change_cap_months",
    "html_url",
}
PROJECT_LIST_KEYS = {
    "slug",
    "name",
    "summary",
    "license_expression",
    "licenses",
    "license_history",
    "terms",
    "category",
    "languages",
    "status",
    "repository_url",
    "homepage_url",
    "html_url",
    "updated_at",
}
PROJECT_DETAIL_KEYS = PROJECT_LIST_KEYS | {
    "description_html",
    "releases",
}
RELEASE_KEYS = {
    "version",
    "released_on",
    "license_expression",
    "change_date",
    "converts_on",
    "converts_to",
    "open_source_today",
}
STATEMENT_KEYS = {
    "id",
    "section",
    "kind",
    "title",
    "body_html",
    "attribution",
    "contrast",
    "position",
}
SECTION_KEYS = {"slug", "title", "intro_html", "position", "html_url"}
PAGE_KEYS = {"count", "next", "previous", "results"}


@pytest.fixture
def catalogue(
    make_license,
    make_category,
    make_language,
    make_project,
    make_release,
    make_section,
    make_statement,
):
    """One published thing of every kind, linked together."""
    make_license("Apache-2.0", summary="Our *default*.", family="permissive")
    make_license("MIT")
    sdk = make_category("SDK")
    python = make_language("Python")
    snuba = make_project(
        "Snuba",
        license_expression="Apache-2.0 OR MIT",
        category=sdk,
        languages=[python],
        description="A **fast** store.",
        repository_url="https://github.com/example/snuba",
    )
    make_release(snuba, "23.11.0")
    goals = make_section("Goals")
    make_statement(goals, body="Open by *default*.", kind=Statement.Kind.GOAL)
    make_statement(
        goals,
        body="Share the code.",
        kind=Statement.Kind.QUOTE,
        attribution_name="David Cramer",
        attribution_role="Founder & CTO",
    )
    make_statement(
        goals,
        body="Anyone can read it.",
        kind=Statement.Kind.COMPARISON,
        title="Open",
        contrast_title="Proprietary",
        contrast_body="Only we can.",
    )
    return {"project": snuba, "section": goals}


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# The shape of every resource


def test_root_lists_every_resource(api_client, db):
    response = api_client.get("/api/v1/")

    assert response.status_code == 200
    assert set(response.json()) == {
        "licenses",
        "licensing",
        "projects",
        "statements",
        "sections",
        "conversions",
    }


def test_license_fields(api_client, catalogue):
    page = api_client.get("/api/v1/licenses/").json()
    detail = api_client.get("/api/v1/licenses/Apache-2.0/").json()

    assert set(page) == PAGE_KEYS
    assert [item["spdx_id"] for item in page["results"]] == ["Apache-2.0", "MIT"]
    assert set(page["results"][0]) == LICENSE_KEYS
    assert set(detail) == LICENSE_KEYS
    assert detail["summary_html"] == "<p>Our <em>default</em>.</p>"
    assert detail["html_url"] == "http://testserver/licenses/Apache-2.0/"


def test_project_list_fields(api_client, catalogue):
    (project,) = results(api_client.get("/api/v1/projects/"))

    assert set(project) == PROJECT_LIST_KEYS
    assert project["slug"] == "snuba"
    assert project["license_expression"] == "Apache-2.0 OR MIT"
    assert project["licenses"] == ["Apache-2.0", "MIT"]
    assert project["category"] == "sdk"
    assert project["languages"] == ["python"]
    assert project["html_url"] == "http://testserver/projects/snuba/"


def test_project_list_shows_only_the_licenses_public_at_each_moment(
    api_client, make_license, make_language, make_project, monkeypatch
):
    """The list's relations are read by SQL compiled once per process: each
    request still sees what ``published()`` lets through at its own moment."""
    now = timezone.now()
    make_license("MIT")
    make_license("Apache-2.0", publish_at=now + datetime.timedelta(hours=1))
    make_license("BSD-3-Clause", unpublish_at=now + datetime.timedelta(hours=2))
    make_license("ISC", state=State.DRAFT)
    make_project(
        "Multi",
        license_expression="MIT OR Apache-2.0 OR BSD-3-Clause OR ISC",
        languages=[make_language("Rust")],
    )
    moments = {
        now: ["BSD-3-Clause", "MIT"],
        now + datetime.timedelta(hours=1.5): ["Apache-2.0", "BSD-3-Clause", "MIT"],
        now + datetime.timedelta(hours=3): ["Apache-2.0", "MIT"],
    }
    for n, (moment, expected) in enumerate(moments.items()):
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        for repeat in range(2):  # compiled by the first request, kept after
            (project,) = results(api_client.get(f"/api/v1/projects/?n={n}-{repeat}"))
            assert sorted(project["licenses"]) == expected, moment
            assert project["languages"] == ["rust"]


def test_project_list_shows_each_project_as_its_own_fields_do(
    api_client, make_license, make_category, make_language, make_project, rf
):
    # The list is written out by hand (ProjectListSerializer): each item must be
    # what ProjectSerializer's fields make of the same project, byte for byte.
    make_license("Apache-2.0", position=2)
    make_license("MIT", position=1)
    make_license("BSD-3-Clause", state=State.DRAFT)
    rust, python = make_language("Rust"), make_language("Python")
    busy = make_project(
        "Busy",
        license_expression="Apache-2.0 OR MIT OR BSD-3-Clause",
        category=make_category("Backend"),
        languages=[rust, python],
        repository_url="https://example.com/busy",
    )
    LicenseChange.objects.create(
        project=busy,
        effective_on=datetime.date(2024, 3, 1),
        license_expression="MIT",
        note="Relicensed",
    )
    LicenseChange.objects.create(project=busy, license_expression="Apache-2.0")
    make_project("Bare", summary="Nothing else.")

    listed = results(api_client.get("/api/v1/projects/"))

    request = Request(rf.get("/api/v1/projects/"))
    expected = [
        ProjectSerializer(project, context={"request": request}).data
        for project in Project.objects.published().for_listing().with_history()
    ]
    assert json.dumps(listed) == json.dumps(expected)
    assert listed[1]["licenses"] == ["MIT", "Apache-2.0"]
    assert listed[1]["languages"] == ["python", "rust"]
    assert [change["effective_on"] for change in listed[1]["license_history"]] == [
        None,
        "2024-03-01",
    ]
    assert listed[0]["category"] is None


def test_project_detail_nests_its_releases(api_client, catalogue):
    project = api_client.get("/api/v1/projects/snuba/").json()

    assert set(project) == PROJECT_DETAIL_KEYS
    assert project["description_html"] == "<p>A <strong>fast</strong> store.</p>"
    assert project["releases"] == [
        {
            "version": "23.11.0",
            "released_on": "2023-11-15",
            "license_expression": "Apache-2.0 OR MIT",
            "change_date": None,
            "converts_on": None,
            "converts_to": None,
            "open_source_today": True,
        }
    ]
    assert set(project["releases"][0]) == RELEASE_KEYS


def test_statement_fields(api_client, catalogue):
    goal, quote, comparison = results(api_client.get("/api/v1/statements/"))

    assert all(set(item) == STATEMENT_KEYS for item in (goal, quote, comparison))
    assert goal["section"] == "goals"
    assert goal["body_html"] == "<p>Open by <em>default</em>.</p>"
    assert goal["attribution"] is None
    assert goal["contrast"] is None
    assert quote["attribution"] == {"name": "David Cramer", "role": "Founder & CTO"}
    assert comparison["contrast"] == {
        "title": "Proprietary",
        "body_html": "<p>Only we can.</p>",
    }


def test_statement_detail(api_client, catalogue):
    statement = Statement.objects.get(kind=Statement.Kind.GOAL)

    response = api_client.get(f"/api/v1/statements/{statement.pk}/")

    assert response.status_code == 200
    assert set(response.json()) == STATEMENT_KEYS


def test_section_fields(api_client, catalogue):
    (section,) = results(api_client.get("/api/v1/sections/"))
    detail = api_client.get("/api/v1/sections/goals/").json()

    assert set(section) == SECTION_KEYS
    assert detail == section
    assert section["html_url"] == "http://testserver/#goals"


# Filters


def test_projects_filter_like_the_directory(
    api_client, catalogue, make_project, make_category, make_language
):
    backend = make_category("Backend")
    rust = make_language("Rust")
    make_project(
        "Relay",
        license_expression="MIT",
        category=backend,
        languages=[rust],
        status="maintenance",
        summary="An event relay.",
    )

    def slugs(query):
        return [p["slug"] for p in results(api_client.get("/api/v1/projects/" + query))]

    assert slugs("?license=Apache-2.0") == ["snuba"]
    assert slugs("?license=MIT") == ["relay", "snuba"]
    assert slugs("?category=backend") == ["relay"]
    assert slugs("?language=python") == ["snuba"]
    assert slugs("?status=maintenance") == ["relay"]
    assert slugs("?q=event relay") == ["relay"]
    assert slugs("?q=nothing-matches") == []
    assert slugs("?license=MIT&category=sdk") == ["snuba"]


def test_statements_filter_by_section_and_kind(
    api_client, catalogue, make_section, make_statement
):
    make_statement(make_section("Why"), body="Because.")

    def kinds(query):
        return [
            s["kind"] for s in results(api_client.get("/api/v1/statements/" + query))
        ]

    assert kinds("?section=goals") == ["goal", "quote", "comparison"]
    assert kinds("?section=why") == ["paragraph"]
    assert kinds("?kind=quote") == ["quote"]
    assert kinds("?section=why&kind=quote") == []


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/projects/?license=NOPE", "license"),
        ("/api/v1/projects/?status=zzz", "status"),
        ("/api/v1/projects/?category=nope", "category"),
        ("/api/v1/projects/?language=nope", "language"),
        ("/api/v1/statements/?kind=nope", "kind"),
        ("/api/v1/statements/?section=nope", "section"),
    ],
)
def test_bad_filter_value_is_a_400_naming_the_field(api_client, catalogue, url, field):
    response = api_client.get(url)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_draft_license_is_not_a_filter_value(api_client, catalogue, make_license):
    make_license("BUSL-1.1", state=State.DRAFT)

    response = api_client.get("/api/v1/projects/?license=BUSL-1.1")

    assert response.status_code == 400
    assert "license" in response.json()["errors"]


def test_draft_section_is_not_a_filter_value(api_client, catalogue, make_section):
    make_section("Drafts", state=State.DRAFT)

    response = api_client.get("/api/v1/statements/?section=drafts")

    assert response.status_code == 400
    assert "section" in response.json()["errors"]


# Paging


def test_page_size_goes_up_to_100(api_client, make_section):
    for number in range(105):
        make_section(f"Section {number}")

    page = api_client.get("/api/v1/sections/?page_size=100").json()
    too_big = api_client.get("/api/v1/sections/?page_size=101")

    assert page["count"] == 105
    assert len(page["results"]) == 100
    assert page["next"] == "http://testserver/api/v1/sections/?page=2&page_size=100"
    # Refused rather than quietly capped (it was capped before the strict inputs).
    assert too_big.status_code == 400
    assert list(too_big.json()["errors"]) == ["page_size"]


def test_page_size_and_page_select_the_rows(api_client, make_section):
    for number in range(5):
        make_section(f"Section {number}", position=number)

    page = api_client.get("/api/v1/sections/?page_size=2&page=2").json()

    assert [s["slug"] for s in page["results"]] == ["section-2", "section-3"]
    assert page["previous"].endswith("/api/v1/sections/?page_size=2")
    assert page["next"].endswith("/api/v1/sections/?page=3&page_size=2")


# A page that does not exist was a 404, and a bad page size fell back to the
# default: both are now a 400 naming the parameter, like a bad filter value.
@pytest.mark.parametrize("query", ["?page=9999", "?page=abc", "?page=0", "?page=-1"])
def test_bad_or_missing_page_is_a_400_naming_page(api_client, catalogue, query):
    response = api_client.get("/api/v1/projects/" + query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()["errors"]) == ["page"]


@pytest.mark.parametrize(
    "query", ["?page_size=abc", "?page_size=0", "?page_size=-5", "?page_size=10000"]
)
def test_bad_page_size_is_a_400_naming_page_size(api_client, catalogue, query):
    response = api_client.get("/api/v1/projects/" + query)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["page_size"]


# Drafts are invisible


def test_draft_and_scheduled_rows_are_hidden_from_every_list(
    api_client,
    catalogue,
    make_license,
    make_project,
    make_release,
    make_section,
    make_statement,
):
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    make_license("BUSL-1.1", state=State.DRAFT)
    make_license("FSL-1.1-ALv2", publish_at=tomorrow)
    draft_project = make_project("Draft", state=State.DRAFT)
    make_release(draft_project, "9.9.9")
    make_project("Scheduled", publish_at=tomorrow)
    make_release(catalogue["project"], "24.1.0", state=State.DRAFT)
    make_release(catalogue["project"], "24.2.0", publish_at=tomorrow)
    make_statement(catalogue["section"], body="Secret plan.", state=State.DRAFT)
    hidden = make_section("Hidden", state=State.DRAFT)
    make_statement(hidden, body="In a draft section.")

    licenses = results(api_client.get("/api/v1/licenses/"))
    projects = results(api_client.get("/api/v1/projects/"))
    detail = api_client.get("/api/v1/projects/snuba/").json()
    statements = results(api_client.get("/api/v1/statements/"))
    sections = results(api_client.get("/api/v1/sections/"))

    assert [item["spdx_id"] for item in licenses] == ["Apache-2.0", "MIT"]
    assert [item["slug"] for item in projects] == ["snuba"]
    assert [item["version"] for item in detail["releases"]] == ["23.11.0"]
    assert [item["body_html"] for item in statements] == [
        "<p>Open by <em>default</em>.</p>",
        "<p>Share the code.</p>",
        "<p>Anyone can read it.</p>",
    ]
    assert [item["slug"] for item in sections] == ["goals"]


def test_scheduled_project_appears_once_its_time_has_come(
    api_client, catalogue, make_project
):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    make_project("Launched", publish_at=yesterday)

    projects = results(api_client.get("/api/v1/projects/"))

    assert {item["slug"] for item in projects} == {"launched", "snuba"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/licenses/BUSL-1.1/",
        "/api/v1/licenses/FSL-1.1-ALv2/",
        "/api/v1/projects/draft/",
        "/api/v1/projects/scheduled/",
        "/api/v1/sections/hidden/",
        "/api/v1/statements/{draft_statement}/",
        "/api/v1/statements/{statement_in_draft_section}/",
    ],
)
def test_draft_detail_is_404(
    api_client,
    catalogue,
    make_license,
    make_project,
    make_section,
    make_statement,
    url,
):
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    make_license("BUSL-1.1", state=State.DRAFT)
    make_license("FSL-1.1-ALv2", publish_at=tomorrow)
    make_project("Draft", state=State.DRAFT)
    make_project("Scheduled", publish_at=tomorrow)
    draft = make_statement(catalogue["section"], body="Secret.", state=State.DRAFT)
    in_draft_section = make_statement(
        make_section("Hidden", state=State.DRAFT), body="In a draft section."
    )
    url = url.format(
        draft_statement=draft.pk, statement_in_draft_section=in_draft_section.pk
    )

    assert api_client.get(url).status_code == 404


def test_draft_license_named_by_a_published_project_is_not_listed(
    api_client, make_license, make_project
):
    make_license("Apache-2.0")
    make_license("BUSL-1.1", state=State.DRAFT)
    make_project("Relay", license_expression="BUSL-1.1 OR Apache-2.0")

    (listed,) = results(api_client.get("/api/v1/projects/"))
    detail = api_client.get("/api/v1/projects/relay/").json()

    assert listed["licenses"] == ["Apache-2.0"]
    assert detail["licenses"] == ["Apache-2.0"]
    # The expression itself is the project's public fact and is shown in full.
    assert detail["license_expression"] == "BUSL-1.1 OR Apache-2.0"


# Read-only for anonymous clients


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/v1/licenses/"),
        ("put", "/api/v1/licenses/MIT/"),
        ("patch", "/api/v1/licenses/MIT/"),
        ("delete", "/api/v1/licenses/MIT/"),
        ("post", "/api/v1/projects/"),
        ("put", "/api/v1/projects/snuba/"),
        ("patch", "/api/v1/projects/snuba/"),
        ("delete", "/api/v1/projects/snuba/"),
        ("post", "/api/v1/statements/"),
        ("delete", "/api/v1/statements/{statement}/"),
        ("post", "/api/v1/sections/"),
        ("patch", "/api/v1/sections/goals/"),
        ("delete", "/api/v1/sections/goals/"),
    ],
)
def test_api_is_read_only_for_anonymous_clients(api_client, catalogue, method, url):
    before = (
        list(License.objects.values()),
        list(Project.objects.values()),
        list(Section.objects.values()),
        list(Statement.objects.values()),
    )
    url = url.format(statement=Statement.objects.first().pk)

    response = getattr(api_client, method)(
        url, {"name": "Changed", "title": "Changed"}, format="json"
    )

    # 401 where a token could write (projects), 405 where nothing can.
    assert response.status_code in {401, 405}
    assert before == (
        list(License.objects.values()),
        list(Project.objects.values()),
        list(Section.objects.values()),
        list(Statement.objects.values()),
    )


# The OpenAPI schema and its docs page


def test_schema_is_served_as_openapi_3(api_client, db):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/licenses/",
        "/api/v1/licenses/{spdx_id}/",
        "/api/v1/projects/",
        "/api/v1/projects/{slug}/",
        "/api/v1/statements/",
        "/api/v1/statements/{id}/",
        "/api/v1/sections/",
        "/api/v1/sections/{slug}/",
    } <= set(schema["paths"])
    project_filters = {
        p["name"] for p in schema["paths"]["/api/v1/projects/"]["get"]["parameters"]
    }
    assert {"q", "license", "category", "language", "status", "page"} <= (
        project_filters
    )
    page_size = next(
        p
        for p in schema["paths"]["/api/v1/projects/"]["get"]["parameters"]
        if p["name"] == "page_size"
    )
    assert "at most 100" in page_size["description"]
    # Only the project catalogue is writable (with a token); the rest is read-only.
    writable = {
        "/api/v1/projects/": {"get", "post"},
        "/api/v1/projects/{slug}/": {"get", "put", "patch"},
        "/api/v1/projects/{slug}/releases/": {"post"},
        "/api/v1/projects/{slug}/releases/{version}/": {"patch"},
    }
    assert {
        path: set(ops) - {"parameters"}
        for path, ops in schema["paths"].items()
        if set(ops) - {"parameters"} != {"get"}
    } == writable
    assert "bearerToken" in schema["components"]["securitySchemes"]


def test_schema_describes_the_exact_fields(api_client, db):
    schemas = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()[
        "components"
    ]["schemas"]

    assert set(schemas["License"]["properties"]) == LICENSE_KEYS
    assert set(schemas["Project"]["properties"]) == PROJECT_LIST_KEYS
    assert set(schemas["ProjectDetail"]["properties"]) == PROJECT_DETAIL_KEYS
    assert set(schemas["Release"]["properties"]) == RELEASE_KEYS
    assert set(schemas["Statement"]["properties"]) == STATEMENT_KEYS
    assert set(schemas["Section"]["properties"]) == SECTION_KEYS
    licenses = schemas["Project"]["properties"]["licenses"]
    assert licenses["type"] == "array"
    assert licenses["items"]["type"] == "string"


def test_schema_validates_without_warnings(db, tmp_path):
    # --fail-on-warn turns every drf-spectacular warning (an untyped field, an
    # unresolvable path parameter...) into a failure.
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yml"),
    )

    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3.")


def test_docs_page_loads_swagger_ui_from_our_own_static_files(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    hosts = set(re.findall(r"""(?:https?:)?//([^/"'\s]+)""", html))
    assert hosts <= {"testserver"}, hosts
    assets = re.findall(r"""["'](/static/[^"']+\.(?:js|css))["']""", html)
    assert any("swagger-ui-bundle" in asset for asset in assets), html
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


# Query counts: fixed per request, whatever the number of rows


@pytest.fixture
def make_catalogue(
    make_license,
    make_category,
    make_language,
    make_project,
    make_release,
    make_section,
    make_statement,
):
    """``size`` published projects (each with licenses, languages, a category
    and two releases), licenses, sections and statements."""

    def make(size):
        make_license("Apache-2.0")
        make_license("MIT")
        languages = [make_language("Python"), make_language("Rust")]
        for number in range(size):
            category = make_category(f"Category {number}")
            project = make_project(
                f"Project {number}",
                license_expression="Apache-2.0 OR MIT",
                category=category,
                languages=languages,
            )
            make_release(project, "1.0.0")
            make_release(project, "2.0.0")
            section = make_section(f"Section {number}", position=number)
            make_statement(section, body="A goal.", kind=Statement.Kind.GOAL)
            make_statement(
                section,
                body="A quote.",
                kind=Statement.Kind.QUOTE,
                attribution_name="Someone",
            )

    return make


# Count query + page query (+ one per prefetched relation)
LIST_QUERIES = {
    "/api/v1/licenses/": 2,
    "/api/v1/projects/": 5,
    "/api/v1/projects/?license=MIT&language=python&category=category-1": 8,
    "/api/v1/statements/": 2,
    "/api/v1/statements/?section=section-1&kind=goal": 3,
    "/api/v1/sections/": 2,
}
# The object (+ one per prefetched relation)
DETAIL_QUERIES = {
    "/api/v1/licenses/MIT/": 1,
    "/api/v1/projects/project-1/": 5,
    "/api/v1/sections/section-1/": 1,
    "/api/v1/statements/{statement}/": 1,
}


@pytest.mark.parametrize("size", [3, 15])
@pytest.mark.parametrize(("url", "queries"), LIST_QUERIES.items())
def test_list_costs_a_fixed_number_of_queries(
    api_client, make_catalogue, django_assert_num_queries, size, url, queries
):
    make_catalogue(size)

    with django_assert_num_queries(queries):
        response = api_client.get(url)

    assert response.status_code == 200
    assert response.json()["results"]


@pytest.mark.parametrize("size", [3, 15])
@pytest.mark.parametrize(("url", "queries"), DETAIL_QUERIES.items())
def test_detail_costs_a_fixed_number_of_queries(
    api_client, make_catalogue, django_assert_num_queries, size, url, queries
):
    make_catalogue(size)
    url = url.format(statement=Statement.objects.first().pk)

    with django_assert_num_queries(queries):
        response = api_client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("size", [3, 15])
def test_project_detail_cost_does_not_grow_with_its_relations(
    api_client,
    make_license,
    make_language,
    make_project,
    make_release,
    django_assert_num_queries,
    size,
):
    spdx_ids = ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "MPL-2.0"][: size // 3]
    for spdx_id in spdx_ids:
        make_license(spdx_id)
    project = make_project(
        "Big",
        license_expression=" OR ".join(spdx_ids),
        languages=[make_language(f"Language {n}") for n in range(size)],
    )
    for number in range(size):
        make_release(project, f"{number}.0.0")

    with django_assert_num_queries(DETAIL_QUERIES["/api/v1/projects/project-1/"]):
        data = api_client.get("/api/v1/projects/big/").json()

    assert len(data["releases"]) == size
    assert len(data["languages"]) == size
    assert len(data["licenses"]) == len(spdx_ids)


# ------------------------------------ the contract: errors, inputs, ordering, schema
#
# The API's contract beyond its resources: one error format, strict inputs,
# documented ordering, and an OpenAPI schema that says all of it.
#
# An integration relies on every error having the shape
# ``{"detail": "...", "errors": {parameter: [messages]}}``, on a mistyped parameter
# value being refused (never silently ignored or "corrected"), and on the schema
# listing each parameter, its accepted values and each error response.


@pytest.fixture
def contract_catalogue(
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
def test_a_bad_parameter_is_a_400_naming_it(api_client, contract_catalogue, url, field):
    body = assert_error(api_client.get(url), 400, [field])

    assert field in body["detail"]


def test_several_bad_parameters_are_all_named(api_client, contract_catalogue):
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
def test_a_missing_item_is_a_404(api_client, contract_catalogue, url):
    assert_error(api_client.get(url), 404)


def test_a_draft_is_a_404_like_a_missing_item(
    api_client, contract_catalogue, make_project
):
    make_project("Secret", state=State.DRAFT)

    assert_error(api_client.get("/api/v1/projects/secret/"), 404)


@pytest.fixture
def hidden_keys(
    contract_catalogue, make_license, make_project, make_release, make_statement
):
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
def test_options_still_describes_what_the_public_can_see(
    api_client, contract_catalogue, url
):
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


def test_an_api_address_without_its_slash_is_redirected(api_client, contract_catalogue):
    response = api_client.get("/api/v1/projects?status=active")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/projects/?status=active"


@pytest.mark.parametrize(
    ("method", "url"),
    [("delete", "/api/v1/projects/snuba/"), ("delete", "/api/v1/licenses/MIT/")],
)
def test_a_write_is_a_405(api_client, contract_catalogue, method, url):
    body = assert_error(getattr(api_client, method)(url), 405)

    assert method.upper() in body["detail"]


def test_a_browser_session_is_no_api_credential(contract_catalogue):
    # Only tokens write: an editor logged in to the admin cannot be made to
    # write through the API by another site (no session, so no CSRF to forge).
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.create_superuser("someone"))

    body = assert_error(client.post("/api/v1/projects/", {}), 401)

    assert "token" in body["detail"]


def test_an_unsupported_format_is_a_406(api_client, contract_catalogue):
    response = api_client.get("/api/v1/projects/", HTTP_ACCEPT="application/xml")

    assert_error(response, 406)


def test_an_unexpected_error_in_the_api_is_a_json_500(contract_catalogue, monkeypatch):
    # Any bug: it used to be the site's HTML 500 page.
    def fail(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(ProjectViewSet, "list", fail)
    client = APIClient(raise_request_exception=False)

    body = assert_error(client.get("/api/v1/projects/"), 500)

    assert "unexpected error" in body["detail"]
    assert "recursion" not in body["detail"]  # nothing of the inside leaks


def test_an_unexpected_error_on_the_site_is_still_the_html_page(
    contract_catalogue, monkeypatch
):
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


def test_unknown_parameters_are_ignored(api_client, contract_catalogue):
    response = api_client.get("/api/v1/projects/?colour=blue&utm_source=x")

    assert response.status_code == 200
    assert response.json()["count"] == 3


# ---------------------------------------------------------------- paging


@pytest.mark.parametrize("query", ["?page=4", "?page=abc", "?page=-1", "?page=1.5"])
def test_a_bad_page_is_a_400(api_client, contract_catalogue, query):
    response = api_client.get(f"/api/v1/projects/?page_size=1{query.replace('?', '&')}")

    assert_error(response, 400, ["page"])


def test_the_last_page_exists_and_the_next_does_not(api_client, contract_catalogue):
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


def test_an_empty_page_value_is_page_one(api_client, contract_catalogue):
    response = api_client.get("/api/v1/projects/?page=&page_size=")

    assert response.status_code == 200
    assert response.json()["count"] == 3


@pytest.mark.parametrize("size", ["0", "101", "10000", "abc", "-5", "2.5"])
def test_a_bad_page_size_is_a_400(api_client, contract_catalogue, size):
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
def test_licenses_filter(api_client, contract_catalogue, query, spdx_ids):
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
def test_documented_orderings(api_client, contract_catalogue, url, key, expected):
    assert values(api_client, url, key) == expected


def test_ordering_by_update_time(api_client, contract_catalogue, make_project):
    make_project("Latest")

    slugs = values(api_client, "/api/v1/projects/?ordering=-updated_at", "slug")

    assert slugs[0] == "latest"
    assert values(api_client, "/api/v1/projects/?ordering=updated_at", "slug")[-1] == (
        "latest"
    )


def test_several_ordering_fields(api_client, contract_catalogue):
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
def test_an_undocumented_ordering_is_a_400(api_client, contract_catalogue, ordering):
    body = assert_error(
        api_client.get(f"/api/v1/projects/?ordering={ordering}"), 400, ["ordering"]
    )

    assert "name, -name, updated_at, -updated_at" in body["errors"]["ordering"][0]


def test_ordering_where_none_is_offered_is_an_unknown_parameter(
    api_client, contract_catalogue
):
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


def test_every_text_a_write_takes_states_its_length_limit(schema):
    """A client that keeps to the schema is never refused for a text's length:
    each free text of a write states the limit the database has."""
    # Keys of existing rows, not texts: a slug the lookup finds or refuses.
    lookups = {"category"}
    unstated = [
        f"{name}.{field}"
        for name, component in schema["components"]["schemas"].items()
        if name.endswith("Request")
        for field, prop in (component.get("properties") or {}).items()
        if prop.get("type") == "string"
        and not {"format", "enum", "maxLength"} & prop.keys()
        and field not in lookups
    ]
    assert unstated == []


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


def test_a_read_with_a_bad_token_is_a_documented_401(
    api_client, contract_catalogue, schema
):
    response = api_client.get(
        "/api/v1/projects/", HTTP_AUTHORIZATION="Bearer ptk_nope_nope"
    )

    assert_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    for path, method, operation in operations(schema):
        assert "401" in operation["responses"], (path, method)


def test_an_empty_query_value_is_no_value_and_documented(
    api_client, contract_catalogue, schema
):
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
def test_text_the_schema_refuses_is_refused(api_client, contract_catalogue, text):
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
    api_client, contract_catalogue, schema
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
def test_a_key_with_a_nul_is_no_address(api_client, contract_catalogue, method, url):
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


def test_a_statement_carries_the_key_of_its_address(api_client, contract_catalogue):
    listed = api_client.get("/api/v1/statements/").json()["results"]
    assert [statement["body_html"] for statement in listed] == [
        "<p>First.</p>",
        "<p>Second.</p>",
    ]
    detail = api_client.get(f"/api/v1/statements/{listed[0]['id']}/")
    assert detail.json()["body_html"] == "<p>First.</p>"


def test_the_browsable_api_breadcrumbs_name_only_real_addresses(
    client, contract_catalogue
):
    html = client.get("/api/v1/projects/", HTTP_ACCEPT="text/html").content.decode()
    start = html.index('class="breadcrumb"')
    crumbs = html[start : html.index("</ul>", start)]
    assert "Not Found" not in crumbs
    assert "Api Root" in crumbs
    assert "Project List" in crumbs
