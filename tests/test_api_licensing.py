"""The API answers "which versions are open source already, and when does the
next one convert?", and checks expressions for integrations."""

import datetime

import pytest

from licenses.models import Family
from portal.publishing.models import State
from projects.models import LicenseChange

D = datetime.date


@pytest.fixture
def snuba(make_license, make_project, make_release):
    make_license(
        "Apache-2.0",
        permissions=["commercial-use", "patent-use"],
        limitations=["warranty"],
    )
    make_license(
        "BUSL-1.1",
        family=Family.SOURCE_AVAILABLE,
        change_cap_months=48,
        conditions=["no-competing-use"],
    )
    project = make_project("Snuba", license_expression="BUSL-1.1")
    LicenseChange.objects.create(project=project, license_expression="BSD-3-Clause")
    LicenseChange.objects.create(
        project=project,
        effective_on=D(2019, 11, 6),
        license_expression="BUSL-1.1",
        **SNUBA_TERMS,
    )
    make_release(project, "23.11.0", released_on=D(2023, 11, 15))
    make_release(project, "24.1.0", released_on=D(2024, 1, 10))
    return project


SNUBA_TERMS = {
    "licensor": "Functional Software, Inc.",
    "licensed_work": "Sentry",
    "additional_use_grant": "Any use except an Application Monitoring Service.",
    "change_license": "Apache-2.0",
    "change_after_months": 36,
}


def test_license_carries_its_rules_and_conversion_terms(api_client, snuba):
    busl = api_client.get("/api/v1/licenses/BUSL-1.1/").json()
    apache = api_client.get("/api/v1/licenses/Apache-2.0/").json()

    # The license's text fixes the cap only; the rest is each grant's.
    assert busl["change_license"] is None
    assert (busl["change_period_months"], busl["change_cap_months"]) == (None, 48)
    assert busl["conditions"] == [
        {"key": "no-competing-use", "label": "No competing commercial offering"}
    ]
    assert apache["permissions"] == [
        {"key": "commercial-use", "label": "Commercial use"},
        {"key": "patent-use", "label": "Patent use"},
    ]
    assert apache["change_license"] is None and apache["deprecated"] is False


def test_release_says_when_and_into_what_it_converts(api_client, snuba):
    project = api_client.get("/api/v1/projects/snuba/").json()

    by_version = {r["version"]: r for r in project["releases"]}
    assert by_version["23.11.0"]["converts_on"] == "2026-11-15"
    assert by_version["23.11.0"]["converts_to"] == "Apache-2.0"
    assert by_version["24.1.0"]["converts_on"] == "2027-01-10"
    assert by_version["24.1.0"]["open_source_today"] is False
    assert by_version["24.1.0"]["change_date"] is None
    assert project["terms"] == {**SNUBA_TERMS, "change_date": None}


def test_project_lists_its_license_history_oldest_first(api_client, snuba):
    (project,) = api_client.get("/api/v1/projects/").json()["results"]

    assert project["license_history"] == [
        {"effective_on": None, "license_expression": "BSD-3-Clause", "note": ""},
        {"effective_on": "2019-11-06", "license_expression": "BUSL-1.1", "note": ""},
    ]


def test_conversions_are_listed_soonest_first(api_client, snuba):
    response = api_client.get("/api/v1/conversions/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["project"], r["version"], r["converts_on"]) for r in rows] == [
        ("snuba", "23.11.0", "2026-11-15"),
        ("snuba", "24.1.0", "2027-01-10"),
    ]
    assert rows[0]["converts_to"] == "Apache-2.0"
    assert rows[0]["html_url"] == "http://testserver/projects/snuba/"


@pytest.mark.parametrize(
    ("query", "versions"),
    [
        ("after=2026-12-01", ["24.1.0"]),
        ("before=2026-12-01", ["23.11.0"]),
        ("after=2026-11-15&before=2026-11-15", ["23.11.0"]),
        ("project=snuba", ["23.11.0", "24.1.0"]),
        ("license=Apache-2.0", ["23.11.0", "24.1.0"]),
        ("license=BUSL-1.1", ["23.11.0", "24.1.0"]),
    ],
)
def test_conversions_filter(api_client, snuba, query, versions):
    rows = api_client.get(f"/api/v1/conversions/?{query}").json()["results"]
    assert [r["version"] for r in rows] == versions


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("after=yesterday", "after"),
        ("before=2026-13-01", "before"),
        ("project=nope", "project"),
        ("license=NOPE", "license"),
    ],
)
def test_conversions_reject_bad_filters_with_field_errors(
    api_client, snuba, query, field
):
    response = api_client.get(f"/api/v1/conversions/?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_draft_releases_and_draft_projects_never_convert_in_public(
    api_client, snuba, make_project, make_release
):
    hidden = make_project("Hidden", license_expression="BUSL-1.1", state=State.DRAFT)
    make_release(hidden, "1.0", released_on=D(2023, 1, 1))
    make_release(snuba, "25.0.0", released_on=D(2025, 1, 1), state=State.DRAFT)

    rows = api_client.get("/api/v1/conversions/").json()["results"]
    assert {(r["project"], r["version"]) for r in rows} == {
        ("snuba", "23.11.0"),
        ("snuba", "24.1.0"),
    }


