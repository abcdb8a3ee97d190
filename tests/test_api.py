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
from django.core.management import call_command
from django.utils import timezone
from rest_framework.request import Request

from licenses.models import License
from portal.models import Section, Statement
from portal.publishing.models import State
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
