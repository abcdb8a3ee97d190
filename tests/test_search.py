"""The site's search (/search/ and the directory's q), as a reader sees it.

The same tests run on SQLite (the substring fallback) and on PostgreSQL (weighted
full text); a few, marked, only mean something on PostgreSQL: stemming, the
headline and the GIN index.
"""

import re

import pytest
from django.db import connection
from django.utils import timezone

from licenses.models import Family
from portal.models import Statement
from portal.publishing.models import State
from portal.text.search import START, STOP, by_relevance, clean_query, highlighted
from projects.models import Project
from projects.search import matching_projects
from tests.helpers import card_titles, get_ok, main_of

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search"
)
TOMORROW = timezone.timedelta(days=1)


def hits(page, kind: str) -> list[str]:
    """The titles of the hits of one kind (projects, licenses, statements)."""
    groups = page.find("main").find_all("section", id=kind)
    if not groups:
        return []
    return [title.text for title in groups[0].find_all("h4", "hit__title")]


@pytest.fixture
def searchable(make_license, make_category, make_project, make_section, make_statement):
    make_license(
        "Apache-2.0",
        name="Apache License 2.0",
        summary="The default for new projects: permissive and protective.",
    )
    make_license(
        "BUSL-1.1",
        name="Business Source License 1.1",
        family=Family.SOURCE_AVAILABLE,
        summary="Source-available backend code that turns into Apache-2.0.",
    )
    make_project(
        "Snuba",
        summary="Search and aggregation of event data.",
        description="Snuba stores events in **ClickHouse** for fast queries.",
        license_expression="Apache-2.0",
        category=make_category("Backend"),
    )
    make_project(
        "Relay",
        summary="A service that forwards events.",
        description="Relay is written in Rust.",
        license_expression="Apache-2.0",
    )
    section = make_section("Why not open core", slug="open-core")
    make_statement(
        section,
        "Open core moves critical features into a paid version.",
        kind=Statement.Kind.FAQ,
        title="Is open core the same as open source?",
    )


# ---------------------------------------------------------------- finding


def test_a_project_is_found_by_a_word_of_its_description(client, searchable):
    page = get_ok(client, "/search/?q=clickhouse")
    assert hits(page, "projects") == ["Snuba"]
    snippet = page.find("main").find("p", "hit__snippet")
    assert snippet.find("mark").text.lower() == "clickhouse"
    assert "**" not in snippet.text  # Markdown reads as plain text


def test_results_are_grouped_by_kind(client, searchable):
    page = get_ok(client, "/search/?q=apache")
    assert hits(page, "projects") == []
    assert hits(page, "licenses") == [
        "Apache License 2.0",
        "Business Source License 1.1",
    ]
    heading = page.find("main").find("h2", "results-heading")
    assert heading.text == "2 results for “apache”"
    page = get_ok(client, "/search/?q=events")
    assert sorted(hits(page, "projects")) == ["Relay", "Snuba"]
    page = get_ok(client, "/search/?q=open core")
    assert hits(page, "statements") == ["Is open core the same as open source?"]
    link = page.find("section", id="statements").find("a")
    assert re.fullmatch(r"/#statement-\d+", link.attrs["href"])


def test_a_name_match_ranks_above_a_description_match(
    client, make_license, make_project
):
    make_license("MIT")
    make_project("Tracer", summary="A library.", description="Plain words.")
    make_project("Aardvark", summary="A tool.", description="Sends to the tracer.")
    make_project("Beacon", summary="A tracer for spans.", description="More words.")
    page = get_ok(client, "/search/?q=tracer")
    assert hits(page, "projects") == ["Tracer", "Beacon", "Aardvark"]


def test_every_word_must_match(client, searchable):
    page = get_ok(client, "/search/?q=events rust")
    assert hits(page, "projects") == ["Relay"]


def test_drafts_are_never_found(
    client, make_license, make_project, make_section, make_statement
):
    make_license("MIT")
    make_license("GPL-3.0-only", name="Zebra license", state=State.DRAFT)
    make_project("Zebra one", state=State.DRAFT)
    make_project("Zebra two", publish_at=timezone.now() + TOMORROW)
    make_project("Zebra three")
    hidden = make_section("Zebra section", state=State.DRAFT)
    make_statement(hidden, "Zebra statement in a draft section.")
    make_statement(make_section("Shown"), "Zebra draft.", state=State.DRAFT)
    page = get_ok(client, "/search/?q=zebra")
    assert hits(page, "projects") == ["Zebra three"]
    assert hits(page, "licenses") == []
    assert hits(page, "statements") == []


def test_nothing_found_suggests_what_to_do(client, searchable):
    main = get_ok(client, "/search/?q=zeppelin").find("main")
    assert main.find("h2", "results-heading").text == "0 results for “zeppelin”"
    empty = main.find("div", "empty")
    assert "Nothing matches these words." in empty.text
    assert {"/projects/", "/licenses/"} <= set(empty.hrefs())


def test_many_project_hits_link_to_the_directory(client, make_license, make_project):
    make_license("MIT")
    for number in range(25):
        make_project(f"Widget {number:02d}")
    page = get_ok(client, "/search/?q=widget")
    assert len(hits(page, "projects")) == 20
    assert "/projects/?q=widget" in page.find("main").hrefs()


# ---------------------------------------------------------------- snippets


def test_snippets_escape_the_text_and_mark_only_the_words(
    client, make_license, make_project
):
    make_license("MIT")
    make_project(
        "Sneaky",
        summary="Tracing for <b>apps</b>.",
        description='<script>alert("x")</script> tracing & <img src=x onerror=y>',
    )
    response = client.get("/search/?q=tracing")
    content = response.content.decode()
    snippet = re.search(r'<p class="hit__snippet">(.*?)</p>', content, re.S).group(1)
    assert set(re.findall(r"</?([a-z]+)", snippet)) == {"mark"}
    assert "<script" not in content.split("<main", 1)[1]


