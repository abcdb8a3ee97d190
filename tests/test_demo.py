"""The demo content: the seed page rebuilt from records, loaded idempotently."""

import datetime
import html
from io import StringIO

from django.core.management import call_command

from licenses.models import License
from portal.demo import data, load_demo
from portal.models import Section, SiteSettings, Statement
from projects.models import Category, Language, Project, Release
from tests.helpers import SEED_HEADINGS

DEMO_MODELS = [Section, Statement, License, Category, Language, Project, Release]


GOALS = [
    "Anyone should be able to run Sentry for themselves or their business",
    "There should be no differences between our cloud service and our open-source "
    "product (no open-core model)",
    "There should be minimal limitations on usage of code; should be as free as "
    "possible",
    "There should be protections from other companies selling our work without "
    "giving back",
]

COMPARISON_PAIRS = [
    ("More Secure", "Security through obscurity"),
    ("Platform Extensible", "Narrowly Focused"),
    ("High Friction",),
]


def page_text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def snapshot():
    rows = {}
    for model in DEMO_MODELS:
        fields = ["pk", "updated_at"] if hasattr(model, "updated_at") else ["pk"]
        rows[model.__name__] = list(model.objects.order_by("pk").values_list(*fields))
    return rows


def test_loading_demo_twice_changes_nothing(demo):
    before = snapshot()

    second = load_demo()

    assert not second.changed
    assert snapshot() == before


def test_load_demo_command_reports_created_then_unchanged(db):
    first, second = StringIO(), StringIO()

    call_command("load_demo", stdout=first)
    call_command("load_demo", stdout=second)

    assert "projects: 11 created" in first.getvalue()
    assert "nothing changed" in second.getvalue()
    assert "0 created, 0 updated" in second.getvalue()


def test_loading_demo_again_restores_edited_demo_rows_and_keeps_editor_rows(demo):
    intro = Section.objects.get(slug="what-does-open-source-mean")
    Section.objects.filter(pk=intro.pk).update(title="Edited")
    extra = Statement.objects.create(
        section=intro, body="An editor's own words.", position=99
    )

    summary = load_demo()

    assert summary.counts["sections"]["updated"] == 1
    assert Section.objects.get(pk=intro.pk).title == (
        "What does Open Source actually mean?"
    )
    assert Statement.objects.filter(pk=extra.pk).exists()


def test_demo_content_is_all_published(demo):
    for model in [Section, Statement, License, Project, Release]:
        assert model.objects.published().count() == model.objects.count() > 0


def test_demo_rebuilds_every_section_of_the_seed_page(demo):
    assert Section.objects.count() == len(data.SECTIONS)
    assert Statement.objects.filter(kind=Statement.Kind.GOAL).count() == 4
    assert Statement.objects.filter(kind=Statement.Kind.COMPARISON).count() == 6
    assert Statement.objects.filter(kind=Statement.Kind.FAQ).count() == 2
    quotes = Statement.objects.filter(kind=Statement.Kind.QUOTE)
    assert sorted(quotes.values_list("attribution_name", flat=True)) == [
        "Ashesh Badani",
        "David Cramer",
    ]


def test_demo_sets_the_organisation_and_its_footer(demo):
    settings = SiteSettings.load()

    assert settings.organisation_name == "Sentry"
    assert settings.tagline == data.SITE_SETTINGS["tagline"]
    assert settings.tagline.startswith("Yes, We")
    assert "Functional Software, Inc." in settings.footer


def test_home_page_shows_the_seed_page_in_order(client, demo):
    text = page_text(client.get("/"))

    positions = [text.index(heading) for heading in SEED_HEADINGS]
    assert positions == sorted(positions)


def test_home_page_shows_the_quote_with_its_attribution(client, demo):
    text = page_text(client.get("/"))

    assert "We pride ourselves on delivering a unified, free, open-source" in text
    assert "David Cramer" in text
    assert "Founder & CTO" in text
    assert "Ashesh Badani" in text


def test_home_page_lists_the_four_goals(client, demo):
    text = page_text(client.get("/"))

    for goal in GOALS:
        assert goal in text


def test_home_page_shows_the_faq_and_its_answers(client, demo):
    text = page_text(client.get("/"))

    assert "Why not Open Core? Isn't that the same thing?" in text
    assert "No, not at all. The two are vastly different." in text
    assert "Why are we an Open Source company?" in text
    assert "there is no other choice but open source" in text


def test_home_page_shows_the_open_vs_proprietary_pairs(client, demo):
    text = page_text(client.get("/"))

    for pair in COMPARISON_PAIRS:
        for title in pair:
            assert title in text
        if len(pair) == 2:
            assert text.index(pair[0]) < text.index(pair[1])


def test_license_list_shows_the_three_licenses_of_the_page(client, demo):
    text = page_text(client.get("/licenses/"))

    for spdx_id in ["Apache-2.0", "MIT", "BUSL-1.1"]:
        assert spdx_id in text


def test_demo_source_available_licenses_convert(demo):
    busl = License.objects.get(spdx_id="BUSL-1.1")
    fsl = License.objects.get(spdx_id="FSL-1.1-MIT")

    # BUSL-1.1's text fixes its cap only; the change license and date are each
    # grant's.
    assert (busl.change_license, busl.change_period_months) == (None, None)
    assert busl.change_cap_months == 48
    snuba = Release.objects.get(project__slug="snuba", version="23.11.0")
    assert (snuba.converts_on, snuba.converts_to) == (
        datetime.date(2026, 11, 15),
        "Apache-2.0",
    )
    assert (fsl.change_license.spdx_id, fsl.change_period_months) == ("MIT", 24)


def test_demo_shows_a_project_whose_change_license_is_not_apache(client, demo):
    release = Release.objects.get(project__slug="sample-edge-proxy")
    assert (release.converts_on, release.converts_to) == (
        datetime.date(2028, 6, 3),
        "MPL-2.0",
    )
    page = client.get("/projects/sample-edge-proxy/").content.decode()
    assert "<code>MPL-2.0</code> on" in page and "Sample data" in page


def test_demo_projects_are_linked_to_the_licenses_they_name(demo):
    snuba = Project.objects.get(slug="snuba")
    symbolicator = Project.objects.get(slug="symbolicator")

    assert [lic.spdx_id for lic in snuba.licenses.all()] == ["FSL-1.1-ALv2"]
    assert [lic.spdx_id for lic in symbolicator.licenses.all()] == ["FSL-1.1-MIT"]
    assert snuba.repository_url == "https://github.com/getsentry/snuba"


def test_snuba_page_shows_its_release(client, demo):
    text = page_text(client.get("/projects/snuba/"))

    # The description names the version too: the release list must add to it.
    description = Project.objects.get(slug="snuba").description
    assert text.count("23.11.0") > description.count("23.11.0")
    assert "24.3.0" in text


def test_api_gives_snuba_release_with_date_and_license(api_client, demo):
    response = api_client.get("/api/v1/projects/snuba/")

    assert response.status_code == 200
    releases = {r["version"]: r for r in response.json()["releases"]}
    assert releases["23.11.0"]["released_on"] == "2023-11-15"
    assert releases["23.11.0"]["license_expression"] == "BUSL-1.1"


def test_each_demo_project_is_one_version_with_its_languages(demo):
    snuba = Project.objects.get(slug="snuba")

    (version,) = snuba.history.all()

    assert version.history_type == "+"
    assert sorted(row.language.slug for row in version.languages.all()) == sorted(
        language.slug for language in snuba.languages.all()
    )
    assert version.languages.exists()
