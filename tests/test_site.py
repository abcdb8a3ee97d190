"""The public site, as a reader sees it: pages, publishing rule, filters, queries.

Assertions read the rendered HTML through a small element tree (``tests.helpers``)
so that a test says what a reader sees ("the quote is in a blockquote") rather
than which template markup produced it.
"""

import datetime

import pytest
from django.test import RequestFactory
from django.urls import set_script_prefix
from django.utils import timezone
from django.views.defaults import server_error

from portal.models import SiteSettings, Statement
from portal.publishing.models import State
from projects.models import Project
from tests.helpers import card_titles, get_ok, main_of, parse

# ---------------------------------------------------------------- data helpers

TOMORROW = datetime.timedelta(days=1)


@pytest.fixture
def site_settings(db):
    settings = SiteSettings(
        organisation_name="Sentry",
        tagline="Yes, we're open (source)",
        contact_email="licensing@example.com",
        footer="© Functional Software, Inc.",
    )
    settings.save()
    return settings


@pytest.fixture
def catalogue(make_license, make_category, make_language, make_project):
    """Two licenses, two categories, two languages, two projects apart on each."""
    mit = make_license("MIT", name="MIT License")
    apache = make_license("Apache-2.0", name="Apache License 2.0")
    sdk = make_category("SDK")
    backend = make_category("Backend")
    python = make_language("Python")
    rust = make_language("Rust")
    alpha = make_project(
        "Alpha",
        summary="An error-tracking SDK.",
        license_expression="MIT",
        category=sdk,
        languages=[python],
        status=Project.Status.ACTIVE,
    )
    beta = make_project(
        "Beta",
        summary="A columnar storage service.",
        license_expression="Apache-2.0",
        category=backend,
        languages=[rust],
        status=Project.Status.ARCHIVED,
    )
    return {"mit": mit, "apache": apache, "alpha": alpha, "beta": beta}


PAGES = ["/", "/licenses/", "/licenses/MIT/", "/projects/", "/projects/alpha/"]


# ---------------------------------------------------------------- every page


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_the_site_layout(client, site_settings, catalogue, url):
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.startswith("<!doctype html>")
    assert '<html lang="en">' in content
    page = parse(response)
    assert page.find("a", "skip-link").attrs["href"] == "#main"
    assert page.find("main").attrs["id"] == "main"
    header = page.find("header", "site-header")
    assert "Sentry" in header.text
    assert "Yes, we're open (source)" in header.text
    nav = page.find("nav", "site-nav")
    assert nav.hrefs() == [
        "/",
        "/licenses/",
        "/projects/",
        "/conversions/",
        "/api/docs/",
    ]
    footer = page.find("footer")
    assert "© Functional Software, Inc." in footer.text
    assert "mailto:licensing@example.com" in footer.hrefs()


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_its_own_title_and_a_description(
    client, site_settings, catalogue, url
):
    page = get_ok(client, url)
    title = page.find("title").text
    assert title.endswith("Sentry")
    assert title != "Sentry"
    description = page.find("meta", name="description").attrs["content"]
    assert description.strip()


@pytest.mark.parametrize("url", PAGES)
def test_pages_use_only_our_own_stylesheet_and_no_script(client, catalogue, url):
    page = get_ok(client, url)
    stylesheets = [
        link.attrs["href"] for link in page.find_all("link", rel="stylesheet")
    ]
    assert stylesheets == ["/static/portal/site.css"]
    # Nothing runs: the only script element a page may have is a JSON-LD data
    # block (project pages), and it carries the request's CSP nonce.
    for script in page.find_all("script"):
        assert script.attrs["type"] == "application/ld+json"
        assert script.attrs["nonce"]


def test_stylesheet_is_served(client):
    response = client.get("/static/portal/site.css")
    assert response.status_code == 200
    css = b"".join(response.streaming_content).decode()
    assert "prefers-color-scheme: dark" in css
    assert ":focus-visible" in css


def test_navigation_marks_the_current_section(client, catalogue):
    nav = get_ok(client, "/licenses/").find("nav", "site-nav")
    current = [a for a in nav.find_all("a") if "aria-current" in a.attrs]
    assert [a.text for a in current] == ["Licenses"]
    nav = get_ok(client, "/projects/alpha/").find("nav", "site-nav")
    current = [a for a in nav.find_all("a") if "aria-current" in a.attrs]
    assert [a.text for a in current] == ["Projects"]