@pytest.mark.parametrize("size", [2, 12])
def test_conversions_cost_a_fixed_number_of_queries(
    api_client, snuba, make_release, django_assert_num_queries, size
):
    for number in range(size):
        make_release(snuba, f"30.{number}.0", released_on=D(2025, 1, 1 + number))
    # The count, the page.
    with django_assert_num_queries(2):
        api_client.get("/api/v1/conversions/")


def test_validate_a_valid_expression(api_client, snuba):
    response = api_client.get(
        "/api/v1/expressions/validate/", {"expression": "busl-1.1 or GPL-2.0+"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert body["normalized"] == "BUSL-1.1 OR GPL-2.0-or-later"
    assert body["errors"] == []
    busl, gpl = body["licenses"]
    assert busl["in_portal"] is True and busl["family"] == "source_available"
    assert busl["html_url"] == "http://testserver/licenses/BUSL-1.1/"
    assert gpl == {
        "spdx_id": "GPL-2.0-or-later",
        "name": "GNU General Public License v2.0 or later",
        "in_portal": False,
        "family": None,
        "osi_approved": True,
        "html_url": None,
    }


@pytest.mark.parametrize(
    "expression", ["Apache-2.0 ORR MIT", "Apache-2.0 OR", "(MIT", "", "x" * 1500]
)
def test_validate_malformed_expressions_answers_with_errors(api_client, db, expression):
    response = api_client.get(
        "/api/v1/expressions/validate/", {"expression": expression}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False and body["errors"]


def test_validate_refuses_10_kb_of_junk_with_a_field_error(api_client, db):
    response = api_client.get(
        "/api/v1/expressions/validate/", {"expression": "x" * 10_000}
    )
    assert response.status_code == 400
    assert "2000" in response.json()["errors"]["expression"][0]


def test_validate_suggests_the_spdx_id(api_client, db):
    body = api_client.get(
        "/api/v1/expressions/validate/", {"expression": "FSL-1.1-Apache-2.0"}
    ).json()
    assert body["valid"] is False
    assert body["suggestions"]["FSL-1.1-Apache-2.0"][0] == "FSL-1.1-ALv2"
    assert "FSL-1.1-ALv2" in body["errors"][0]


def test_validate_without_expression_is_a_400(api_client, db):
    response = api_client.get("/api/v1/expressions/validate/")
    assert response.status_code == 400
    assert "expression" in response.json()["errors"]


@pytest.mark.parametrize(
    ("on", "expression", "since", "until", "open_source"),
    [
        ("2024-06-01", "BUSL-1.1", "2023-11-15", "2026-11-15", False),
        ("2026-11-14", "BUSL-1.1", "2023-11-15", "2026-11-15", False),
        ("2026-11-15", "Apache-2.0", "2026-11-15", None, True),
    ],
)
def test_licensing_lookup_says_what_governs_a_version_on_a_day(
    api_client, snuba, on, expression, since, until, open_source
):
    response = api_client.get(
        f"/api/v1/licensing/?project=snuba&version=23.11.0&on={on}"
    )

    assert response.status_code == 200, response.json()
    answer = response.json()
    assert (
        answer["license_expression"],
        answer["since"],
        answer["until"],
        answer["open_source"],
    ) == (expression, since, until, open_source)


def test_licensing_lookup_refuses_a_day_before_the_release(api_client, snuba):
    response = api_client.get(
        "/api/v1/licensing/?project=snuba&version=23.11.0&on=2023-11-14"
    )
    assert response.status_code == 400
    assert "2023-11-15" in response.json()["errors"]["on"][0]


def test_licensing_lookup_of_an_unknown_version_is_a_404(api_client, snuba):
    response = api_client.get("/api/v1/licensing/?project=snuba&version=9.9")
    assert response.status_code == 404
    assert "9.9" in response.json()["detail"]


def test_licensing_lookup_needs_project_and_version(api_client, snuba):
    response = api_client.get("/api/v1/licensing/?on=2025-01-01")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"project", "version"}
