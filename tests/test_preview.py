"""The admin's preview: an editor sees a draft on its public page exactly as readers
will, under a banner, never indexed nor cached, while readers and the API still get
a 404 for it (``portal.publishing.previews``).
"""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from licenses.models import License
from portal.models import Section, Statement
from portal.publishing.models import State
from projects.models import Category, Project, Release
from tests.helpers import parse

NEVER_CACHE = {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}
NOINDEX_META = '<meta name="robots" content="noindex, nofollow">'


def admin_url(obj, view):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk])


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@dataclass
class Draft:
    """A draft, what its preview must show, and where readers look for it."""

    item: object
    text: str  # what an editor wrote, shown on the page
    template: str
    public_url: str
    api_url: str
    # The public page exists anyway (the home page, a published project's page):
    # readers get it, without the draft.
    public_page_exists: bool = False


@pytest.fixture
def drafts(make_license, make_project, make_release, make_section, make_statement):
    """One draft of each kind that has a page, by name."""
    make_license("MIT")

    def make(kind) -> Draft:
        if kind == "project":
            project = make_project(
                "Hidden Gem",
                state=State.DRAFT,
                description="Our **secret** plan for observability.",
            )
            return Draft(
                project,
                "secret</strong> plan for observability",
                "projects/project_detail.html",
                "/projects/hidden-gem/",
                "/api/v1/projects/hidden-gem/",
            )
        if kind == "license":
            license_ = make_license(
                "Apache-2.0",
                state=State.DRAFT,
                summary="Permissive, with an express patent grant.",
            )
            return Draft(
                license_,
                "Permissive, with an express patent grant.",
                "licenses/license_detail.html",
                "/licenses/Apache-2.0/",
                "/api/v1/licenses/Apache-2.0/",
            )
        if kind == "statement":
            section = make_section("Goals")
            make_statement(section, "Published words.")
            statement = make_statement(
                section, "We write everything in the open.", state=State.DRAFT
            )
            return Draft(
                statement,
                "We write everything in the open.",
                "portal/home.html",
                "/",
                f"/api/v1/statements/{statement.pk}/",
                public_page_exists=True,
            )
        if kind == "release":
            project = make_project("Snuba")
            make_release(project, "1.0.0")
            release = make_release(project, "2.0.0-rc.1", state=State.DRAFT)
            return Draft(
                release,
                "2.0.0-rc.1",
                "projects/project_detail.html",
                "/projects/snuba/",
                "/api/v1/projects/snuba/",
                public_page_exists=True,
            )
        raise AssertionError(kind)

    return make


KINDS = ["project", "license", "statement", "release"]


@pytest.mark.parametrize("role", ["Editor", "Publisher"])
@pytest.mark.parametrize("kind", KINDS)
def test_editor_previews_a_draft_as_readers_would_see_it(drafts, login_as, kind, role):
    draft = drafts(kind)
    response = login_as(role).get(admin_url(draft.item, "preview"))
    assert response.status_code == 200
    html = response.content.decode()
    # The reader's page, from the reader's template...
    assert draft.template in [t.name for t in response.templates]
    assert draft.text in html
    # ...under a banner above it all saying what it is, with the way back to
    # editing.
    body = parse(response).find("body")
    skip_link, banner, header = body.elements()[:3]
    assert "skip-link" in skip_link.classes
    assert "site-header" in header.classes
    assert banner.classes == {"preview-banner"}
    assert banner.attrs["role"] == "status"
    kind = draft.item._meta.verbose_name
    assert banner.text.startswith(
        f"Preview: this {kind} is not public: readers do not see it here. State: Draft."
    )
    assert admin_url(draft.item, "change") in banner.hrefs()
    # Never indexed, never cached.
    assert NOINDEX_META in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert cache_directives(response) == NEVER_CACHE
    # Its canonical address is the public one, not the admin's.
    assert f'<link rel="canonical" href="http://testserver{draft.public_url}">' in html