def test_the_kept_layout_parts_follow_the_section_and_the_script_prefix(
    client, catalogue
):
    def current(path, **extra):
        response = client.get(path, **extra)
        assert response.status_code == 200
        nav = parse(response).find("nav", "site-nav")
        return [a.text for a in nav.find_all("a") if "aria-current" in a.attrs], (
            nav.hrefs()
        )

    for _ in range(2):  # rendered, then kept
        assert current("/licenses/")[0] == ["Licenses"]
        assert current("/projects/")[0] == ["Projects"]
        assert current("/")[0] == ["Philosophy"]
        assert current("/search/?q=alpha")[0] == []
    # Mounted under a prefix, the kept parts link under it.
    set_script_prefix("/portal/")
    try:
        current_names, links = current("/licenses/?mounted")
        footer = parse(client.get("/?mounted")).find("footer")
    finally:
        set_script_prefix("/")
    assert current_names == ["Licenses"]
    assert links[0] == "/portal/"
    assert "/portal/projects/feed.atom" in footer.hrefs()
    assert "/projects/feed.atom" in parse(client.get("/")).find("footer").hrefs()


def test_pages_work_before_site_settings_are_saved(client, db):
    page = get_ok(client, "/")
    assert "Our organisation" in page.find("header").text


# ---------------------------------------------------------------- philosophy


def test_home_has_a_table_of_contents_linking_to_each_section(client, make_section):
    make_section("Our goals", position=1)
    make_section("Why not open core", slug="open-core", position=2)
    page = get_ok(client, "/")
    toc = page.find("nav", "toc")
    assert toc.hrefs() == ["#our-goals", "#open-core"]
    assert [a.text for a in toc.find_all("a")] == ["Our goals", "Why not open core"]
    sections = page.find_all("section", "philosophy-section")
    assert [s.attrs["id"] for s in sections] == ["our-goals", "open-core"]
    assert sections[0].find("h2").text == "Our goals"


def test_section_intro_is_shown_as_html(client, make_section):
    make_section("Goals", intro="We ship **open** code.")
    section = get_ok(client, "/").find("section", id="goals")
    assert section.find("strong").text == "open"


def test_paragraph_shows_its_body(client, make_section, make_statement):
    section = make_section()
    make_statement(section, "Open source is *how* we work.")
    shown = get_ok(client, "/").find("section", id="goals")
    assert "Open source is how we work." in shown.text
    assert shown.find("em").text == "how"


def test_consecutive_goals_render_as_one_list(client, make_section, make_statement):
    section = make_section()
    for position, goal in enumerate(["Share code", "Learn", "Give back"]):
        make_statement(section, goal, kind=Statement.Kind.GOAL, position=position)
    lists = get_ok(client, "/").find("section", id="goals").find_all("ul", "goals")
    assert len(lists) == 1
    items = lists[0].find_all("li")
    assert [item.text for item in items] == ["Share code", "Learn", "Give back"]


def test_goals_apart_render_as_separate_lists(client, make_section, make_statement):
    section = make_section()
    make_statement(section, "First goal", kind=Statement.Kind.GOAL, position=1)
    make_statement(section, "A paragraph between.", position=2)
    make_statement(section, "Second goal", kind=Statement.Kind.GOAL, position=3)
    lists = get_ok(client, "/").find("section", id="goals").find_all("ul", "goals")
    assert [[li.text for li in ul.find_all("li")] for ul in lists] == [
        ["First goal"],
        ["Second goal"],
    ]


def test_principle_is_a_headed_item(client, make_section, make_statement):
    section = make_section()
    make_statement(
        section,
        "Anyone can read it.",
        kind=Statement.Kind.PRINCIPLE,
        title="Source is public",
    )
    principle = get_ok(client, "/").find("div", "principle")
    assert principle.find("h3").text == "Source is public"
    assert "Anyone can read it." in principle.text


