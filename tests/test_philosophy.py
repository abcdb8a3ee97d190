"""The philosophy page against the seed page it rebuilds (the demo content), its
license section, and the error pages that must work without a database."""

import datetime

import pytest
from django.db import connection
from django.template import loader
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from licenses.expressions import check_expression
from licenses.models import Family, License
from portal.publishing.models import State
from portal.publishing.policy import SYSTEM
from portal.views import licenses_in_use
from projects.imports import import_catalogue, read_file
from projects.models import LicenseUsage, Project, Release
from projects.services import license_conversions_refresh, project_save
from tests.helpers import SEED_HEADINGS, get_ok, parse

TOMORROW = timezone.timedelta(days=1)


def headings(page) -> list[str]:
    main = page.find("main")
    found = []

    def walk(node):
        for child in node.elements():
            if child.tag in {"h1", "h2", "h3", "h4"}:
                found.append(child.text)
            walk(child)

    walk(main)
    return found


def test_every_seed_heading_is_on_the_page_in_the_seed_order(client, demo):
    page = get_ok(client, "/")
    shown = headings(page)
    positions = [shown.index(heading) for heading in SEED_HEADINGS]
    assert positions == sorted(positions), shown
    assert page.find("p", "lede").text == "Yes, We\u2019re Open (Source)"


def test_the_demo_page_shows_each_kind_of_statement_as_it_should(client, demo):
    main = get_ok(client, "/").find("main")
    toc = main.find("nav", "toc")
    sections = main.find_all("section", "philosophy-section")
    assert toc.hrefs() == [f"#{section.attrs['id']}" for section in sections]
    figure = main.find("figure", "quote")
    assert figure.find("blockquote").text.startswith("We pride ourselves")
    assert figure.find("cite").text == "David Cramer"
    goals = main.find("ul", "goals").find_all("li")
    assert len(goals) == 4
    assert goals[0].text.startswith("Anyone should be able to run Sentry")
    faq = main.find_all("div", "faq")
    assert [f.find("h3").text for f in faq] == [
        "Why not Open Core? Isn't that the same thing?",
        "Why are we an Open Source company?",
    ]
    pairs = [
        [card.find("h3").text for card in comparison.find_all("div", "card")]
        for comparison in main.find_all("div", "comparison")
    ]
    assert ["More Secure", "Security through obscurity"] in pairs
    assert len(pairs) == 6


def test_the_license_section_lists_each_license_with_its_projects(client, demo):
    section = get_ok(client, "/").find("section", id="licenses")
    items = section.find_all("li", "license-usage__item")
    names = [item.find("h4").text for item in items]
    assert names[:2] == ["Apache License 2.0", "MIT License"]
    busl = items[names.index("Business Source License 1.1")]
    assert "/licenses/BUSL-1.1/" in busl.hrefs()
    assert "Used by" in busl.text
    mit = items[names.index("MIT License")]
    assert "All SDKs use it." in mit.text
    assert "/projects/sentry-python/" in mit.hrefs()


@pytest.fixture
def licenses_section(make_section, make_license, make_project):
    make_section("The licenses we use", slug="licenses", shows_licenses=True)
    make_license("MIT", name="MIT License", summary="For our **SDKs**.")
    make_license("BUSL-1.1", family=Family.SOURCE_AVAILABLE)
    make_license("GPL-3.0-only", name="Draft license", state=State.DRAFT)
    make_project("Shown", license_expression="MIT")
    make_project("Hidden", license_expression="MIT", state=State.DRAFT)
    make_project(
        "Later", license_expression="MIT", publish_at=timezone.now() + TOMORROW
    )


def test_the_license_list_shows_only_what_is_published(client, licenses_section):
    section = get_ok(client, "/").find("section", id="licenses")
    items = section.find_all("li", "license-usage__item")
    # BUSL-1.1 is published but no published project is under it or turns
    # into it: not a license "we use".
    assert [item.find("h4").text for item in items] == ["MIT License"]
    (mit,) = items
    assert mit.find("strong").text == "SDKs"
    assert [a.text for a in mit.find("ul", "tag-list").find_all("a")] == ["Shown"]
    assert "Used by 1 project" in mit.text
    assert section.find("h3", id="licenses-in-use").text == (
        "Here is the 1 license we use:"
    )


def test_the_default_license_is_marked_and_listed_even_before_use(
    client, licenses_section, make_license
):
    make_license("Apache-2.0", name="Apache License 2.0", is_default=True)
    section = get_ok(client, "/").find("section", id="licenses")
    items = section.find_all("li", "license-usage__item")
    apache = items[[item.find("h4").text for item in items].index("Apache License 2.0")]
    assert "Our default license" in apache.find("ul", "badges").text
    assert "No published project is under it yet." in apache.text
    assert "Our default license" not in items[0].text


