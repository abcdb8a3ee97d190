"""The editors' door: every admin page renders, bad input comes back on its field,
the publishing actions work and are recorded, and nothing is open without a login.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licenses.models import License
from portal.api.tokens import ApiToken
from portal.models import Section, SiteSettings, Statement
from portal.publishing.models import State
from projects.models import Project, Release

OUR_APPS = {"portal", "licenses", "projects"}
OUR_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in OUR_APPS),
    key=lambda model: model._meta.label,
)


def admin_url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


@pytest.fixture
def editor(admin_user, client):
    client.force_login(admin_user)
    return client


@pytest.fixture
def content(
    make_license,
    make_category,
    make_language,
    make_project,
    make_release,
    make_section,
    make_statement,
):
    """One object of every model, so that every change page has something to show."""
    make_license("MIT")
    make_license("Apache-2.0", state=State.DRAFT)
    sdk = make_category("SDK")
    snuba = make_project(
        "Snuba",
        license_expression="MIT OR Apache-2.0",
        category=sdk,
        languages=[make_language("Python")],
    )
    make_release(snuba, "23.11.0")
    goals = make_section("Goals")
    make_statement(goals)
    make_statement(goals, kind=Statement.Kind.QUOTE, attribution_name="Someone")
    SiteSettings(organisation_name="Example").save()
    ApiToken.issue(
        name="release bot",
        user=get_user_model().objects.create_user("release-bot"),
    )
    return snuba


def test_every_model_of_ours_is_in_the_admin():
    assert {model._meta.label for model in OUR_MODELS} == {
        "portal.Section",
        "portal.Statement",
        "portal.SiteSettings",
        "licenses.License",
        "projects.Project",
        "projects.Release",
        "projects.Category",
        "projects.Language",
        "portal.ApiToken",
    }


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_changelist_renders(editor, content, model):
    response = editor.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count()


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_changelist_search_and_filters_render(editor, content, model):
    model_admin = admin.site._registry[model]
    url = admin_url(model, "changelist")
    if model_admin.search_fields:
        assert editor.get(url, {"q": "snuba"}).status_code == 200
    if "state" in model_admin.list_filter:
        response = editor.get(url, {"state__exact": "draft"})
        assert response.status_code == 200


@pytest.mark.parametrize(
    "model",
    [m for m in OUR_MODELS if m is not SiteSettings],
    ids=lambda m: m._meta.label,
)
def test_add_page_renders(editor, content, model):
    assert editor.get(admin_url(model, "add")).status_code == 200


def test_site_settings_add_page_renders_until_the_row_exists(editor, db):
    assert editor.get(admin_url(SiteSettings, "add")).status_code == 200

    SiteSettings().save()

    assert editor.get(admin_url(SiteSettings, "add")).status_code == 403


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_change_page_renders(editor, content, model):
    obj = model.objects.first()

    response = editor.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "model",
    [m for m in OUR_MODELS if hasattr(m, "is_published")],
    ids=lambda m: m._meta.label,
)
def test_is_published_column_shows(editor, content, model):
    response = editor.get(admin_url(model, "changelist"))

    assert "is_published" in response.context["cl"].list_display
    html = response.content.decode()
    assert "public now" in html.lower()
    # Django's boolean icon, one per row.
    assert len(is_published_cells(html)) == model.objects.count()


def is_published_cells(html):
    return re.findall(r'class="field-is_published"><img [^>]*alt="(True|False)"', html)


def test_is_published_column_tells_drafts_from_published(editor, content):
    html = editor.get(admin_url(License, "changelist")).content.decode()

    # Apache-2.0 (a draft) then MIT, in the licenses' order.
    assert is_published_cells(html) == ["False", "True"]


@pytest.mark.parametrize(
    ("model", "queries"),
    # Each page includes the one query of the header's dashboard counts.
    [
        (Project, 10),
        (Release, 10),
        (Statement, 8),
        (Section, 7),
        (License, 7),
    ],
)
@pytest.mark.parametrize("size", [2, 6])
def test_changelist_costs_a_fixed_number_of_queries(
    editor,
    make_license,
    make_project,
    make_release,
    make_section,
    make_statement,
    django_assert_num_queries,
    model,
    queries,
    size,
):
    make_license("MIT")
    for number in range(size):
        project = make_project(f"P{number}")
        make_release(project)
        section = make_section(f"S{number}")
        make_statement(section)
    url = admin_url(model, "changelist")

    with django_assert_num_queries(queries):
        response = editor.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("role", ["Publisher", "Editor"])
def test_project_form_costs_the_same_queries_whatever_its_releases(
    role, login_as, make_license, make_project, make_release
):
    """Each release row names its project: the project in hand, not a query
    per row."""
    make_license("MIT")
    project = make_project("Snuba")
    make_release(project, "1.0.0")
    user = login_as(role)
    url = reverse("admin:projects_project_change", args=[project.pk])
    user.get(url)  # the session and the content types, once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = user.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries)

    one_row = queries()
    for number in range(2, 9):
        make_release(project, f"{number}.0.0")
    response = user.get(url)

    assert queries() == one_row
    assert response.content.decode().count("Snuba 8.0.0") == 1


# Saving through the admin


def project_form(**fields):
    data = {
        "name": "Relay",
        "slug": "relay",
        "summary": "An event relay.",
        "description": "",
        "license_expression": "mit or apache-2.0",
        "status": Project.Status.ACTIVE,
        "position": "0",
        "state": State.PUBLISHED,
        "releases-TOTAL_FORMS": "0",
        "releases-INITIAL_FORMS": "0",
        "releases-MIN_NUM_FORMS": "0",
        "releases-MAX_NUM_FORMS": "1000",
        "license_changes-TOTAL_FORMS": "0",
        "license_changes-INITIAL_FORMS": "0",
        "license_changes-MIN_NUM_FORMS": "0",
        "license_changes-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def test_saving_a_project_normalises_its_expression_and_links_its_licenses(
    editor, make_license
):
    mit = make_license("MIT")
    apache = make_license("Apache-2.0")

    response = editor.post(admin_url(Project, "add"), project_form())

    assert response.status_code == 302
    relay = Project.objects.get(slug="relay")
    assert relay.license_expression == "MIT OR Apache-2.0"
    assert set(relay.licenses.all()) == {mit, apache}


def test_project_naming_an_organisations_own_license_saves_in_the_admin(editor, db):
    response = editor.post(
        admin_url(Project, "add"),
        project_form(license_expression="MIT OR LicenseRef-Commercial"),
    )

    assert response.status_code == 302
    relay = Project.objects.get(slug="relay")
    assert relay.license_expression == "MIT OR LicenseRef-Commercial"


def test_changing_a_projects_expression_in_the_admin_relinks(editor, content):
    response = editor.post(
        admin_url(Project, "change", content.pk),
        project_form(name="Snuba", slug="snuba", license_expression="MIT"),
    )

    assert response.status_code == 302
    content.refresh_from_db()
    assert content.license_expression == "MIT"
    assert [lic.spdx_id for lic in content.licenses.all()] == ["MIT"]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("Apache-2.0 ORR MIT", "Did you mean the operator &#x27;OR&#x27;?"),
        ("Apache-2.0 OR", "must have a license id on each side"),
        ("(MIT", "The parentheses are not balanced."),
        ("GPL 2.0", "an id has no spaces. Did you mean &#x27;GPL-2.0-only&#x27;"),
        ("LicenseRef-foo_bar", "&#x27;_&#x27; at position 15"),
        ("NOASSERTION", "use it in an SBOM field, not here"),
        ("(AND MIT)", "must have a license id on each side"),
        ("FSL-1.1-Apache-2.0", "Did you mean &#x27;FSL-1.1-ALv2&#x27;"),
    ],
)
def test_bad_expression_comes_back_on_its_field(
    editor, make_license, expression, message
):
    make_license("MIT")

    response = editor.post(
        admin_url(Project, "add"), project_form(license_expression=expression)
    )

    assert response.status_code == 200
    assert "license_expression" in response.context["adminform"].form.errors
    assert message in response.content.decode()
    assert not Project.objects.exists()


def test_bad_release_in_the_inline_comes_back_and_saves_nothing(editor, make_license):
    make_license("MIT")
    data = project_form(
        **{
            "releases-TOTAL_FORMS": "2",
            "releases-0-version": "1.0.0",
            "releases-0-released_on": "2024-01-01",
            "releases-0-license_expression": "MIT",
            "releases-0-state": State.PUBLISHED,
            "releases-1-version": "1.0.0",
            "releases-1-released_on": "2024-02-01",
            "releases-1-license_expression": "MIT ORR",
            "releases-1-state": State.PUBLISHED,
        }
    )

    response = editor.post(admin_url(Project, "add"), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Did you mean the operator" in html
    assert not Project.objects.exists()
    assert not Release.objects.exists()


def test_duplicate_spdx_id_comes_back_on_the_form(editor, make_license):
    make_license("MIT")

    response = editor.post(
        admin_url(License, "add"),
        {
            "spdx_id": "mit",
            "name": "MIT again",
            "family": "permissive",
            "position": "0",
            "state": State.DRAFT,
        },
    )

    assert response.status_code == 200
    assert "A license with this SPDX id already exists." in response.content.decode()
    assert License.objects.count() == 1


def test_unknown_spdx_id_comes_back_on_its_field(editor, db):
    response = editor.post(
        admin_url(License, "add"),
        {
            "spdx_id": "Apache-2",
            "name": "Apache",
            "family": "permissive",
            "position": "0",
            "state": State.DRAFT,
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Did you mean" in errors["spdx_id"][0]
    assert not License.objects.exists()


def test_license_id_is_saved_in_its_canonical_spelling(editor, db):
    response = editor.post(
        admin_url(License, "add"),
        {
            "spdx_id": "apache-2.0",
            "name": "Apache License 2.0",
            "family": "permissive",
            "position": "0",
            "state": State.PUBLISHED,
        },
    )

    assert response.status_code == 302
    assert License.objects.get().spdx_id == "Apache-2.0"


def license_form(**fields):
    data = {
        "spdx_id": "BUSL-1.1",
        "name": "Business Source License 1.1",
        "family": "source_available",
        "position": "0",
        "state": State.PUBLISHED,
    }
    data.update(fields)
    return data


def test_new_license_is_linked_to_the_projects_that_already_name_it(
    editor, api_client, make_license, make_project
):
    make_license("Apache-2.0")
    relay = make_project("Relay", license_expression="BUSL-1.1 OR Apache-2.0")
    make_project("Snuba", license_expression="Apache-2.0")

    response = editor.post(admin_url(License, "add"), license_form())

    assert response.status_code == 302
    busl = License.objects.get(spdx_id="BUSL-1.1")
    assert list(busl.projects.all()) == [relay]
    api = api_client.get("/api/v1/projects/relay/").json()
    assert api["licenses"] == ["Apache-2.0", "BUSL-1.1"]


def test_new_license_is_not_linked_to_ids_that_merely_contain_it(editor, make_project):
    make_project("Zero", license_expression="MIT-0")

    editor.post(admin_url(License, "add"), license_form(spdx_id="MIT", name="MIT"))

    assert not License.objects.get(spdx_id="MIT").projects.exists()


def test_changing_a_license_id_moves_its_links(editor, make_license, make_project):
    license_ = make_license("LicenseRef-Acme-1")
    old = make_project("Old", license_expression="LicenseRef-Acme-1")
    new = make_project("New", license_expression="LicenseRef-Acme-2")

    response = editor.post(
        admin_url(License, "change", license_.pk),
        license_form(spdx_id="LicenseRef-Acme-2", name="Acme License 2"),
    )

    assert response.status_code == 302
    assert list(license_.projects.all()) == [new]
    assert list(old.licenses.all()) == []


def grant_form(**terms):
    """A project's form with one license history entry holding ``terms``."""
    fields = {
        "license_changes-TOTAL_FORMS": "1",
        "license_changes-0-effective_on": "",
        "license_changes-0-license_expression": "BUSL-1.1",
    }
    fields.update({f"license_changes-0-{k}": v for k, v in terms.items()})
    return project_form(
        name="Snuba",
        slug="snuba",
        license_expression="BUSL-1.1",
        **fields,
        **{
            "releases-TOTAL_FORMS": "1",
            "releases-0-version": "23.11.0",
            "releases-0-released_on": "2023-11-15",
            "releases-0-license_expression": "BUSL-1.1",
            "releases-0-state": State.PUBLISHED,
        },
    )