@pytest.mark.parametrize("kind", KINDS)
def test_readers_and_the_api_still_get_a_404_for_a_previewed_draft(
    drafts, login_as, client, api_client, kind
):
    draft = drafts(kind)
    editor = login_as("Editor")
    assert editor.get(admin_url(draft.item, "preview")).status_code == 200

    for reader in (client, editor):  # logged in or not, the public page is public
        response = reader.get(draft.public_url)
        if draft.public_page_exists:
            assert response.status_code == 200
            assert draft.text not in response.content.decode()
            assert "preview-banner" not in response.content.decode()
        else:
            assert response.status_code == 404
    response = api_client.get(draft.api_url)
    if kind == "release":
        versions = [r["version"] for r in response.json()["releases"]]
        assert versions == ["1.0.0"]
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_visitors_are_sent_to_the_admin_login(drafts, client, kind):
    draft = drafts(kind)
    url = admin_url(draft.item, "preview")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"


@pytest.mark.parametrize("kind", KINDS)
def test_staff_without_permission_on_the_model_may_not_preview(drafts, client, kind):
    draft = drafts(kind)
    user = get_user_model().objects.create_user("no-role", is_staff=True)
    client.force_login(user)
    response = client.get(admin_url(draft.item, "preview"))
    assert response.status_code == 403
    assert draft.text not in response.content.decode()


def test_preview_of_an_item_that_does_not_exist_is_a_404(login_as, db):
    editor = login_as("Editor")
    assert editor.get("/admin/projects/project/999999/preview/").status_code == 404
    assert editor.get("/admin/projects/project/not-a-pk/preview/").status_code == 404