def test_the_philosophy_page_counts_match_its_data(client, demo):
    """Every number the licenses section states is the records' number."""
    section = get_ok(client, "/").find("section", id="licenses")
    items = section.find_all("li", "license-usage__item")
    heading = section.find("h3", id="licenses-in-use").text
    assert heading == f"Here are the {len(items)} licenses we use:"
    in_use = {
        spdx_id
        for project in Project.objects.published().prefetch_related("licenses")
        for spdx_id in project.licenses.values_list("spdx_id", flat=True)
    }
    turned_into = {
        spdx_id
        for expression in Release.objects.published()
        .exclude(converts_to="")
        .values_list("converts_to", flat=True)
        for spdx_id in check_expression(expression).license_ids
    } & set(License.objects.published().values_list("spdx_id", flat=True))
    shown = [item.find("code", "license-chip").text for item in items]
    assert set(shown) == in_use | turned_into | {"Apache-2.0"}
    for item, spdx_id in zip(items, shown, strict=True):
        count = Project.objects.published().filter(licenses__spdx_id=spdx_id).count()
        if count:
            assert f"Used by {count} project" in item.text, spdx_id
        names = [
            a.text for ul in item.find_all("ul", "tag-list") for a in ul.find_all("a")
        ]
        assert len(names) == min(count, 8), spdx_id
    # The seed's default license is marked, and a project's releases turn into it.
    apache = items[shown.index("Apache-2.0")]
    assert "Our default license" in apache.text
    assert "No published project" not in apache.text
    assert "Releases of 3 projects turn into it." in apache.text


def test_the_seed_text_links_contact_and_blog_to_the_site_settings(client, demo):
    main = get_ok(client, "/").find("main")
    links = {a.text: a.attrs["href"] for a in main.find_all("a")}
    assert links["reach out to us"] == "/contact/"
    assert links["on our blog"] == "/blog/"
    assert client.get("/contact/").headers["Location"] == "mailto:licensing@sentry.io"
    assert client.get("/blog/").headers["Location"] == "https://blog.sentry.io/"


def test_contact_and_blog_are_not_found_until_set(client, db):
    assert client.get("/contact/").status_code == 404
    assert client.get("/blog/").status_code == 404


def test_many_projects_under_a_license_link_to_the_directory(
    client, licenses_section, make_project
):
    for number in range(10):
        make_project(f"More {number}", license_expression="MIT")
    section = get_ok(client, "/").find("section", id="licenses")
    mit = section.find_all("li", "license-usage__item")[0]
    assert len(mit.find("ul", "tag-list").find_all("li")) == 8
    assert "/projects/?license=MIT" in mit.hrefs()
    assert "See all 11 projects under MIT" in mit.text


def mit_usage(client) -> tuple[str, list[str]]:
    """What the philosophy page says of MIT: its "Used by" line and the names
    of the projects it lists."""
    section = get_ok(client, f"/?{next(_pages)}").find("section", id="licenses")
    mit = next(
        (
            item
            for item in section.find_all("li", "license-usage__item")
            if item.find("h4").text == "MIT License"
        ),
        None,
    )
    if mit is None:
        # No published project under it or turning into it: not "in use".
        return NOT_LISTED, []
    labels = mit.find_all("p", "license-usage__label")
    if not labels:
        return mit.find("p", "muted").text, []
    return labels[0].text, [a.text for a in mit.find("ul", "tag-list").find_all("a")]


NOT_LISTED = "not listed"

# A new address for every read: the page cache answers none of them.
_pages = iter(range(10**6))


def test_the_license_section_follows_every_change_to_a_project(
    client, licenses_section, make_project
):
    assert mit_usage(client) == ("Used by 1 project:", ["Shown"])
    other = make_project("Another", license_expression="MIT", featured=True)
    assert mit_usage(client) == ("Used by 2 projects:", ["Another", "Shown"])
    other.license_expression = "BUSL-1.1"
    project_save(project=other)
    assert mit_usage(client) == ("Used by 1 project:", ["Shown"])
    shown = Project.objects.get(slug="shown")
    shown.state = State.DRAFT
    project_save(project=shown)
    assert mit_usage(client) == (NOT_LISTED, [])
    hidden = Project.objects.get(slug="hidden")
    hidden.state = State.PUBLISHED
    # As the admin's publish action saves it: the state alone.
    hidden.save(update_fields=["state", "updated_at"])
    assert mit_usage(client) == ("Used by 1 project:", ["Hidden"])
    hidden.delete()
    assert mit_usage(client) == (NOT_LISTED, [])


