"""History: every change to content is recorded with its author, editors can see
who changed what and when, compare any two versions field by field, and revert
to any version.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from licenses.models import License
from portal.models import Section, SiteSettings, Statement
from portal.publishing.history import acting_as, record_author
from portal.publishing.models import State
from portal.publishing.policy import SYSTEM
from projects.imports import import_catalogue, read_file
from projects.models import Category, Language, LicenseChange, Project, Release

CONTENT_MODELS = [
    Section,
    Statement,
    SiteSettings,
    License,
    Project,
    Release,
    LicenseChange,
    Category,
    Language,
]


def admin_url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def project_form(project, **fields):
    data = {
        "name": project.name,
        "slug": project.slug,
        "summary": project.summary,
        "description": project.description,
        "license_expression": project.license_expression,
        "status": project.status,
        "position": str(project.position),
        "state": project.state,
        "languages": [language.pk for language in project.languages.all()],
        "loaded_revision": str(project.revision),
        "releases-TOTAL_FORMS": "0",
        "releases-INITIAL_FORMS": "0",
        "license_changes-TOTAL_FORMS": "0",
        "license_changes-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


@pytest.fixture
def snuba(make_license, make_project, make_language):
    make_license("MIT")
    return make_project("Snuba", summary="Search.", languages=[make_language("Python")])


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m._meta.label)
def test_every_content_model_keeps_its_history(model):
    assert hasattr(model, "history")
    assert model._meta.simple_history_manager_attribute == "history"


def test_an_admin_edit_is_recorded_with_its_author(login_as, snuba):
    editor = login_as("Editor")

    response = editor.post(
        admin_url(Project, "change", snuba.pk),
        project_form(snuba, summary="Search and storage."),
    )

    assert response.status_code == 302
    record = snuba.history.order_by("-history_id").first()
    assert record.summary == "Search and storage."
    assert record.history_user == editor.user
    assert record.history_type == "~"


def test_the_history_page_shows_who_changed_what(login_as, snuba):
    editor = login_as("Editor", username="alice")
    editor.post(
        admin_url(Project, "change", snuba.pk),
        project_form(snuba, summary="Search and storage."),
    )

    html = editor.get(admin_url(Project, "history", snuba.pk)).content.decode()

    assert "alice" in html
    # simple-history's own column: each record's changes against the one before.
    assert "<strong>Summary:</strong>" in html
    assert "Search and storage." in html
    assert "/history/compare/?from=" in html


def latest_record(obj):
    return obj.history.order_by("-history_id").first()


def test_languages_are_part_of_a_projects_history(login_as, snuba, make_language):
    rust = make_language("Rust")
    before = latest_record(snuba)

    login_as("Editor").post(
        admin_url(Project, "change", snuba.pk),
        project_form(snuba, languages=[rust.pk]),
    )

    assert [row.language.name for row in before.languages.all()] == ["Python"]
    after = latest_record(snuba)
    assert [row.language.name for row in after.languages.all()] == ["Rust"]


# Compare


def test_compare_shows_each_changed_field_with_both_values(login_as, snuba):
    editor = login_as("Editor")
    before = latest_record(snuba)
    editor.post(
        admin_url(Project, "change", snuba.pk),
        project_form(snuba, summary="Search and storage.", description="*Fast*."),
    )

    response = editor.get(
        admin_url(Project, "history_compare", snuba.pk),
        {"from": before.history_id, "to": latest_record(snuba).history_id},
    )

    assert response.status_code == 200
    changes = {c["field"]: (c["old"], c["new"]) for c in response.context["changes"]}
    assert changes == {
        "Summary": ("Search.", "Search and storage."),
        "Description": ("(empty)", "*Fast*."),
    }


def test_compare_labels_choices_and_names_related_rows(login_as, snuba, make_language):
    editor = login_as("Publisher")
    before = latest_record(snuba)
    editor.post(
        admin_url(Project, "change", snuba.pk),
        project_form(
            snuba,
            state=State.DRAFT,
            status=Project.Status.ARCHIVED,
            languages=[make_language("Rust").pk],
        ),
    )

    response = editor.get(
        admin_url(Project, "history_compare", snuba.pk), {"from": before.history_id}
    )

    changes = {c["field"]: (c["old"], c["new"]) for c in response.context["changes"]}
    assert changes["State"] == ("Published", "Draft")
    assert changes["Lifecycle status"] == ("Active", "Archived")
    assert changes["Languages"] == ("Python", "Rust")


def test_compare_defaults_to_the_latest_change(login_as, snuba):
    editor = login_as("Editor")
    editor.post(
        admin_url(Project, "change", snuba.pk), project_form(snuba, summary="One.")
    )

    response = editor.get(admin_url(Project, "history_compare", snuba.pk))

    assert [c["field"] for c in response.context["changes"]] == ["Summary"]
    assert "Compare versions: Snuba" in response.content.decode()


def test_compare_refuses_versions_of_another_object(login_as, snuba, make_project):
    other = make_project("Relay")
    foreign = other.history.first().history_id

    response = login_as("Editor").get(
        admin_url(Project, "history_compare", snuba.pk), {"from": foreign}
    )

    assert response.status_code == 404


def test_compare_needs_the_right_to_see_the_object(client, snuba, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    client.force_login(staff)

    response = client.get(admin_url(Project, "history_compare", snuba.pk))

    assert response.status_code == 403


# Revert


def test_revert_restores_an_old_version_and_keeps_the_current_state(
    login_as, snuba, make_language
):
    publisher = login_as("Publisher")
    first = latest_record(snuba)
    publisher.post(
        admin_url(Project, "change", snuba.pk),
        project_form(
            snuba,
            summary="Wrong.",
            state=State.DRAFT,
            languages=[make_language("Rust").pk],
        ),
    )
    snuba.refresh_from_db()
    url = reverse(
        "admin:projects_project_simple_history", args=[snuba.pk, first.history_id]
    )

    form = publisher.get(url).context["adminform"].form
    assert form.initial["summary"] == "Search."
    # The workflow and the revision stamp are today's, not the old version's.
    assert form.initial["state"] == State.DRAFT
    assert form.initial["loaded_revision"] == snuba.revision
    response = publisher.post(url, project_form(snuba, **_initial_data(form)))

    assert response.status_code == 302
    revision_before = snuba.revision
    snuba.refresh_from_db()
    assert snuba.summary == "Search."
    assert snuba.state == State.DRAFT
    assert [language.name for language in snuba.languages.all()] == ["Python"]
    assert [license_.spdx_id for license_ in snuba.licenses.all()] == ["MIT"]
    # Revisions only go forward, even back to old content.
    assert snuba.revision == revision_before + 1
    assert snuba.history.order_by("-history_id").first().history_user == (
        publisher.user
    )


def _initial_data(form):
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        data[name] = value
    data.pop("publish_at", None)
    data.pop("unpublish_at", None)
    return data


def test_an_editor_cannot_publish_by_reverting(login_as, make_license, make_project):
    make_license("MIT")
    project = make_project("Snuba")  # published
    publisher = login_as("Publisher")
    publisher.post(
        admin_url(Project, "changelist"),
        {"action": "unpublish", "_selected_action": [project.pk]},
    )
    published = project.history.order_by("history_id").first()
    url = reverse(
        "admin:projects_project_simple_history",
        args=[project.pk, published.history_id],
    )
    editor = login_as("Editor")

    form = editor.get(url).context["adminform"].form
    assert form.initial["state"] == State.DRAFT
    response = editor.post(url, project_form(project, state=State.PUBLISHED))

    assert response.status_code == 200
    project.refresh_from_db()
    assert project.state == State.DRAFT


# Authors outside the admin


def test_record_author_names_the_user_and_the_reason(make_license, admin_user):
    mit = make_license("MIT")

    record_author(mit, user=admin_user, reason="Synced from SPDX")
    mit.save()

    record = mit.history.first()
    assert record.history_user == admin_user
    assert record.history_change_reason == "Synced from SPDX"


def test_acting_as_names_the_author_of_every_save_inside(db, admin_user):
    with acting_as(admin_user):
        Category.objects.create(name="SDK", slug="sdk")
    Category.objects.create(name="Backend", slug="backend")

    by_name = {r.name: r.history_user for r in Category.history.all()}
    assert by_name == {"SDK": admin_user, "Backend": None}


def test_an_import_records_its_user_and_reason(make_license, db):
    make_license("MIT")
    user = get_user_model().objects.create_user("importer")
    rows = read_file(
        "slug,name,summary,license_expression\nsnuba,Snuba,Search.,MIT\n", "csv"
    )

    import_catalogue(rows, fmt="csv", user=user)

    record = Project.objects.get(slug="snuba").history.first()
    assert record.history_user == user
    assert record.history_change_reason == "Import"


def test_an_import_records_one_version_per_item_with_its_languages(
    make_license, make_project, make_language, db
):
    make_license("MIT")
    make_license("BUSL-1.1")
    relay = make_project("Relay", license_expression="MIT")
    versions_before = relay.history.count()
    user = get_user_model().objects.create_user("importer")
    content = (
        "slug,name,summary,license_expression,languages,releases\n"
        "snuba,Snuba,Search.,BUSL-1.1,python;rust,23.11.0|2023-11-15|BUSL-1.1\n"
        "relay,Relay,Now in Rust.,MIT,rust,\n"
    )

    import_catalogue(read_file(content, "csv"), fmt="csv", user=user)

    snuba = Project.objects.get(slug="snuba")
    (created,) = snuba.history.all()
    assert created.history_type == "+"
    assert (created.history_user, created.history_change_reason) == (user, "Import")
    assert created.summary == "Search."
    assert sorted(row.language.slug for row in created.languages.all()) == [
        "python",
        "rust",
    ]
    (release,) = snuba.releases.get().history.all()
    assert (release.history_type, release.history_user) == ("+", user)
    updated = relay.history.first()
    assert relay.history.count() == versions_before + 1
    assert (updated.history_type, updated.summary) == ("~", "Now in Rust.")
    assert [row.language.slug for row in updated.languages.all()] == ["rust"]

    # The same file again changes nothing, so records nothing.
    import_catalogue(read_file(content, "csv"), fmt="csv", user=user)
    assert snuba.history.count() == 1
    assert relay.history.count() == versions_before + 1


def test_an_import_without_a_user_names_the_acting_user(make_license, db):
    make_license("MIT")
    user = get_user_model().objects.create_user("bob")
    content = "slug,name,summary,license_expression\nsnuba,Snuba,S.,MIT\n"
    rows = read_file(content, "csv")

    with acting_as(user):
        import_catalogue(rows, fmt="csv", user=SYSTEM)

    record = Project.objects.get(slug="snuba").history.get()
    assert (record.history_user, record.history_change_reason) == (user, "Import")
