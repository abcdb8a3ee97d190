"""The project directory's facets, license-family filter and sort orders, and the
same FilterSet seen from the API."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from licenses.models import Family
from portal.publishing.kept_sql import bind
from portal.publishing.models import State
from projects.models import (
    CARD_COLUMNS,
    KEPT_CARD_RELATIONS,
    KEPT_DIRECTORY_PAGE,
    Project,
    card_relations_query,
    directory_projects,
)
from tests.helpers import card_titles, freeze_today, get_ok, main_of


@pytest.fixture
def catalogue(make_license, make_category, make_language, make_project):
    """Three licenses in two families, four projects."""
    apache = make_license("Apache-2.0", name="Apache License 2.0")
    make_license("MIT", name="MIT License")
    make_license(
        "BUSL-1.1",
        name="Business Source License 1.1",
        family=Family.SOURCE_AVAILABLE,
        change_license=apache,
        change_period_months=36,
    )
    make_license("GPL-3.0-only", family=Family.STRONG_COPYLEFT, state=State.DRAFT)
    sdk, backend = make_category("SDK"), make_category("Backend")
    python, rust = make_language("Python"), make_language("Rust")
    make_project(
        "Alpha",
        license_expression="Apache-2.0 OR MIT",
        category=sdk,
        languages=[python],
        featured=True,
    )
    make_project(
        "Beta", license_expression="MIT", category=sdk, languages=[python, rust]
    )
    make_project(
        "Gamma",
        license_expression="BUSL-1.1",
        category=backend,
        languages=[rust],
        status=Project.Status.ARCHIVED,
    )
    make_project(
        "Delta", license_expression="BUSL-1.1 AND MIT", category=backend, position=1
    )
    make_project("Draft", license_expression="MIT", state=State.DRAFT)


def options(page, name) -> dict[str, str]:
    """Value -> label of a select's options, the empty choice left out."""
    select = page.find("form", "filters").find("select", name=name)
    return {
        option.attrs["value"]: option.text
        for option in select.find_all("option")
        if option.attrs["value"]
    }


def test_each_choice_shows_how_many_projects_it_would_show(client, catalogue):
    page = get_ok(client, "/projects/")
    assert options(page, "license") == {
        "Apache-2.0": "Apache-2.0 (1)",
        "MIT": "MIT (3)",
        "BUSL-1.1": "BUSL-1.1 (2)",
    }
    assert options(page, "family") == {
        "permissive": "Permissive (3)",
        "weak_copyleft": "Weak copyleft (0)",
        "strong_copyleft": "Strong copyleft (0)",
        "source_available": "Source-available (2)",
        "public_domain": "Public domain (0)",
        "other": "Other (0)",
    }
    assert options(page, "category") == {"sdk": "SDK (2)", "backend": "Backend (2)"}
    assert options(page, "language") == {"python": "Python (2)", "rust": "Rust (2)"}
    assert options(page, "status") == {
        "active": "Active (3)",
        "maintenance": "Maintenance only (0)",
        "archived": "Archived (1)",
        "deprecated": "Deprecated (0)",
    }


def test_counts_follow_the_other_filters_but_not_their_own(client, catalogue):
    page = get_ok(client, "/projects/?license=BUSL-1.1&category=backend")
    # Other licenses: what they would show in the Backend category.
    assert options(page, "license") == {
        "Apache-2.0": "Apache-2.0 (0)",
        "MIT": "MIT (1)",
        "BUSL-1.1": "BUSL-1.1 (2)",
    }
    # Other categories: what they would show under BUSL-1.1.
    assert options(page, "category") == {"sdk": "SDK (0)", "backend": "Backend (2)"}
    assert options(page, "status")["archived"] == "Archived (1)"
    assert card_titles(client.get("/projects/?license=BUSL-1.1&category=backend")) == [
        "Gamma",
        "Delta",
    ]


def test_counts_follow_the_search(client, catalogue):
    page = get_ok(client, "/projects/?q=gamma")
    assert options(page, "license")["BUSL-1.1"] == "BUSL-1.1 (1)"
    assert options(page, "license")["MIT"] == "MIT (0)"