def test_the_license_section_counts_a_scheduled_project_from_its_moment(
    licenses_section, make_project
):
    make_project(
        "Retired", license_expression="MIT", unpublish_at=timezone.now() + TOMORROW
    )

    def mit(at):
        (license_,) = [item for item in licenses_in_use(at=at) if item.spdx_id == "MIT"]
        return license_.project_count, [p.name for p in license_.listed_projects]

    assert mit(timezone.now()) == (2, ["Retired", "Shown"])
    assert mit(timezone.now() + 2 * TOMORROW) == (2, ["Later", "Shown"])


def test_the_license_section_counts_projects_linked_when_their_license_arrives(
    client, make_section, make_license, make_project
):
    make_section("The licenses we use", slug="licenses", shows_licenses=True)
    make_project("Early", license_expression="MIT")
    make_license("MIT", name="MIT License")
    assert mit_usage(client) == ("Used by 1 project:", ["Early"])


def test_an_import_keeps_the_license_section_counts(client, licenses_section):
    rows = read_file(
        b"slug,name,summary,license_expression,state\n"
        b"one,One,The first.,MIT,published\n"
        b"two,Two,The second.,MIT OR BUSL-1.1,published\n",
        "csv",
    )
    assert not import_catalogue(rows, fmt="csv", user=SYSTEM).errors
    label, names = mit_usage(client)
    assert label == "Used by 3 projects:"
    assert set(names) == {"One", "Two", "Shown"}


def mit_converting(at=None) -> int:
    """How many published projects have a published release turning into MIT,
    as the philosophy page counts them at ``at``."""
    (mit,) = [item for item in licenses_in_use(at=at) if item.spdx_id == "MIT"]
    return mit.converting_count


@pytest.fixture
def busl_to_mit(make_project, make_release):
    """A published BUSL-1.1 project whose releases turn into MIT."""

    def make(name, version="1.0", project_fields=None, **release_fields):
        project = make_project(
            name,
            license_expression="BUSL-1.1",
            terms={"change_license": "MIT", "change_after_months": 36},
            **(project_fields or {}),
        )
        release = make_release(
            project, version, released_on=datetime.date(2024, 2, 29), **release_fields
        )
        assert release.converts_to == "MIT"
        return project, release

    return make


def test_the_conversions_count_follows_every_change_to_a_release(
    client, licenses_section, busl_to_mit, make_release
):
    assert mit_converting() == 0
    relay, first = busl_to_mit("Relay")
    assert mit_converting() == 1
    mit = get_ok(client, f"/?{next(_pages)}").find("section", id="licenses")
    assert "Releases of 1 project turn into it." in mit.text
    second = make_release(relay, "2.0", released_on=datetime.date(2024, 3, 1))
    first.state = State.DRAFT
    first.save()
    assert mit_converting() == 1
    second.delete()
    assert mit_converting() == 0
    first.state = State.PUBLISHED
    # As the admin's publish action saves it: the state alone.
    first.save(update_fields=["state", "updated_at"])
    assert mit_converting() == 1
    relay.state = State.DRAFT
    project_save(project=relay)
    assert mit_converting() == 0
    relay.state = State.PUBLISHED
    relay.save(update_fields=["state", "updated_at"])
    assert mit_converting() == 1
    first.license_expression = "MIT"
    first.full_clean()
    first.save()
    assert mit_converting() == 0
    busl_to_mit("Snuba")
    Project.objects.get(slug="snuba").delete()
    assert mit_converting() == 0


def test_the_conversions_count_is_exact_to_the_second_of_a_schedule(
    licenses_section, busl_to_mit
):
    now = timezone.now()
    busl_to_mit("Steady")
    busl_to_mit("Coming", publish_at=now + TOMORROW)
    busl_to_mit("Leaving", project_fields={"unpublish_at": now + 3 * TOMORROW})
    assert mit_converting(now) == 2  # Steady, Leaving
    assert mit_converting(now + 2 * TOMORROW) == 3
    assert mit_converting(now + 4 * TOMORROW) == 2  # Steady, Coming
    # Only what no passing time changes is kept.
    usage = LicenseUsage.objects.get(license__spdx_id="MIT")
    assert usage.unscheduled_converting_count == 1


def test_the_conversions_count_holds_for_a_license_that_arrives_later(
    licenses_section, make_license, make_project, make_release
):
    project = make_project(
        "Relay",
        license_expression="BUSL-1.1",
        terms={"change_license": "MPL-2.0", "change_after_months": 36},
    )
    make_release(project, "1.0", released_on=datetime.date(2024, 2, 29))
    assert "MPL-2.0" not in [item.spdx_id for item in licenses_in_use()]
    make_license("MPL-2.0")
    (mpl,) = [item for item in licenses_in_use() if item.spdx_id == "MPL-2.0"]
    assert (mpl.project_count, mpl.converting_count) == (0, 1)