def test_quote_is_a_blockquote_with_its_attribution(
    client, make_section, make_statement
):
    section = make_section()
    make_statement(
        section,
        "Open source is a way of life.",
        kind=Statement.Kind.QUOTE,
        attribution_name="David Cramer",
        attribution_role="Founder & CTO",
    )
    figure = get_ok(client, "/").find("figure", "quote")
    assert figure.find("blockquote").text == "Open source is a way of life."
    caption = figure.find("figcaption")
    assert caption.text.endswith("David Cramer, Founder & CTO")
    assert caption.find("cite").text == "David Cramer"


def test_faq_question_is_a_heading_followed_by_its_answer(
    client, make_section, make_statement
):
    section = make_section("Questions")
    make_statement(
        section,
        "Yes, under the FSL.",
        kind=Statement.Kind.FAQ,
        title="Can I self-host?",
    )
    faq = get_ok(client, "/").find("div", "faq")
    heading, answer = faq.elements()
    assert heading.tag == "h3"
    assert heading.text == "Can I self-host?"
    assert answer.text == "Yes, under the FSL."


def test_comparison_shows_the_open_and_the_proprietary_side(
    client, make_section, make_statement
):
    section = make_section()
    make_statement(
        section,
        "Anyone can *audit* it.",
        kind=Statement.Kind.COMPARISON,
        title="Open",
        contrast_title="Proprietary",
        contrast_body="Only the *vendor* can.",
    )
    comparison = get_ok(client, "/").find("div", "comparison")
    open_side, proprietary_side = comparison.elements()
    assert open_side.find("h3").text == "Open"
    assert open_side.find("em").text == "audit"
    assert proprietary_side.find("h3").text == "Proprietary"
    assert proprietary_side.find("em").text == "vendor"


def test_markup_from_editors_is_sanitised(client, make_section, make_statement):
    section = make_section(intro="<script>alert('intro')</script>Hello")
    make_statement(section, "<script>alert('body')</script>Safe words.")
    page = get_ok(client, "/")
    assert page.find_all("script") == []
    assert "Safe words." in page.find("main").text


def test_draft_section_and_its_statements_are_hidden(
    client, make_section, make_statement
):
    make_section("Visible")
    hidden = make_section("Secret plans", state=State.DRAFT)
    make_statement(hidden, "A statement in a draft section.")
    main = get_ok(client, "/").find("main")
    assert "Secret plans" not in main.text
    assert "#secret-plans" not in main.hrefs()
    assert "A statement in a draft section." not in main.text


def test_scheduled_section_is_hidden_until_its_time(client, make_section):
    make_section("Next year", publish_at=timezone.now() + TOMORROW)
    assert "Next year" not in get_ok(client, "/").find("main").text


def test_draft_or_scheduled_statement_is_hidden(client, make_section, make_statement):
    section = make_section()
    make_statement(section, "Published words.")
    make_statement(section, "Draft words.", state=State.DRAFT)
    make_statement(section, "Future words.", publish_at=timezone.now() + TOMORROW)
    main = get_ok(client, "/").find("main")
    assert "Published words." in main.text
    assert "Draft words." not in main.text
    assert "Future words." not in main.text


# ---------------------------------------------------------------- licenses


def test_license_list_shows_each_license_with_what_it_is_used_for(client, make_license):
    make_license(
        "Apache-2.0",
        name="Apache License 2.0",
        family="permissive",
        osi_approved=True,
        fsf_libre=True,
        summary="The default for **new** projects.",
    )
    make_license(
        "BUSL-1.1", name="Business Source License 1.1", family="source_available"
    )
    main = get_ok(client, "/licenses/").find("main")
    apache, busl = main.find_all("li", "card")
    assert apache.find("h2").text == "Apache License 2.0"
    assert apache.find("h2").find("a").attrs["href"] == "/licenses/Apache-2.0/"
    assert apache.find("code").text == "Apache-2.0"
    badges = [badge.text for badge in apache.find_all("li", "badge")]
    assert badges == ["Permissive", "OSI approved", "FSF libre"]
    assert apache.find("strong").text == "new"
    assert [badge.text for badge in busl.find_all("li", "badge")] == [
        "Source-available"
    ]