def test_an_item_scheduled_in_the_future_can_be_previewed(make_project, login_as):
    moment = timezone.now() + datetime.timedelta(days=30)
    project = make_project("Next Big Thing", publish_at=moment)
    assert not Project.objects.published().filter(pk=project.pk).exists()

    response = login_as("Editor").get(admin_url(project, "preview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Next Big Thing</h1>" in html
    assert "State: Published." in html
    assert "Scheduled to appear on" in html


def test_an_item_hidden_again_can_be_previewed(make_license, login_as, client):
    license_ = make_license(
        "MIT", unpublish_at=timezone.now() - datetime.timedelta(days=1)
    )
    response = login_as("Editor").get(admin_url(license_, "preview"))
    assert response.status_code == 200
    assert "Hidden since" in response.content.decode()
    assert client.get("/licenses/MIT/").status_code == 404


def test_a_published_item_is_previewed_as_public(make_project, login_as):
    project = make_project("Snuba")
    response = login_as("Editor").get(admin_url(project, "preview"))
    assert "this project is public: readers see this page." in response.content.decode()


def test_a_release_preview_lists_it_among_the_published_releases_only(
    make_project, make_release, login_as
):
    project = make_project("Snuba")
    make_release(project, "1.0.0", released_on=datetime.date(2023, 1, 1))
    make_release(project, "3.0.0", released_on=datetime.date(2025, 1, 1))
    draft = make_release(
        project, "2.0.0", released_on=datetime.date(2024, 1, 1), state=State.DRAFT
    )
    make_release(
        project, "4.0.0", released_on=datetime.date(2026, 1, 1), state=State.REVIEW
    )

    html = login_as("Editor").get(admin_url(draft, "preview")).content.decode()
    versions = re.findall(r'<th scope="row">([^<]+)</th>', html)
    # In its place, newest first; the other unpublished release stays hidden.
    assert versions == ["3.0.0", "2.0.0", "1.0.0"]
    assert "3 of 3 releases are open source today." in html
    assert f'id="release-{draft.pk}"' in html


def test_a_release_of_a_draft_project_is_previewed_on_that_project(
    make_project, make_release, login_as
):
    project = make_project("Hidden Gem", state=State.DRAFT)
    release = make_release(project, "0.1.0")  # published, but its project is not
    html = login_as("Editor").get(admin_url(release, "preview")).content.decode()
    assert "<h1>Hidden Gem</h1>" in html
    assert '<th scope="row">0.1.0</th>' in html
    assert "Its project, Hidden Gem, is not public." in html


def test_a_statement_preview_shows_it_at_its_position(
    make_section, make_statement, login_as
):
    section = make_section("Goals")
    make_statement(section, "First words.", position=1)
    draft = make_statement(section, "Second words.", position=2, state=State.DRAFT)
    make_statement(section, "Third words.", position=3)
    make_statement(section, "Other draft words.", position=4, state=State.DRAFT)
    hidden = make_section("Later", state=State.DRAFT)
    make_statement(hidden, "Words of a draft section.")

    html = login_as("Editor").get(admin_url(draft, "preview")).content.decode()
    shown = re.findall(r"<p>(\w+ words\.|Other draft words\.)</p>", html)
    assert shown == ["First words.", "Second words.", "Third words."]
    assert "Words of a draft section." not in html
    # The banner leads to the statement's section on the page.
    assert f'<a href="#{section.slug}">' in html


def test_a_draft_section_preview_shows_it_with_its_published_statements(
    make_section, make_statement, login_as
):
    make_section("Goals", position=1)
    section = make_section("Why not open core", position=2, state=State.DRAFT)
    make_statement(section, "Because we mean it.")
    make_statement(section, "Not yet.", state=State.DRAFT)

    html = login_as("Editor").get(admin_url(section, "preview")).content.decode()
    assert re.findall(r"<h2>([^<]+)</h2>", html)[:2] == ["Goals", "Why not open core"]
    assert "Because we mean it." in html
    assert "Not yet." not in html


def test_the_page_marks_the_readers_place_in_the_navigation(drafts, login_as):
    draft = drafts("project")
    html = login_as("Editor").get(admin_url(draft.item, "preview")).content.decode()
    assert '<a href="/projects/" aria-current="true">' in html


def test_project_preview_queries_do_not_grow(
    make_project, make_release, login_as, django_assert_num_queries
):
    project = make_project("Snuba", state=State.DRAFT)
    editor = login_as("Editor")
    url = admin_url(project, "preview")
    counter = iter(range(10_000))

    def add_releases(count):
        for _ in range(count):
            make_release(project, f"1.{next(counter)}.0")

    add_releases(3)
    # The admin's part: the session, the user, their permissions (their own and
    # their groups'), the project to check. Then the page as readers get it
    # (tests/test_site.py, less the content version: the admin is never cached):
    # site settings, the project with its category, its licenses and its
    # languages (one query), its releases with their change licenses, its
    # license history.
    for grow in (15, 0):
        with django_assert_num_queries(10):
            assert editor.get(url).status_code == 200
        add_releases(grow)


@pytest.mark.parametrize(
    ("model", "previewable"),
    [
        (Project, True),
        (Release, True),
        (License, True),
        (Section, True),
        (Statement, True),
        (Category, False),
    ],
)
def test_the_change_form_links_to_the_preview(
    model,
    previewable,
    make_license,
    make_project,
    make_release,
    make_section,
    make_statement,
    make_category,
    login_as,
):
    make_license("MIT")
    section = make_section("Goals")
    project = make_project("Snuba", state=State.DRAFT)
    objects = {
        Project: project,
        Release: make_release(project, "1.0.0", state=State.DRAFT),
        License: make_license("Apache-2.0", state=State.DRAFT),
        Section: section,
        Statement: make_statement(section, state=State.DRAFT),
        Category: make_category("SDK"),
    }
    obj = objects[model]
    html = login_as("Editor").get(admin_url(obj, "change")).content.decode()
    link = re.search(r'<a href="([^"]+)" class="previewlink">Preview</a>', html)
    if previewable:
        assert link is not None
        assert link.group(1) == admin_url(obj, "preview")
    else:
        assert link is None


def test_view_on_site_still_leads_to_the_public_page_of_a_published_item(
    make_project, login_as
):
    published = make_project("Snuba")
    draft = make_project("Hidden Gem", state=State.DRAFT)
    editor = login_as("Editor")

    html = editor.get(admin_url(published, "change")).content.decode()
    assert 'class="viewsitelink"' in html
    assert 'class="previewlink"' in html
    html = editor.get(admin_url(draft, "change")).content.decode()
    assert 'class="viewsitelink"' not in html
    assert 'class="previewlink"' in html