def test_an_import_keeps_the_conversions_count(client, licenses_section):
    rows = read_file(
        b"slug,name,summary,license_expression,state,releases,change_license,"
        b"change_after_months\n"
        b"one,One,The first.,BUSL-1.1,published,1.0|2024-02-29|BUSL-1.1,MIT,36\n"
        b"two,Two,The second.,BUSL-1.1,draft,1.0|2024-02-29|BUSL-1.1,MIT,36\n",
        "csv",
    )
    report = import_catalogue(rows, fmt="csv", user=SYSTEM)
    assert not report.errors, report.errors
    assert mit_converting() == 1


def test_the_conversions_count_is_kept_in_a_fixed_number_of_queries(
    licenses_section, busl_to_mit, django_assert_num_queries
):
    for number in range(11):
        busl_to_mit(f"More {number}")
    # The licenses, the distinct change expressions, the counts, the writing.
    with django_assert_num_queries(4):
        license_conversions_refresh()
    assert mit_converting() == 11


def test_a_schedule_on_a_release_turning_into_nothing_is_still_counted(
    licenses_section, busl_to_mit, make_release
):
    # The release turns into nothing, but its schedule makes its project's
    # count one read live: the kept count must let go of the project.
    now = timezone.now()
    relay, _ = busl_to_mit("Relay")
    plain = make_release(
        relay, "0.9", license_expression="MIT", released_on=datetime.date(2023, 1, 2)
    )
    assert plain.converts_to == ""
    assert LicenseUsage.objects.get(license__spdx_id="MIT").unscheduled_converting_count
    plain.unpublish_at = now + 2 * TOMORROW
    plain.save()
    usage = LicenseUsage.objects.get(license__spdx_id="MIT")
    assert usage.unscheduled_converting_count == 0
    assert mit_converting(now) == 1
    assert mit_converting(now + 3 * TOMORROW) == 1


def test_a_write_that_turns_nothing_into_a_license_recounts_nothing(
    licenses_section, busl_to_mit, make_release, make_license
):
    relay, converting = busl_to_mit("Relay")
    with CaptureQueriesContext(connection) as queries:
        plain = make_release(
            relay,
            "0.9",
            license_expression="MIT",
            released_on=datetime.date(2023, 1, 2),
        )
        plain.state = State.DRAFT
        plain.save()
        plain.delete()
        make_license("ISC")  # no release names it
        mit = License.objects.get(spdx_id="MIT")
        mit.name = "The MIT License"
        mit.save()
    assert not [q for q in queries if "licenseusage" in q["sql"].lower()]
    # A write of a release that turns into a license still recounts.
    with CaptureQueriesContext(connection) as queries:
        converting.state = State.DRAFT
        converting.save()
    assert [q for q in queries if "licenseusage" in q["sql"].lower()]
    assert mit_converting() == 0


def test_the_license_section_costs_a_fixed_number_of_queries(
    client, django_assert_num_queries, licenses_section, make_license, make_project
):
    # Site settings, sections, statements, licenses with their kept usage,
    # the scheduled projects, the conversions per change license, the first
    # projects of each license.
    with django_assert_num_queries(7):
        assert client.get("/").status_code == 200
    for spdx_id in ["Apache-2.0", "ISC", "BSD-3-Clause"]:
        make_license(spdx_id)
    for number in range(20):
        make_project(f"More {number}", license_expression="MIT OR ISC")
    with django_assert_num_queries(7):
        assert client.get("/?again").status_code == 200


# ---------------------------------------------------------------- error pages


def test_the_500_page_renders_from_an_empty_context_without_queries():
    # No ``db`` fixture: pytest-django fails any database access, so this also
    # proves that rendering makes no query.
    html = loader.get_template("500.html").render({})
    page = parse(type("Response", (), {"content": html.encode()}))
    assert page.find("h1").text == "Something went wrong"
    links = {link.attrs["rel"]: link.attrs["href"] for link in page.find_all("link")}
    assert links == {
        "icon": "/static/portal/favicon.svg",
        "stylesheet": "/static/errors/error.css",
    }
    assert page.find_all("script") == []
    assert "style=" not in html


def test_the_404_page_is_the_site_page_with_links_onwards(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = parse(response)
    assert page.find("h1").text == "Page not found"
    assert {"/", "/licenses/", "/projects/"} <= set(page.find("main").hrefs())
    assert page.find("form", "site-search")