def test_license_list_counts_only_published_projects(
    client, make_license, make_project
):
    make_license("MIT")
    make_project("Shown")
    make_project("Draft", state=State.DRAFT)
    make_project("Later", publish_at=timezone.now() + TOMORROW)
    card = get_ok(client, "/licenses/").find("li", "card")
    assert "1 project" in card.text
    assert "2 projects" not in card.text


def test_license_page_shows_its_facts_summary_and_full_text_link(client, make_license):
    make_license(
        "FSL-1.1-ALv2",
        name="Functional Source License 1.1",
        family="source_available",
        summary="Used for *our products*.",
        text_url="https://fsl.software/",
    )
    main = get_ok(client, "/licenses/FSL-1.1-ALv2/").find("main")
    assert main.find("h1").text == "Functional Source License 1.1"
    facts = dict(
        zip(
            [dt.text for dt in main.find_all("dt")],
            [dd.text for dd in main.find_all("dd")],
            strict=True,
        )
    )
    assert facts["SPDX id"] == "FSL-1.1-ALv2"
    assert facts["Family"] == "Source-available"
    assert facts["OSI approved"] == "No"
    assert "https://fsl.software/" in main.hrefs()
    assert main.find("em").text == "our products"


def test_license_page_lists_its_published_projects(client, make_license, make_project):
    make_license("MIT")
    make_project("Snuba", summary="A columnar storage service.")
    make_project("Draft", state=State.DRAFT)
    make_project("Later", publish_at=timezone.now() + TOMORROW)
    response = client.get("/licenses/MIT/")
    assert card_titles(response) == ["Snuba"]
    main = main_of(response)
    assert "/projects/snuba/" in main.hrefs()
    assert "A columnar storage service." in main.text
    assert "/projects/?license=MIT" not in main.hrefs()  # all of them are listed


def test_license_page_lists_the_first_projects_and_links_to_all(
    client, make_license, make_project, monkeypatch
):
    monkeypatch.setattr("licenses.views.PROJECTS_SHOWN", 2)
    make_license("MIT")
    make_project("Alpha")
    make_project("Beta", featured=True)
    make_project("Gamma")
    make_project("Draft", state=State.DRAFT)

    main = main_of(client.get("/licenses/MIT/"))

    assert card_titles(client.get("/licenses/MIT/")) == ["Beta", "Alpha"]
    link = main.find("a", href="/projects/?license=MIT")
    assert link.text == "See all 3 projects under MIT"


def test_license_id_in_another_case_redirects_to_its_address(client, make_license):
    make_license("Apache-2.0")
    response = client.get("/licenses/apache-2.0/")
    assert response.status_code == 301
    assert response["Location"] == "/licenses/Apache-2.0/"


def test_draft_or_scheduled_license_is_hidden(client, make_license, make_project):
    make_license("MIT", name="MIT License")
    make_license("GPL-3.0-only", name="GNU GPL v3", state=State.DRAFT)
    make_license(
        "Apache-2.0", name="Apache License", publish_at=timezone.now() + TOMORROW
    )
    make_project("Alpha", license_expression="MIT AND GPL-3.0-only AND Apache-2.0")
    assert client.get("/licenses/GPL-3.0-only/").status_code == 404
    assert client.get("/licenses/Apache-2.0/").status_code == 404
    assert client.get("/licenses/apache-2.0/").status_code == 404
    listed = get_ok(client, "/licenses/").find("main").text
    assert "MIT License" in listed
    assert "GNU GPL v3" not in listed
    assert "Apache License" not in listed
    for url in ["/projects/", "/projects/alpha/"]:
        main = get_ok(client, url).find("main")
        license_links = [h for h in main.hrefs() if h.startswith("/licenses/")]
        assert license_links == ["/licenses/MIT/"], url
    options = get_ok(client, "/projects/").find("select", name="license")
    assert [o.attrs["value"] for o in options.find_all("option")] == ["", "MIT"]


def test_unknown_license_is_not_found(client, db):
    assert client.get("/licenses/NOPE/").status_code == 404


# ---------------------------------------------------------------- directory