def test_the_result_count_is_shown(client, catalogue):
    heading = main_of(client.get("/projects/?family=permissive")).find(
        "h2", "results-heading"
    )
    assert heading.text == "3 projects"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("family=permissive", ["Alpha", "Beta", "Delta"]),
        ("family=source_available", ["Gamma", "Delta"]),
        ("family=source_available&license=MIT", ["Delta"]),
        ("family=strong_copyleft", []),
    ],
)
def test_the_family_filter(client, catalogue, query, expected):
    assert sorted(card_titles(client.get(f"/projects/?{query}"))) == sorted(expected)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Alpha", "Beta", "Gamma", "Delta"]),
        ("featured", ["Alpha", "Beta", "Gamma", "Delta"]),
        ("name", ["Alpha", "Beta", "Delta", "Gamma"]),
    ],
)
def test_the_directory_sorts(client, catalogue, sort, expected):
    response = client.get(f"/projects/?sort={sort}", follow=True)
    assert card_titles(response) == expected


def test_empty_parameters_redirect_to_the_canonical_address(client, catalogue):
    """The GET form sends its empty fields; the list has one address."""
    response = client.get("/projects/?q=&license=MIT&family=&sort=")
    assert response.status_code == 301
    assert response.headers["Location"] == "/projects/?license=MIT"
    response = client.get("/conversions/?after=&project=")
    assert response.headers["Location"] == "/conversions/"


def test_active_filters_show_as_chips_that_remove_them(client, catalogue):
    main = get_ok(client, "/projects/?license=MIT&family=permissive").find("main")
    cross = "\N{MULTIPLICATION SIGN}"
    chips = {
        " ".join(chip.text.replace(cross, "").split()): chip.attrs["href"]
        for chip in main.find("ul", "chips").find_all("a")
    }
    assert chips == {
        "License: MIT (remove)": "/projects/?family=permissive",
        "License family: permissive (remove)": "/projects/?license=MIT",
        "Clear all": "/projects/",
    }


def test_recently_updated_first(client, catalogue):
    gamma = Project.objects.get(slug="gamma")
    gamma.summary = "Now updated."
    gamma.save()
    # The API's name for the order, and the site's earlier one.
    assert card_titles(client.get("/projects/?sort=-updated_at"))[0] == "Gamma"
    assert card_titles(client.get("/projects/?sort=-updated"))[0] == "Gamma"


def test_the_sort_is_kept_by_pagination_and_not_offered_as_a_filter_to_remove(
    client, catalogue
):
    page = get_ok(client, "/projects/?sort=name&status=deprecated")
    empty = page.find("main").find("div", "empty")
    removals = [a.text for a in empty.find_all("a")]
    assert removals == ["Remove Status: “deprecated”", "See all projects"]
    selected = [
        option.attrs["value"]
        for option in page.find("select", name="sort").find_all("option")
        if "selected" in option.attrs
    ]
    assert selected == ["name"]


@pytest.mark.parametrize(
    ("query", "label"), [("family=nope", "License family"), ("sort=up", "Sort by")]
)
def test_an_unknown_family_or_sort_is_reported(client, catalogue, query, label):
    response = client.get(f"/projects/?{query}")
    assert response.status_code == 200
    notice = main_of(response).find("div", "notice--error")
    assert label in notice.text


def test_the_reader_form_has_no_integrator_help_texts(client, catalogue):
    form = get_ok(client, "/projects/").find("form", "filters")
    helps = [div.text for div in form.find_all("div", "helptext")]
    assert helps == ["Words in the project's name, summary or description."]


# ---------------------------------------------------------------- the API


def results(response):
    assert response.status_code == 200, response.content
    return [project["slug"] for project in response.json()["results"]]


def test_the_api_filters_by_family(api_client, catalogue):
    assert results(api_client.get("/api/v1/projects/?family=source_available")) == [
        "gamma",
        "delta",
    ]
    response = api_client.get("/api/v1/projects/?family=nope")
    assert response.status_code == 400
    assert "family" in response.json()["errors"]


def test_the_api_has_no_sort_parameter_and_keeps_its_ordering(api_client, catalogue):
    # ``sort`` belongs to the site's form: the API ignores it, as any unknown
    # parameter, and orders with ``ordering``.
    assert results(api_client.get("/api/v1/projects/?sort=name")) == [
        "alpha",
        "beta",
        "gamma",
        "delta",
    ]
    assert results(api_client.get("/api/v1/projects/?ordering=-name")) == [
        "gamma",
        "delta",
        "beta",
        "alpha",
    ]


