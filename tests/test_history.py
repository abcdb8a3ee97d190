"""History: every change to content is recorded with its author, editors can see
who changed what and when, compare any two versions field by field, and revert
to any version.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from portal.publishing.history import acting_as, record_author
from portal.publishing.models import State
from portal.publishing.policy import SYSTEM
from projects.imports import import_catalogue, read_file
from projects.models import Category, Project
from projects.services import project_update
from tests.helpers import CONTENT_MODELS


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
    editor = login_as("Publisher")

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
    editor = login_as("Publisher", username="alice")
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

    login_as("Publisher").post(
        admin_url(Project, "change", snuba.pk),
        project_form(snuba, languages=[rust.pk]),
    )

    assert [row.language.name for row in before.languages.all()] == ["Python"]
    after = latest_record(snuba)
    assert [row.language.name for row in after.languages.all()] == ["Rust"]


# Compare


def test_compare_shows_each_changed_field_with_both_values(login_as, snuba):
    editor = login_as("Publisher")
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
        "Description": ("(empty)", "<ins>*Fast*.</ins>"),
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
    editor = login_as("Publisher")
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
    # Applies its changes of published projects at once (no review).
    user = get_user_model().objects.create_user("importer", is_superuser=True)
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


# One version per save, readable changes, styled pages


def test_one_admin_save_of_fields_and_languages_makes_one_version(
    login_as, snuba, make_language
):
    editor = login_as("Publisher")
    versions_before = snuba.history.count()

    editor.post(
        admin_url(Project, "change", snuba.pk),
        project_form(snuba, summary="Changed.", languages=[make_language("Rust").pk]),
    )

    assert snuba.history.count() == versions_before + 1
    latest = latest_record(snuba)
    assert latest.summary == "Changed."
    assert [row.language.name for row in latest.languages.all()] == ["Rust"]


def test_a_service_update_with_languages_makes_one_version(snuba, make_language):
    versions_before = snuba.history.count()

    project_update(
        user=SYSTEM,
        project=snuba,
        data={"summary": "Changed.", "languages": [make_language("Go")]},
    )

    assert snuba.history.count() == versions_before + 1
    assert [row.language.name for row in latest_record(snuba).languages.all()] == ["Go"]


def test_an_empty_previous_category_reads_none(login_as, snuba, make_category):
    editor = login_as("Publisher")
    before = latest_record(snuba)
    sdk = make_category("SDK")
    editor.post(
        admin_url(Project, "change", snuba.pk),
        project_form(snuba, category=sdk.pk),
    )

    compare = editor.get(
        admin_url(Project, "history_compare", snuba.pk),
        {"from": before.history_id},
    )
    history = editor.get(admin_url(Project, "history", snuba.pk)).content.decode()

    changes = {c["field"]: (c["old"], c["new"]) for c in compare.context["changes"]}
    assert changes["Category"] == ("(none)", "SDK")
    assert "pk=None" not in history
    assert "(none)" in history


def test_the_history_page_shows_no_reason_as_an_empty_cell(login_as, snuba):
    editor = login_as("Editor")
    editor.post(
        admin_url(Project, "change", snuba.pk), project_form(snuba, summary="New.")
    )

    html = editor.get(admin_url(Project, "history", snuba.pk)).content.decode()

    table = html[html.index('id="change-history"') :]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)[1:]
    reason_cells = [
        re.findall(r"<td>(.*?)</td>", row, re.DOTALL)[5].strip() for row in rows
    ]
    assert reason_cells == [""] * len(rows)


def test_history_shows_a_long_text_change_word_by_word(login_as, snuba):
    words = " ".join(f"word{n}" for n in range(60))
    snuba.description = f"A **short** text. {words} The end."
    snuba.save()
    editor = login_as("Publisher")
    snuba.refresh_from_db()
    editor.post(
        admin_url(Project, "change", snuba.pk),
        project_form(snuba, description=f"A **long** text. {words} The end."),
    )

    html = editor.get(admin_url(Project, "history", snuba.pk)).content.decode()
    latest_row = html.split("<tbody>")[1].split("</tr>")[0]

    assert "A <del>**short** </del>text." in latest_row
    assert "A <ins>**long** </ins>text." in latest_row
    assert "chars]" not in html
    # Unchanged stretches are elided around the change.
    assert "word30" not in latest_row
    assert "word59 The end." not in latest_row


def test_compare_marks_the_words_that_changed(login_as, snuba):
    editor = login_as("Publisher")
    before = latest_record(snuba)
    editor.post(
        admin_url(Project, "change", snuba.pk),
        project_form(snuba, description="Keeps <b>this</b> and drops that."),
    )
    middle = latest_record(snuba)
    editor.post(
        admin_url(Project, "change", snuba.pk),
        project_form(
            Project.objects.get(pk=snuba.pk),
            description="Keeps <b>this</b> and adds more.",
        ),
    )

    response = editor.get(
        admin_url(Project, "history_compare", snuba.pk),
        {"from": middle.history_id, "to": latest_record(snuba).history_id},
    )

    assert before.history_id != middle.history_id
    html = response.content.decode()
    assert "Keeps &lt;b&gt;this&lt;/b&gt; and <del>drops that.</del>" in html
    assert "Keeps &lt;b&gt;this&lt;/b&gt; and <ins>adds more.</ins>" in html


def breadcrumbs(html: str) -> list[str]:
    match = re.search(r'<ol class="breadcrumbs">(.*?)</ol>', html, re.DOTALL)
    assert match, "no admin breadcrumbs"
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r"<li[^>]*>(.*?)</li>", match.group(1), re.DOTALL)
    ]


def test_history_compare_revert_and_import_pages_have_the_admin_breadcrumbs(
    login_as, snuba
):
    publisher = login_as("Publisher")
    record = latest_record(snuba)
    pages = {
        "history": admin_url(Project, "history", snuba.pk),
        "compare": admin_url(Project, "history_compare", snuba.pk),
        "revert": reverse(
            "admin:projects_project_simple_history",
            args=[snuba.pk, record.history_id],
        ),
        "import": reverse("admin:projects_project_import"),
    }

    trails = {
        name: breadcrumbs(publisher.get(url).content.decode())
        for name, url in pages.items()
    }

    assert trails["history"] == ["Home", "Projects", "Projects", "Snuba", "History"]
    assert trails["compare"] == [
        *("Home", "Projects", "Projects", "Snuba", "History", "Compare")
    ]
    assert trails["revert"] == [
        *("Home", "Projects", "Projects", "Snuba", "History", "Revert project")
    ]
    assert trails["import"][:3] == ["Home", "Projects", "Projects"]


def test_the_revert_page_names_the_model_not_its_history(login_as, snuba):
    publisher = login_as("Publisher")
    url = reverse(
        "admin:projects_project_simple_history",
        args=[snuba.pk, latest_record(snuba).history_id],
    )

    html = publisher.get(url).content.decode()

    assert "Revert project “Snuba”" in html
    assert "Historical" not in html