def test_directory_shows_each_project_with_its_facts(client, catalogue):
    page = get_ok(client, "/projects/")
    main = page.find("main")
    assert main.find("h2", "results-heading").text.startswith("2 projects")
    alpha = main.find_all("li", "card")[0]
    assert alpha.find("h3").text == "Alpha"
    assert alpha.find("h3").find("a").attrs["href"] == "/projects/alpha/"
    assert "An error-tracking SDK." in alpha.text
    facts = dict(
        zip(
            [dt.text for dt in alpha.find_all("dt")],
            alpha.find_all("dd"),
            strict=True,
        )
    )
    # A single license is shown once, as a chip linking to its page; its name
    # is read out, not shown.
    chip = facts["License"].find("a", "license-chip")
    assert chip.text == "MIT: MIT License"
    assert chip.find("span", "visually-hidden").text == ": MIT License"
    assert facts["License"].hrefs() == ["/licenses/MIT/"]
    assert facts["Category"].text == "SDK"
    assert facts["Languages"].text == "Python"
    assert facts["Status"].text == "Active"


def test_directory_form_is_labelled_and_uses_get(client, catalogue):
    form = get_ok(client, "/projects/").find("form", "filters")
    assert form.attrs["method"] == "get"
    labels = {label.attrs["for"] for label in form.find_all("label")}
    for name in ["q", "license", "category", "language", "status"]:
        control = form.find_all("input", name=name) or form.find_all(
            "select", name=name
        )
        assert control, name
        assert control[0].attrs["id"] in labels, name
    assert form.find("button").attrs["type"] == "submit"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("license=MIT", ["Alpha"]),
        ("license=Apache-2.0", ["Beta"]),
        ("category=backend", ["Beta"]),
        ("language=python", ["Alpha"]),
        ("status=archived", ["Beta"]),
        ("q=columnar", ["Beta"]),
        ("q=alpha", ["Alpha"]),
        ("license=MIT&language=python&status=active", ["Alpha"]),
        ("license=MIT&status=archived", []),
        ("", ["Alpha", "Beta"]),
    ],
)
def test_directory_filters(client, catalogue, query, expected):
    assert card_titles(client.get(f"/projects/?{query}")) == expected


def test_directory_form_keeps_the_chosen_filters(client, catalogue):
    form = get_ok(client, "/projects/?license=MIT&q=sdk").find("form", "filters")
    assert form.find("input", name="q").attrs["value"] == "sdk"
    options = form.find("select", name="license").find_all("option")
    selected = [
        option.attrs["value"] for option in options if "selected" in option.attrs
    ]
    assert selected == ["MIT"]


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("license=NOPE", "License"),
        ("status=zzz", "Status"),
        ("category=nope", "Category"),
        ("language=x", "Language"),
    ],
)
def test_unknown_filter_value_shows_a_message_and_no_results(
    client, catalogue, query, label
):
    response = client.get(f"/projects/?{query}")
    assert response.status_code == 200
    main = main_of(response)
    notice = main.find("div", "notice--error")
    value = query.split("=")[1]
    assert f"{label} “{value}”" in notice.text
    assert "Select a valid choice" in notice.text
    assert card_titles(response) == []
    field = main.find("div", "field--error")
    assert field.find("ul", "errorlist")


def test_empty_result_suggests_removing_a_filter(client, catalogue):
    response = client.get("/projects/?license=MIT&status=archived&page=1")
    main = main_of(response)
    assert main.find("h2", "results-heading").text.startswith("0 projects")
    empty = main.find("div", "empty")
    assert "No project matches these filters." in empty.text
    remove_links = {a.text: a.attrs["href"] for a in empty.find_all("a")}
    assert remove_links["Remove License: “MIT”"] == "/projects/?status=archived"
    assert remove_links["Remove Status: “archived”"] == "/projects/?license=MIT"
    assert remove_links["See all projects"] == "/projects/"


@pytest.fixture
def many_projects(make_license, make_project):
    make_license("MIT")
    make_license("Apache-2.0")
    for number in range(45):
        make_project(f"Mit {number:02d}", license_expression="MIT")
    make_project("Apache one", license_expression="Apache-2.0")


