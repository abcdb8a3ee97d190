"""Who may do what: the Editor and Publisher roles, and licenses in use.

Editors write and submit for review; only publishers publish, unpublish and
delete. A user never even sees an action they may not run, and the change form
does not let an editor publish either. A license that something still uses
cannot be deleted, whichever way the deletion is asked for.
"""

import importlib
import types

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ProtectedError
from django.urls import reverse

from licenses.models import License
from portal.models import Section, SiteSettings
from portal.publishing.models import State
from portal.publishing.revisions import Revision
from projects.models import Project, Release

roles_migration = importlib.import_module(
    "portal.migrations.0003_editor_and_publisher_roles"
)

CONTENT = {
    "portal": ["section", "statement"],
    "licenses": ["license"],
    "projects": ["project", "release", "licensechange", "category", "language"],
}
PUBLISHABLE = {"section", "statement", "license", "project", "release"}


def admin_url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def permissions_of(name):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=name).permissions.select_related("content_type")
    }


def expected_editor():
    return {
        f"{app}.{action}_{model}"
        for app, models in CONTENT.items()
        for model in models
        for action in ("view", "add", "change")
    }


def expected_publisher():
    return (
        expected_editor()
        | {
            f"{app}.publish_{model}"
            for app, models in CONTENT.items()
            for model in models
            if model in PUBLISHABLE
        }
        | {
            f"{app}.delete_{model}"
            for app, models in CONTENT.items()
            for model in models
        }
        | {"portal.view_sitesettings", "portal.change_sitesettings"}
    )


def action_names(response):
    return {
        value
        for value, _label in response.context["action_form"].fields["action"].choices
        if value
    }