def test_facet_counts_are_reused_until_the_content_changes(
    client, catalogue, make_project, django_assert_num_queries
):
    assert options(get_ok(client, "/projects/?sort=name"), "license")["MIT"] == (
        "MIT (3)"
    )
    # The same filters, another order: the five facet counts and the result
    # count are not computed again, nor the site settings read (5 queries:
    # the content version, the form's choices, the page of projects, and their
    # licenses and languages together).
    with django_assert_num_queries(5):
        page = get_ok(client, "/projects/?sort=-updated_at&page=1")
    assert options(page, "license")["MIT"] == "MIT (3)"
    # The same form (filters and sort), another page: the form itself is not
    # rendered again either, its choices not read (2 queries: the page of
    # projects, their licenses and languages).
    with django_assert_num_queries(2):
        page = get_ok(client, "/projects/?sort=-updated_at&page=2&utm_source=feed")
    assert options(page, "license")["MIT"] == "MIT (3)"
    assert [
        option.attrs["value"]
        for option in page.find("select", name="sort").find_all("option")
        if "selected" in option.attrs
    ] == ["-updated_at"]
    # Other filters have counts of their own.
    page = get_ok(client, "/projects/?category=sdk")
    assert options(page, "license")["MIT"] == "MIT (2)"
    # A publish changes the content version: the counts follow at once.
    assert (
        "4 projects" in get_ok(client, "/projects/").find("h2", "results-heading").text
    )
    make_project("Epsilon", license_expression="MIT")
    page = get_ok(client, "/projects/")
    assert options(page, "license")["MIT"] == "MIT (4)"
    assert "5 projects" in page.find("h2", "results-heading").text


# ------------------------------------------------- the pages, as recorded

# The directory and the project pages of the demo content, as the site rendered
# them before they were read as plain values (tests/pages/). Regenerate after a
# deliberate change of their markup: RECORD_PAGES=1 uv run pytest -k as_recorded
RECORDED = Path(__file__).parent / "pages"
DIRECTORY_ADDRESSES = {
    "directory": "/projects/",
    "directory-mit": "/projects/?license=MIT",
    "directory-family": "/projects/?family=source_available",
    "directory-language": "/projects/?language=python&sort=name",
    "directory-status": "/projects/?status=archived&sort=-updated_at",
    "directory-search": "/projects/?q=sentry",
    "directory-nothing": "/projects/?category=sdk&status=archived",
    "directory-unknown": "/projects/?license=no-such-license",
}


def rendered(client, address) -> str:
    response = client.get(address)
    assert response.status_code == 200, address
    # The only part that differs from one request to the next.
    return re.sub(r'nonce="[^"]*"', 'nonce=""', response.content.decode())


def without_row_ids(html: str) -> str:
    """A release's anchor names its row's id, which depends on the database
    (PostgreSQL's sequences are not reset between tests)."""
    return re.sub(r"release-[0-9]+\b", "release-ID", html)


def assert_as_recorded(name: str, html: str) -> None:
    path = RECORDED / f"{name}.html"
    if os.environ.get("RECORD_PAGES"):
        path.write_text(html)
    assert without_row_ids(html) == without_row_ids(path.read_text()), (
        f"{name}: the page differs from {path}"
    )


@pytest.fixture
def recorded_demo(demo, make_project, monkeypatch):
    """The demo content, one project under two licenses and one under a
    license the site does not publish, on a fixed day."""
    freeze_today(monkeypatch, datetime.date(2026, 12, 2))
    make_project("Dual", license_expression="Apache-2.0 OR MIT", summary="<Both>")
    make_project("Unlisted", license_expression="LicenseRef-Unlisted")
    Project.objects.update(
        updated_at=datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)
    )


def test_directory_renders_as_recorded(client, recorded_demo):
    for name, address in DIRECTORY_ADDRESSES.items():
        assert_as_recorded(name, rendered(client, address))


def test_project_pages_render_as_recorded(client, recorded_demo):
    projects = list(Project.objects.published().order_by("slug"))
    assert len(projects) >= 10
    for project in projects:
        assert_as_recorded(
            f"project-{project.slug}", rendered(client, project.get_absolute_url())
        )


# ------------------------------------------- the cards' query, compiled once