def test_pagination_links_keep_the_filters(client, many_projects):
    response = client.get("/projects/?license=MIT&q=mit&page=2")
    main = main_of(response)
    assert main.find("h2", "results-heading").text == "45 projects (page 2 of 3)"
    pagination = main.find("nav", "pagination")
    assert pagination.find("a", rel="prev").attrs["href"] == (
        "?license=MIT&q=mit&page=1"
    )
    assert pagination.find("a", rel="next").attrs["href"] == (
        "?license=MIT&q=mit&page=3"
    )
    assert "Page 2 of 3" in pagination.text


def test_pagination_without_filters_links_to_pages(client, many_projects):
    pagination = get_ok(client, "/projects/").find("nav", "pagination")
    assert pagination.find("a", rel="next").attrs["href"] == "?page=2"
    assert pagination.hrefs() == ["?page=2", "?page=3"]


def test_malformed_page_number_shows_the_first_page(client, many_projects):
    response = client.get("/projects/?page=abc")
    assert response.status_code == 200
    assert card_titles(response)[0] == "Apache one"
    assert "Page 1 of 3" in main_of(response).find("nav", "pagination").text


def test_page_number_past_the_end_shows_the_last_page(client, many_projects):
    response = client.get("/projects/?page=9999&license=MIT")
    assert response.status_code == 200
    assert card_titles(response) == [f"Mit {n:02d}" for n in range(40, 45)]
    assert "Page 3 of 3" in main_of(response).find("nav", "pagination").text


def test_directory_is_empty_when_nothing_is_published(client, db):
    main = main_of(client.get("/projects/"))
    assert main.find("h2", "results-heading").text == "0 projects"
    assert main.find_all("li", "card") == []


# ---------------------------------------------------------------- project page


def test_project_page_shows_everything_about_the_project(
    client, make_license, make_category, make_language, make_project
):
    make_license("Apache-2.0", name="Apache License 2.0")
    make_license("MIT", name="MIT License")
    make_project(
        "Relay",
        summary="A service that forwards events.",
        description="Relay is written in **Rust**.",
        license_expression="Apache-2.0 OR MIT",
        category=make_category("Backend"),
        languages=[make_language("Rust"), make_language("Python")],
        status=Project.Status.MAINTENANCE,
        repository_url="https://github.com/getsentry/relay",
        docs_url="https://docs.example.com/relay/",
    )
    page = get_ok(client, "/projects/relay/")
    main = page.find("main")
    assert main.find("h1").text == "Relay"
    assert "A service that forwards events." in main.find("p", "lede").text
    assert main.find("strong").text == "Rust"
    facts = dict(
        zip(
            [dt.text for dt in main.find_all("dt")],
            main.find_all("dd"),
            strict=True,
        )
    )
    assert facts["License"].find("code").text == "Apache-2.0 OR MIT"
    assert facts["License"].hrefs() == ["/licenses/Apache-2.0/", "/licenses/MIT/"]
    assert facts["Category"].text == "Backend"
    assert facts["Languages"].text == "Python, Rust"
    assert facts["Status"].text == "Maintenance only"
    links = {a.text: a.attrs["href"] for a in main.find("ul", "links").find_all("a")}
    assert links == {
        "Source code": "https://github.com/getsentry/relay",
        "Documentation": "https://docs.example.com/relay/",
    }
    assert page.find("meta", name="description").attrs["content"] == (
        "A service that forwards events."
    )


def test_project_page_without_links_shows_none(client, make_license, make_project):
    make_license("MIT")
    make_project("Plain")
    main = get_ok(client, "/projects/plain/").find("main")
    assert main.find_all("ul", "links") == []


def test_project_page_lists_published_releases_in_a_captioned_table(
    client, make_license, make_project, make_release
):
    make_license("MIT")
    make_license("BUSL-1.1")
    project = make_project("Snuba")
    make_release(project, "1.0.0", released_on=datetime.date(2022, 1, 10))
    make_release(
        project,
        "2.0.0",
        released_on=datetime.date(2023, 11, 15),
        license_expression="BUSL-1.1",
    )
    make_release(project, "3.0.0-draft", state=State.DRAFT)
    make_release(project, "3.0.0-future", publish_at=timezone.now() + TOMORROW)
    table = get_ok(client, "/projects/snuba/").find("table")
    assert "Snuba" in table.find("caption").text
    headers = [th.text for th in table.find("thead").find_all("th")]
    assert headers == [
        "Version",
        "Released on",
        "License",
        "Becomes open source",
        "Open source today",
    ]
    rows = [
        [cell.text for cell in row.elements()]
        for row in table.find("tbody").find_all("tr")
    ]
    # This BUSL-1.1 has no conversion terms: nothing says when it converts.
    assert rows == [
        ["2.0.0", "2023-11-15", "BUSL-1.1", "No conversion", "No"],
        ["1.0.0", "2022-01-10", "MIT", "No conversion", "Yes"],
    ]


