"""How readers, feed readers and search engines find the site: Atom feeds, the
sitemap, robots.txt, canonical and OpenGraph metadata, schema.org JSON-LD and the
favicon. Feeds and the sitemap are read with a real XML parser (ElementTree)."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from portal.models import Statement
from portal.publishing.models import State
from tests.helpers import get_ok, parse

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
TOMORROW = timezone.timedelta(days=1)


def xml(response) -> ET.Element:
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314 (our own response)


def entry_titles(feed: ET.Element) -> list[str]:
    return [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]


@pytest.fixture
def content(make_license, make_project, make_section, make_statement):
    make_license("MIT", name="MIT License")
    make_license("GPL-3.0-only", name="Draft license", state=State.DRAFT)
    make_project(
        "Alpha",
        summary="The first project.",
        repository_url="https://example.com/alpha",
    )
    make_project("Beta", summary="The second project.")
    make_project("Hidden", state=State.DRAFT)
    make_project("Later", publish_at=timezone.now() + TOMORROW)
    goals = make_section("Goals")
    make_statement(goals, "We share our code.", title="Sharing")
    make_statement(goals, "Draft words.", title="Draft statement", state=State.DRAFT)
    hidden = make_section("Secret", state=State.DRAFT)
    make_statement(hidden, "In a draft section.", title="Secret statement")


# ---------------------------------------------------------------- feeds


def test_project_feed_lists_published_projects_latest_update_first(client, content):
    beta = content_project("beta")
    beta.summary = "Updated just now."
    beta.save()
    response = client.get("/projects/feed.atom")
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = xml(response)
    assert feed.findtext(f"{ATOM}title") == "Our organisation: new and updated projects"
    assert entry_titles(feed) == ["Beta", "Alpha"]
    entry = feed.find(f"{ATOM}entry")
    assert (
        entry.find(f"{ATOM}link").attrib["href"] == "http://testserver/projects/beta/"
    )
    assert entry.findtext(f"{ATOM}summary") == "Updated just now."
    assert entry.findtext(f"{ATOM}updated") >= entry.findtext(f"{ATOM}published")


def content_project(slug):
    from projects.models import Project

    return Project.objects.get(slug=slug)


def test_statement_feed_lists_published_statements(client, content):
    feed = xml(client.get("/statements/feed.atom"))
    assert entry_titles(feed) == ["Sharing"]
    entry = feed.find(f"{ATOM}entry")
    statement = Statement.objects.get(title="Sharing")
    assert entry.find(f"{ATOM}link").attrib["href"] == (
        f"http://testserver/#statement-{statement.pk}"
    )
    assert "We share our code." in entry.findtext(f"{ATOM}summary")


def test_every_page_links_the_feeds_in_its_head(client, content):
    head = get_ok(client, "/licenses/").find("head")
    feeds = {
        link.attrs["href"]: link.attrs["type"]
        for link in head.find_all("link", rel="alternate")
    }
    assert feeds == {
        "/projects/feed.atom": "application/atom+xml",
        "/statements/feed.atom": "application/atom+xml",
    }


@pytest.mark.parametrize(
    ("url", "grow"),
    [("/projects/feed.atom", "projects"), ("/statements/feed.atom", "statements")],
)
def test_feeds_cost_a_fixed_number_of_queries(
    client, django_assert_num_queries, content, make_project, make_statement, url, grow
):
    from portal.models import Section

    def add(count):
        for number in range(count):
            if grow == "projects":
                make_project(f"More {number}")
            else:
                make_statement(Section.objects.get(slug="goals"), f"More {number}.")

    # Content version, site settings, the items.
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200
    add(20)
    with django_assert_num_queries(2):
        assert client.get(url + "?again").status_code == 200


# ---------------------------------------------------------------- sitemap, robots


def sitemap_parts(client) -> list[str]:
    """The addresses of the parts the sitemap index names, in its order."""
    index = xml(client.get("/sitemap.xml"))
    assert index.tag == f"{SITEMAP}sitemapindex"
    return [
        part.findtext(f"{SITEMAP}loc").removeprefix("http://testserver")
        for part in index
    ]


def sitemap_urls(client) -> list[ET.Element]:
    return [url for part in sitemap_parts(client) for url in xml(client.get(part))]


def test_sitemap_lists_every_published_page_and_no_draft(client, content):
    sitemap = sitemap_urls(client)
    locations = [url.findtext(f"{SITEMAP}loc") for url in sitemap]
    paths = [location.removeprefix("http://testserver") for location in locations]
    assert paths[:5] == [
        "/",
        "/licenses/",
        "/projects/",
        "/conversions/",
        "/licenses/compare/",
    ]
    assert set(paths[5:]) == {"/licenses/MIT/", "/projects/alpha/", "/projects/beta/"}
    lastmods = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in sitemap
    }
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d", lastmods["http://testserver/projects/alpha/"]
    )


def test_sitemap_index_names_one_part_per_section_and_page(
    client, content, make_project, monkeypatch
):
    monkeypatch.setattr("projects.sitemaps.ProjectSitemap.limit", 2)
    make_project("Gamma")
    assert sitemap_parts(client) == [
        "/sitemap-pages.xml",
        "/sitemap-licenses.xml",
        "/sitemap-projects.xml",
        "/sitemap-projects.xml?p=2",
    ]
    second = xml(client.get("/sitemap-projects.xml?p=2"))
    assert [url.findtext(f"{SITEMAP}loc") for url in second] == [
        "http://testserver/projects/gamma/"
    ]
    assert client.get("/sitemap-projects.xml?p=3").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_sitemap_costs_a_fixed_number_of_queries_per_part(
    client, django_assert_num_queries, content, make_project, make_license, monkeypatch
):
    monkeypatch.setattr("projects.sitemaps.ProjectSitemap.limit", 5)
    for number in range(12):
        make_project(f"More {number}")
    make_license("Apache-2.0")
    # The index: per section of records, its count and its latest change.
    with django_assert_num_queries(4):
        assert len(sitemap_parts(client)) == 5
    # A part: the count of its section and its page.
    for part in ("/sitemap-projects.xml?p=3", "/sitemap-licenses.xml"):
        with django_assert_num_queries(2):
            assert client.get(part).status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/sitemap-pages.xml").status_code == 200


def test_sitemap_index_dates_each_section_by_its_latest_change(client, content):
    index = xml(client.get("/sitemap.xml"))
    lastmods = {
        part.findtext(f"{SITEMAP}loc"): part.findtext(f"{SITEMAP}lastmod")
        for part in index
    }
    assert lastmods["http://testserver/sitemap-pages.xml"] is None
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT.*", lastmods["http://testserver/sitemap-projects.xml"]
    )


def test_robots_txt_allows_all_but_the_admin_and_names_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Allow: /" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_the_favicon_is_linked_and_the_old_address_redirects_to_it(client, db):
    icon = get_ok(client, "/").find("link", rel="icon")
    assert icon.attrs == {
        "rel": "icon",
        "href": "/static/portal/favicon.svg",
        "type": "image/svg+xml",
    }
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/portal/favicon.svg"
    svg = client.get("/static/portal/favicon.svg")
    assert svg.status_code == 200
    assert b"<svg" in b"".join(svg.streaming_content)


# ---------------------------------------------------------------- page metadata


PAGES = [
    ("/", "Our open-source philosophy"),
    ("/licenses/", "Licenses"),
    ("/licenses/MIT/", "MIT License (MIT)"),
    ("/licenses/compare/", "Compare licenses"),
    ("/licenses/check/", "Check a license expression"),
    ("/projects/", "Projects"),
    ("/projects/alpha/", "Alpha"),
    ("/conversions/", "Conversions"),
    ("/search/", "Search"),
]


def meta(page, prop):
    return page.find("meta", property=prop).attrs["content"]


@pytest.mark.parametrize(("url", "title"), PAGES)
def test_every_page_has_a_canonical_address_and_opengraph_tags(
    client, content, url, title
):
    page = get_ok(client, url + "?utm_source=x")
    canonical = page.find("link", rel="canonical").attrs["href"]
    assert canonical == f"http://testserver{url}"
    assert meta(page, "og:url") == canonical
    assert meta(page, "og:title") == title
    assert meta(page, "og:site_name") == "Our organisation"
    assert meta(page, "og:type") == "website"
    assert meta(page, "og:description").strip()


def test_a_later_page_of_the_directory_is_its_own_canonical_page(
    client, make_license, make_project
):
    make_license("MIT")
    for number in range(25):
        make_project(f"Item {number}")
    page = get_ok(client, "/projects/?page=2&license=MIT")
    assert page.find("link", rel="canonical").attrs["href"] == (
        "http://testserver/projects/?page=2"
    )


def test_title_and_descriptions_come_from_the_summaries(client, content, make_license):
    make_license(
        "Apache-2.0",
        name="Apache License 2.0",
        summary="The **default** for new projects.",
    )
    page = get_ok(client, "/projects/alpha/")
    assert page.find("title").text == "Alpha · Projects · Our organisation"
    assert page.find("meta", name="description").attrs["content"] == (
        "The first project."
    )
    assert meta(page, "og:description") == "The first project."
    page = get_ok(client, "/licenses/Apache-2.0/")
    assert page.find("meta", name="description").attrs["content"] == (
        "The default for new projects."
    )


def test_the_not_found_page_is_not_indexed_and_names_no_canonical(client, db):
    page = parse(client.get("/projects/nope/"))
    assert page.find("meta", name="robots").attrs["content"] == "noindex"
    assert page.find_all("link", rel="canonical") == []


# ---------------------------------------------------------------- JSON-LD


def json_ld(response) -> dict:
    content = response.content.decode()
    match = re.search(
        r'<script type="application/ld\+json" nonce="([^"]+)">(.*?)</script>',
        content,
        re.S,
    )
    assert match, "no JSON-LD block with a nonce"
    nonce, body = match.groups()
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    return json.loads(body)


def test_project_page_describes_its_source_code_for_search_engines(
    client, make_license, make_language, make_project
):
    make_license("MIT", name="MIT License")
    make_license("LicenseRef-Acme", name="Acme License", family="other")
    make_project(
        "Relay",
        summary="Forwards events.",
        license_expression="LicenseRef-Acme OR MIT",
        repository_url="https://github.com/getsentry/relay",
        languages=[make_language("Rust")],
    )
    data = json_ld(client.get("/projects/relay/"))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "SoftwareSourceCode"
    assert data["name"] == "Relay"
    assert data["description"] == "Forwards events."
    assert data["codeRepository"] == "https://github.com/getsentry/relay"
    assert data["url"] == "http://testserver/projects/relay/"
    assert data["programmingLanguage"] == ["Rust"]
    assert sorted(data["license"]) == [
        # An SPDX license by its text on the SPDX list; the organisation's own
        # by its page on the portal.
        "http://testserver/licenses/LicenseRef-Acme/",
        "https://spdx.org/licenses/MIT.html",
    ]


def test_json_ld_cannot_be_closed_by_what_an_editor_writes(
    client, make_license, make_project
):
    make_license("MIT")
    make_project("Sly", summary='</script><script>alert("x")</script> & more')
    response = client.get("/projects/sly/")
    content = response.content.decode()
    head = content.split("</head>")[0]
    assert head.count("</script>") == 1
    assert "\\u003C/script\\u003E" in head
    assert json_ld(response)["description"].startswith("</script><script>")


def test_a_project_page_rendered_twice_has_the_same_etag(client, content, settings):
    # The nonce differs between renderings; the ETag leaves it out.
    settings.PAGE_CACHE_SECONDS = 0
    first, second = client.get("/projects/alpha/"), client.get("/projects/alpha/")
    assert first.content != second.content
    assert first["ETag"] == second["ETag"]