@pytest.fixture
def licenses_on_a_schedule(make_license, make_project, make_language):
    """A project under five licenses: one published, one scheduled to appear
    in an hour, one to disappear in two hours, one draft, one in review; and
    projects on the same schedule or unpublished."""
    now = timezone.now()
    make_license("MIT", name="MIT License")
    make_license("Apache-2.0", name="Apache License", publish_at=now + HOUR)
    make_license("BSD-3-Clause", name="BSD License", unpublish_at=now + 2 * HOUR)
    make_license("GPL-3.0-only", name="GNU GPL", state=State.DRAFT)
    make_license("ISC", name="ISC License", state=State.REVIEW)
    make_project(
        "Multi",
        license_expression=(
            "MIT AND Apache-2.0 AND BSD-3-Clause AND GPL-3.0-only AND ISC"
        ),
        languages=[make_language("Rust")],
    )
    make_project("Later", publish_at=now + HOUR)
    make_project("Gone", unpublish_at=now + 2 * HOUR)
    make_project("Drafted", state=State.DRAFT)
    make_project("Reviewed", state=State.REVIEW)
    return now


HOUR = datetime.timedelta(hours=1)


def chips(node) -> list[str]:
    return [chip.text for chip in node.find_all("a", "license-chip")]


def test_directory_and_project_page_show_only_what_is_public_at_each_moment(
    client, licenses_on_a_schedule, monkeypatch
):
    """The directory's page and the cards' licenses come from SQL compiled
    once per process: each request still sees exactly what ``published()``
    lets through at its own moment, never a draft, something in review, or
    something scheduled later."""
    now = licenses_on_a_schedule
    moments = {
        now: (["Gone", "Multi"], ["BSD-3-Clause: BSD License", "MIT: MIT License"]),
        now + 1.5 * HOUR: (
            ["Gone", "Later", "Multi"],
            [
                "Apache-2.0: Apache License",
                "BSD-3-Clause: BSD License",
                "MIT: MIT License",
            ],
        ),
        now + 3 * HOUR: (
            ["Later", "Multi"],
            ["Apache-2.0: Apache License", "MIT: MIT License"],
        ),
    }
    for n, (moment, (projects, expected)) in enumerate(moments.items()):
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        for repeat in range(2):  # compiled by the first request, kept for the next
            response = client.get(f"/projects/?n={n}-{repeat}")
            assert sorted(card_titles(response)) == projects, moment
            card = next(
                card
                for card in main_of(response).find_all("li", "card")
                if "Multi" in card.text
            )
            assert sorted(chips(card)) == expected, moment
            assert "Rust" in card.text
            page = main_of(client.get(f"/projects/multi/?n={n}-{repeat}"))
            assert sorted(chips(page.find("dl", "facts"))) == expected, moment


@pytest.mark.parametrize("details", [False, True])
def test_the_kept_sql_is_the_sql_django_compiles_for_the_request(
    licenses_on_a_schedule, make_project, details
):
    """Bound to a request's moment and projects, the kept SQL and its
    parameters are those Django compiles for that request's own queryset: the
    ``published()`` rule in it is the one ``published_q()`` writes."""
    pks = [make_project(f"P{n}").pk for n in range(3)]
    kept = KEPT_CARD_RELATIONS[details]
    connection = connections["default"]
    for at in (licenses_on_a_schedule, licenses_on_a_schedule + 5 * HOUR):
        for chosen in (pks[:1], pks, pks[::-1]):
            sql, slots, _converters = kept.compile(
                pks=chosen, at=at, connection=connection
            )
            fresh = card_relations_query(at=at, pks=chosen, details=details)
            assert (sql, bind(slots, kept.prep_at(at, connection), chosen)) == (
                fresh.query.get_compiler(connection=connection).as_sql()[0],
                list(fresh.query.get_compiler(connection=connection).as_sql()[1]),
            )
            assert kept.rows(pks=chosen, at=at) == list(fresh)


def test_the_directory_page_kept_sql_is_the_sql_django_compiles(
    licenses_on_a_schedule, make_project
):
    for n in range(3):
        make_project(f"P{n}")
    connection = connections["default"]
    for at in (licenses_on_a_schedule, licenses_on_a_schedule + 5 * HOUR):
        for first, last in ((0, 2), (2, 4), (0, 20)):
            sql, slots, _converters = KEPT_DIRECTORY_PAGE.compile(
                pks=[], at=at, shape=(first, last), connection=connection
            )
            fresh = directory_projects(at).values_list(*CARD_COLUMNS)[first:last]
            compiled = fresh.query.get_compiler(connection=connection).as_sql()
            bound = bind(slots, KEPT_DIRECTORY_PAGE.prep_at(at, connection), [])
            assert (sql, bound) == (compiled[0], list(compiled[1]))
            assert KEPT_DIRECTORY_PAGE.rows(at=at, shape=(first, last)) == list(fresh)