def test_project_page_without_releases_says_so(client, make_license, make_project):
    make_license("MIT")
    make_project("New")
    main = get_ok(client, "/projects/new/").find("main")
    assert main.find_all("table") == []
    assert "No release has been published yet." in main.text


@pytest.fixture(params=["draft", "scheduled"])
def hidden_fields(request):
    """What makes a project invisible: a draft, or a publication still to come."""
    if request.param == "draft":
        return {"state": State.DRAFT}
    return {"publish_at": timezone.now() + TOMORROW}


def test_hidden_project_is_invisible_on_every_page(
    client, make_license, make_project, make_release, hidden_fields
):
    make_license("MIT")
    make_project("Shown")
    hidden = make_project("Hidden", **hidden_fields)
    make_release(hidden, "1.0.0")
    assert client.get("/projects/hidden/").status_code == 404
    for url in ["/", "/licenses/", "/licenses/MIT/", "/projects/", "/projects/shown/"]:
        main = get_ok(client, url).find("main")
        assert "Hidden" not in main.text, url
        assert "/projects/hidden/" not in main.hrefs(), url
    assert card_titles(client.get("/projects/?license=MIT")) == ["Shown"]
    assert card_titles(client.get("/projects/?q=hidden")) == []


# ---------------------------------------------------------------- error pages


def test_missing_page_shows_the_styled_not_found_page(client, site_settings):
    response = client.get("/projects/no-such-project/")
    assert response.status_code == 404
    page = parse(response)
    assert page.find("h1").text == "Page not found"
    assert page.find("title").text == "Page not found · Sentry"
    assert "/projects/" in page.find("main").hrefs()
    assert page.find("nav", "site-nav")


def test_server_error_page_needs_no_database_or_context():
    # No ``db`` fixture: pytest-django fails any database access in this test.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = parse(response)
    assert page.find("h1").text == "Something went wrong"
    assert page.find("main").attrs["id"] == "main"
    assert page.find("a").attrs["href"] == "/"


# ---------------------------------------------------------------- query counts
#
# Each page costs a fixed number of queries whatever the catalogue's size: the
# count is pinned with a few items, then checked again with many more. Every
# count includes the one query of the ``site`` context processor; the content
# version behind HTTP caching (``portal.http.caching``) costs none.


def assert_constant_queries(client, django_assert_num_queries, url, expected, grow):
    """``url`` costs ``expected`` queries now, and again after ``grow()``."""
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    grow()
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


@pytest.fixture
def fill_catalogue(make_license, make_category, make_language, make_project):
    """Add ``count`` projects with licenses, a category and languages each."""
    make_license("MIT")
    make_license("Apache-2.0")
    python, rust = make_language("Python"), make_language("Rust")
    counter = iter(range(10_000))

    def fill(count):
        for _ in range(count):
            number = next(counter)
            make_project(
                f"Project {number}",
                license_expression="Apache-2.0 OR MIT",
                category=make_category(f"Category {number}"),
                languages=[python, rust],
            )

    fill(3)
    return fill


def test_home_queries_do_not_grow_with_content(
    client, django_assert_num_queries, make_section, make_statement
):
    counter = iter(range(10_000))

    def add_sections(count):
        for _ in range(count):
            section = make_section(f"Section {next(counter)}", intro="Intro")
            for kind in [Statement.Kind.PARAGRAPH, Statement.Kind.GOAL]:
                make_statement(section, "Words", kind=kind)
            make_statement(
                section,
                "Quoted",
                kind=Statement.Kind.QUOTE,
                attribution_name="Someone",
            )

    add_sections(3)
    # Site settings, sections, their statements.
    assert_constant_queries(
        client, django_assert_num_queries, "/", 3, lambda: add_sections(15)
    )