def test_editor_sets_a_grant_s_terms_and_a_release_gets_its_conversion(
    editor, make_license
):
    make_license("MPL-2.0")
    response = editor.post(
        admin_url(License, "add"), license_form(change_cap_months="48")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    response = editor.post(
        admin_url(Project, "add"),
        grant_form(change_license="mpl-2.0", change_after_months="48"),
    )

    assert response.status_code == 302
    release = Release.objects.get()
    assert (str(release.converts_on), release.converts_to) == (
        "2027-11-15",
        "MPL-2.0",
    )


def test_a_grant_beyond_the_cap_comes_back_citing_the_rule(editor, make_license):
    make_license("BUSL-1.1", family="source_available", change_cap_months=48)

    response = editor.post(
        admin_url(Project, "add"),
        grant_form(change_license="MPL-2.0", change_after_months="60"),
    )

    assert response.status_code == 200
    assert "BUSL-1.1 allows at most 48 months" in response.content.decode()


def test_conversion_terms_on_a_permissive_license_come_back(editor, make_license):
    apache = make_license("Apache-2.0")

    response = editor.post(
        admin_url(License, "add"),
        license_form(
            spdx_id="MIT",
            family="permissive",
            change_license=apache.pk,
            change_period_months="36",
        ),
    )

    assert response.status_code == 200
    assert "Only source-available licenses have conversion terms." in (
        response.content.decode()
    )


def test_quote_without_attribution_comes_back_on_its_field(editor, make_section):
    section = make_section()

    response = editor.post(
        admin_url(Statement, "add"),
        {
            "section": section.pk,
            "kind": Statement.Kind.QUOTE,
            "body": "Words.",
            "position": "0",
            "state": State.PUBLISHED,
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["attribution_name"] == ["A quote needs the name of who said it."]
    assert not Statement.objects.exists()


# Publishing actions


@pytest.mark.parametrize(
    ("action", "before", "after", "message"),
    [
        ("publish", State.DRAFT, State.PUBLISHED, "2 items published."),
        ("unpublish", State.PUBLISHED, State.DRAFT, "2 items unpublished."),
    ],
)
def test_publishing_actions(
    editor, admin_user, make_license, action, before, after, message
):
    licenses = [
        make_license("MIT", state=before),
        make_license("Apache-2.0", state=before),
    ]
    untouched = make_license("BSD-3-Clause", state=before)
    updated_before = {lic.pk: lic.updated_at for lic in licenses}

    response = editor.post(
        admin_url(License, "changelist"),
        {"action": action, "_selected_action": [lic.pk for lic in licenses]},
        follow=True,
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    for license_ in licenses:
        license_.refresh_from_db()
        assert license_.state == after
        # Caches and feeds rely on updated_at to see the change.
        assert license_.updated_at > updated_before[license_.pk]
    untouched.refresh_from_db()
    assert untouched.state == before
    # The change is in each object's history, with its author.
    entries = LogEntry.objects.filter(action_flag=CHANGE, user=admin_user)
    assert sorted(int(e.object_id) for e in entries) == sorted(
        lic.pk for lic in licenses
    )


def test_publish_counts_only_what_changed(editor, make_license):
    draft = make_license("MIT", state=State.DRAFT)
    published = make_license("Apache-2.0")

    response = editor.post(
        admin_url(License, "changelist"),
        {"action": "publish", "_selected_action": [draft.pk, published.pk]},
        follow=True,
    )

    assert "1 item published." in response.content.decode()
    assert LogEntry.objects.count() == 1


@pytest.mark.parametrize(
    "model", [Project, Release, Section, Statement], ids=lambda m: m._meta.label
)
def test_every_publishable_model_has_the_publishing_actions(editor, content, model):
    obj = model.objects.first()

    editor.post(
        admin_url(model, "changelist"),
        {"action": "unpublish", "_selected_action": [obj.pk]},
    )

    obj.refresh_from_db()
    assert obj.state == State.DRAFT


# Access


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/projects/project/",
        "/admin/projects/project/add/",
        "/admin/licenses/license/",
        "/admin/portal/statement/",
    ],
)
def test_admin_requires_login(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_permissions_cannot_change_content(client, django_user_model):
    staff = django_user_model.objects.create_user(
        username="staff", password="x", is_staff=True
    )
    client.force_login(staff)

    assert client.get("/admin/projects/project/").status_code == 403


def test_license_rules_are_ticked_as_checkboxes_with_labels(editor, db):
    page = editor.get(admin_url(License, "add")).content.decode()
    assert 'type="checkbox" name="permissions" value="commercial-use"' in page
    assert "Network use is distribution" in page

    response = editor.post(
        admin_url(License, "add"),
        license_form(
            spdx_id="MIT",
            family="permissive",
            permissions=["commercial-use", "private-use"],
            conditions=["include-copyright"],
            limitations=["warranty", "liability"],
        ),
    )

    assert response.status_code == 302
    mit = License.objects.get(spdx_id="MIT")
    assert mit.permissions == ["commercial-use", "private-use"]
    assert mit.conditions == ["include-copyright"]
    assert set(mit.limitations) == {"warranty", "liability"}


def test_unknown_rule_key_comes_back_on_its_field(editor, db):
    response = editor.post(
        admin_url(License, "add"),
        license_form(spdx_id="MIT", family="permissive", permissions=["teleport"]),
    )

    assert response.status_code == 200
    assert "teleport" in response.context["adminform"].form.errors["permissions"][0]
    assert not License.objects.exists()