def test_highlight_marks_are_balanced_whatever_the_text_holds():
    text = f"a {START}b{STOP} {STOP}c{START} <d> {START}e"
    html = str(highlighted(text))
    assert html == "a <mark>b</mark> c<mark> &lt;d&gt; e</mark>"


def test_query_is_cleaned_of_control_characters():
    assert clean_query("  open\x00 \t core ") == "open core"
    assert len(clean_query("x" * 1000)) == 200


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "query",
    [
        "q=%00",
        "q=" + "a" * 300,
        "q=!!!",
        "q=%22unbalanced",
        "q=a%20or%20-or%20%22%22",
        "q=the",
        "q=x&q=y",
        "q=%F0%9F%90%8D",
        "page=abc",
    ],
)
def test_bad_input_is_never_a_server_error(client, searchable, query):
    response = client.get(f"/search/?{query}")
    assert response.status_code == 200


def test_an_unusable_query_is_reported_on_the_form(client, searchable):
    main = main_of(client.get("/search/?q=%00"))
    notice = main.find("div", "notice--error")
    assert "Null characters are not allowed." in notice.text
    assert main.find("div", "field--error")


def test_the_search_form_is_labelled_and_keeps_the_query(client, searchable):
    page = get_ok(client, "/search/?q=snuba")
    form = page.find("main").find("form", role="search")
    assert form.attrs["method"] == "get"
    field = form.find("input", name="q")
    assert field.attrs["value"] == "snuba"
    assert form.find("label").attrs["for"] == field.attrs["id"]


def test_every_page_offers_the_site_search(client, searchable):
    form = get_ok(client, "/licenses/").find("form", "site-search")
    assert form.attrs["action"] == "/search/"
    assert form.find("input", name="q").attrs["id"] == "site-search-q"
    # The search page has its own form: no second one in the header.
    assert get_ok(client, "/search/").find_all("form", "site-search") == []


# ---------------------------------------------------------------- the directory


def test_the_directory_q_uses_the_same_search(client, searchable):
    assert card_titles(client.get("/projects/?q=clickhouse")) == ["Snuba"]


def test_the_directory_lists_the_best_match_first(client, make_license, make_project):
    make_license("MIT")
    make_project("Aardvark", summary="A tool.", description="Sends to the tracer.")
    make_project("Tracer", summary="A library.")
    assert card_titles(client.get("/projects/?q=tracer")) == ["Tracer", "Aardvark"]
    by_name = client.get("/projects/?q=tracer&sort=name")
    assert card_titles(by_name) == ["Aardvark", "Tracer"]


def test_the_api_q_finds_a_description_word_and_keeps_its_ordering(
    api_client, searchable
):
    def slugs(query):
        body = api_client.get("/api/v1/projects/" + query).json()
        return [project["slug"] for project in body["results"]]

    assert slugs("?q=clickhouse") == ["snuba"]
    assert slugs("?q=events&ordering=-name") == ["snuba", "relay"]
    assert slugs("?q=events&ordering=name") == ["relay", "snuba"]


# ---------------------------------------------------------------- queries


def test_search_costs_a_fixed_number_of_queries(
    client, django_assert_num_queries, make_license, make_project, make_section,
    make_statement,
):  # fmt: skip
    make_license("MIT", summary="Widely used.")
    counter = iter(range(1000))

    def grow(count):
        for _ in range(count):
            number = next(counter)
            make_project(f"Widely {number}", description="Widely used code.")
            make_statement(make_section(f"Section {number}"), "Widely shared.")

    grow(2)
    # Site settings, projects, licenses, statements.
    with django_assert_num_queries(4):
        assert client.get("/search/?q=widely").status_code == 200
    grow(30)
    with django_assert_num_queries(4):
        assert client.get("/search/?q=widely&_=2").status_code == 200


def test_an_empty_search_costs_no_search_query(client, django_assert_num_queries, db):
    # The first request reads the schedule into the empty cache and the site
    # settings; both are kept after it.
    for url, queries in [("/search/", 2), ("/search/?q=", 0), ("/search/?q=!!!", 0)]:
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


# ---------------------------------------------------------------- PostgreSQL


@postgres_only
def test_words_are_stemmed_and_the_snippet_comes_from_the_database(client, searchable):
    page = get_ok(client, "/search/?q=forwarding")
    assert hits(page, "projects") == ["Relay"]
    assert page.find("p", "hit__snippet").find("mark").text == "forwards"


@postgres_only
def test_the_project_search_uses_the_gin_index_on_10000_rows(db):
    Project.objects.bulk_create(
        Project(
            name=f"Project {n}",
            slug=f"project-{n}",
            summary=f"Sample project number {n}.",
            description=f"Built for team {n % 97}; it does one thing well.",
            license_expression="MIT",
            state=State.PUBLISHED,
        )
        for n in range(10_000)
    )
    with connection.cursor() as cursor:
        # Rows written since the index was built wait in its pending list until
        # a vacuum; the planner then rightly prefers a scan. Flush it as
        # autovacuum would.
        cursor.execute("SELECT gin_clean_pending_list('project_search_vector_gin')")
        cursor.execute("ANALYZE projects_project")
    queryset = by_relevance(
        matching_projects(Project.objects.published(), "number 5000")
    )[:21]
    plan = queryset.explain()
    assert "project_search_vector_gin" in plan, plan
    assert [project.slug for project in queryset] == ["project-5000"]