def project_form(**fields):
    data = {
        "name": "Snuba",
        "slug": "snuba",
        "summary": "Search.",
        "description": "",
        "license_expression": "MIT",
        "status": Project.Status.ACTIVE,
        "position": "0",
        "state": State.DRAFT,
        "releases-TOTAL_FORMS": "0",
        "releases-INITIAL_FORMS": "0",
        "license_changes-TOTAL_FORMS": "0",
        "license_changes-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


# The groups


def test_editor_may_view_add_and_change_content_and_nothing_else(db):
    assert permissions_of("Editor") == expected_editor()


def test_publisher_may_also_publish_delete_and_change_the_site_settings(db):
    assert permissions_of("Publisher") == expected_publisher()


@pytest.mark.parametrize("role", ["Editor", "Publisher"])
def test_no_role_manages_users_or_groups(db, role):
    assert not {p for p in permissions_of(role) if p.startswith("auth.")}


def test_the_roles_migration_is_idempotent_and_mends_the_groups(db):
    Group.objects.get(name="Editor").permissions.clear()
    Group.objects.get(name="Publisher").delete()
    Permission.objects.filter(codename="publish_release").delete()
    state = MigrationExecutor(connection).loader.project_state(
        ("portal", "0003_editor_and_publisher_roles")
    )
    schema_editor = types.SimpleNamespace(connection=connection)

    for _ in range(2):
        roles_migration.create_roles(state.apps, schema_editor)

    assert permissions_of("Editor") == expected_editor()
    assert permissions_of("Publisher") == expected_publisher()


# What each role sees and may do in the lists


@pytest.mark.parametrize(
    ("role", "actions"),
    [
        ("Editor", {"submit_for_review"}),
        ("Publisher", {"submit_for_review", "publish", "unpublish", "delete_selected"}),
        (
            "superuser",
            {"submit_for_review", "publish", "unpublish", "delete_selected"},
        ),
    ],
)
@pytest.mark.parametrize("model", [Project, Release, License, Section])
def test_each_role_sees_only_the_actions_it_may_run(
    login_as, make_project, role, actions, model
):
    make_project("Snuba")

    response = login_as(role).get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert action_names(response) == actions


@pytest.mark.parametrize("action", ["publish", "unpublish", "delete_selected"])
def test_an_editor_cannot_run_a_publishers_action_by_posting_it(
    login_as, make_project, action
):
    draft = make_project("Snuba", state=State.REVIEW)
    published = make_project("Relay")

    response = login_as("Editor").post(
        admin_url(Project, "changelist"),
        {"action": action, "_selected_action": [draft.pk, published.pk], "post": "yes"},
        follow=True,
    )

    assert "No action selected." in response.content.decode()
    assert Project.objects.count() == 2
    assert Project.objects.get(pk=draft.pk).state == State.REVIEW
    assert Project.objects.get(pk=published.pk).state == State.PUBLISHED


def test_a_publisher_publishes_and_unpublishes(login_as, make_project):
    project = make_project("Snuba", state=State.REVIEW)
    publisher = login_as("Publisher")

    publisher.post(
        admin_url(Project, "changelist"),
        {"action": "publish", "_selected_action": [project.pk]},
    )
    project.refresh_from_db()
    assert project.state == State.PUBLISHED

    publisher.post(
        admin_url(Project, "changelist"),
        {"action": "unpublish", "_selected_action": [project.pk]},
    )
    project.refresh_from_db()
    assert project.state == State.DRAFT


# The change form


def test_an_editor_is_offered_draft_and_review_only(login_as, db):
    response = login_as("Editor").get(admin_url(Project, "add"))

    choices = response.context["adminform"].form.fields["state"].choices
    assert [value for value, _label in choices] == [State.DRAFT, State.REVIEW]


def test_a_publisher_is_offered_every_state(login_as, db):
    response = login_as("Publisher").get(admin_url(Project, "add"))

    choices = response.context["adminform"].form.fields["state"].choices
    assert [value for value, _label in choices] == [
        State.DRAFT,
        State.REVIEW,
        State.PUBLISHED,
    ]


def test_an_editor_cannot_publish_through_the_form(login_as, make_license):
    make_license("MIT")

    response = login_as("Editor").post(
        admin_url(Project, "add"), project_form(state=State.PUBLISHED)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["state"] == [
        "Only a publisher can publish: choose “Draft” or “In review”, and a "
        "publisher will publish it."
    ]
    assert not Project.objects.exists()


def test_an_editor_submits_for_review_through_the_form(login_as, make_license):
    make_license("MIT")

    response = login_as("Editor").post(
        admin_url(Project, "add"), project_form(state=State.REVIEW)
    )

    assert response.status_code == 302
    assert Project.objects.get().state == State.REVIEW


def test_a_publisher_publishes_through_the_form(login_as, make_license):
    make_license("MIT")

    response = login_as("Publisher").post(
        admin_url(Project, "add"), project_form(state=State.PUBLISHED)
    )

    assert response.status_code == 302
    assert Project.objects.get().state == State.PUBLISHED


def test_an_editors_edit_of_a_published_item_waits_for_review_without_its_state(
    login_as, make_project
):
    project = make_project("Snuba")
    editor = login_as("Editor")
    form = (
        editor.get(admin_url(Project, "change", project.pk)).context["adminform"].form
    )
    assert all(form.fields[name].disabled for name in ("state", "publish_at"))

    response = editor.post(
        admin_url(Project, "change", project.pk),
        project_form(
            summary="Fixed a typo.",
            state=State.DRAFT,
            publish_at_0="2030-01-01",
            publish_at_1="00:00:00",
        ),
    )

    assert response.status_code == 302
    project.refresh_from_db()
    # Readers keep the published version; the typo fix waits for a publisher.
    assert project.summary != "Fixed a typo."
    assert project.state == State.PUBLISHED
    assert project.publish_at is None
    revision = Revision.objects.of(project).pending().get()
    assert revision.values["summary"] == "Fixed a typo."
    assert not {"state", "publish_at", "unpublish_at"} & set(revision.values)


def test_an_editor_cannot_publish_a_release_through_the_projects_inline(
    login_as, make_license
):
    make_license("MIT")

    response = login_as("Editor").post(
        admin_url(Project, "add"),
        project_form(
            **{
                "releases-TOTAL_FORMS": "1",
                "releases-0-version": "1.0.0",
                "releases-0-released_on": "2024-01-01",
                "releases-0-license_expression": "MIT",
                "releases-0-state": State.PUBLISHED,
            }
        ),
    )

    assert response.status_code == 200
    assert "Only a publisher can publish" in response.content.decode()
    assert not Release.objects.exists()


# Deleting, site settings, users


@pytest.mark.parametrize(("role", "status"), [("Editor", 403), ("Publisher", 200)])
def test_only_a_publisher_may_delete(login_as, make_project, role, status):
    project = make_project("Snuba")

    response = login_as(role).get(admin_url(Project, "delete", project.pk))

    assert response.status_code == status


def test_an_editor_cannot_touch_the_site_settings_a_publisher_can(login_as, db):
    SiteSettings(organisation_name="Example").save()
    settings = SiteSettings.load()

    assert (
        login_as("Editor").get(admin_url(SiteSettings, "changelist")).status_code == 403
    )
    assert login_as("Editor").get(admin_url(SiteSettings, "add")).status_code == 403
    publisher = login_as("Publisher")
    assert (
        publisher.get(admin_url(SiteSettings, "change", settings.pk)).status_code == 200
    )


@pytest.mark.parametrize("role", ["Editor", "Publisher"])
def test_no_role_may_manage_users(login_as, db, role):
    assert login_as(role).get("/admin/auth/user/").status_code == 403
    assert login_as(role).get("/admin/auth/group/").status_code == 403


# A license in use cannot be deleted


@pytest.fixture
def mit_in_use(make_license, make_project):
    mit = make_license("MIT")
    make_project("Snuba", license_expression="MIT")
    make_project("Relay", license_expression="MIT OR Apache-2.0")
    return mit


def test_deleting_a_license_in_use_is_refused_with_the_projects_names(mit_in_use):
    with pytest.raises(ProtectedError) as raised:
        mit_in_use.delete()

    message = str(raised.value.args[0])
    assert "MIT is used by project “Snuba”, project “Relay”." in message
    assert {str(p) for p in raised.value.protected_objects} == {"Snuba", "Relay"}
    assert License.objects.filter(pk=mit_in_use.pk).exists()


def test_a_bulk_delete_of_licenses_in_use_deletes_nothing(make_license, mit_in_use):
    unused = make_license("BSD-3-Clause")

    with pytest.raises(ProtectedError, match="Snuba"):
        License.objects.filter(pk__in=[unused.pk, mit_in_use.pk]).delete()

    assert License.objects.count() == 2


def test_an_unused_license_can_be_deleted(make_license):
    make_license("MIT").delete()

    assert not License.objects.exists()


def test_a_change_license_and_a_conversion_target_are_in_use(
    make_license, make_project, make_release
):
    apache = make_license("Apache-2.0")
    make_license(
        "FSL-1.1-ALv2",
        family="source_available",
        change_license=apache,
        change_period_months=24,
    )

    with pytest.raises(ProtectedError) as raised:
        apache.delete()

    # A release's conversion names its change license as text: no link to keep.
    message = str(raised.value.args[0])
    assert "license “FSL-1.1-ALv2 license (FSL-1.1-ALv2)”" in message


def test_the_admin_delete_page_refuses_a_license_in_use(login_as, mit_in_use):
    publisher = login_as("Publisher")
    url = admin_url(License, "delete", mit_in_use.pk)

    page = publisher.get(url).content.decode()
    response = publisher.post(url, {"post": "yes"})

    assert "A license in use cannot be deleted: MIT is used by project “Snuba”" in (
        page.replace("&ldquo;", "“").replace("&rdquo;", "”")
    )
    assert "Snuba</a>" in page and "Relay</a>" in page
    assert response.status_code == 200
    assert License.objects.filter(pk=mit_in_use.pk).exists()


def test_the_admin_bulk_delete_refuses_licenses_in_use(
    login_as, make_license, mit_in_use
):
    unused = make_license("BSD-3-Clause")
    publisher = login_as("Publisher")

    response = publisher.post(
        admin_url(License, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [unused.pk, mit_in_use.pk],
            "post": "yes",
        },
    )

    html = response.content.decode()
    assert "A license in use cannot be deleted" in html
    assert "Snuba</a>" in html
    assert License.objects.count() == 2


def test_the_admin_deletes_an_unused_license(login_as, make_license):
    unused = make_license("BSD-3-Clause")

    response = login_as("Publisher").post(
        admin_url(License, "delete", unused.pk), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not License.objects.exists()