def test_license_list_queries_do_not_grow(
    client, django_assert_num_queries, fill_catalogue, make_license
):
    def grow():
        for spdx_id in ["BSD-3-Clause", "GPL-3.0-only", "LGPL-2.1-only", "ISC"]:
            make_license(spdx_id)
        fill_catalogue(15)

    # Site settings, licenses with their project counts.
    assert_constant_queries(client, django_assert_num_queries, "/licenses/", 2, grow)


def test_license_page_queries_do_not_grow(
    client, django_assert_num_queries, fill_catalogue
):
    # Site settings, the license, its projects with their categories.
    assert_constant_queries(
        client,
        django_assert_num_queries,
        "/licenses/MIT/",
        3,
        lambda: fill_catalogue(15),
    )


def test_directory_queries_do_not_grow(
    client, django_assert_num_queries, fill_catalogue
):
    # Site settings, count, page of projects, their licenses and languages
    # (one query), the choices of the license, category and language
    # filters, and one count per facet (license, family, category, language,
    # status).
    assert_constant_queries(
        client, django_assert_num_queries, "/projects/", 12, lambda: fill_catalogue(15)
    )


def test_filtered_directory_queries_do_not_grow(
    client, django_assert_num_queries, fill_catalogue
):
    # As above, plus the lookups that validate the license and language values.
    assert_constant_queries(
        client,
        django_assert_num_queries,
        "/projects/?license=MIT&language=python",
        14,
        lambda: fill_catalogue(15),
    )


def test_project_page_queries_do_not_grow(
    client, django_assert_num_queries, fill_catalogue, make_release
):
    project = Project.objects.get(slug="project-0")
    counter = iter(range(10_000))

    def add_releases(count):
        for _ in range(count):
            make_release(project, f"1.{next(counter)}.0")

    add_releases(3)
    # Site settings, the project with its category, its licenses and its
    # languages (one query), its releases with their change licenses, its
    # license history. Whether each release is open source today costs no query.
    assert_constant_queries(
        client,
        django_assert_num_queries,
        "/projects/project-0/",
        5,
        lambda: add_releases(15),
    )


# ---------------------------------------------------------------- brand


@pytest.mark.parametrize("colour", ["#6c5fc7", "#ffff00", "#000000", "#ffffff"])
def test_any_accent_colour_reads_at_aa_in_both_schemes(colour):
    from portal.brand import DARK_PAGE, LIGHT_PAGE, accent_palette, contrast

    palette = accent_palette(colour)
    for scheme, page in (("light", LIGHT_PAGE), ("dark", DARK_PAGE)):
        accent = palette[scheme]["--color-accent"]
        soft = palette[scheme]["--color-accent-soft"]
        assert contrast(accent, page) >= 4.5, (colour, scheme)
        assert contrast(accent, soft) >= 4.5, (colour, scheme)


def test_the_brand_of_the_site_settings_shows_on_every_page(client, site_settings):
    site_settings.logo = "/static/portal/brand/demo-logo.svg"
    site_settings.accent_color = "#6c5fc7"
    site_settings.save()
    page = get_ok(client, "/licenses/")
    assert page.find("img", "site-logo").attrs["src"] == site_settings.logo
    sheets = [link.attrs["href"] for link in page.find_all("link", rel="stylesheet")]
    assert sheets == ["/static/portal/site.css", "/brand.css?accent=6c5fc7"]
    css = client.get("/brand.css").content.decode()
    assert css.startswith(":root{--color-accent:#")
    assert "prefers-color-scheme: dark" in css


def test_brand_settings_reject_what_the_site_could_not_show(site_settings):
    from django.core.exceptions import ValidationError

    site_settings.accent_color = "purple"
    site_settings.logo = "https://elsewhere.example/logo.svg"
    with pytest.raises(ValidationError) as error:
        site_settings.full_clean()
    assert set(error.value.message_dict) == {"accent_color", "logo"}


def test_a_date_printed_without_a_format_is_iso_8601(db):
    import datetime

    from django.template import Context, Template

    rendered = Template("{{ day }} {{ day|date }}").render(
        Context({"day": datetime.date(2023, 11, 15)})
    )
    assert rendered == "2023-11-15 2023-11-15"
