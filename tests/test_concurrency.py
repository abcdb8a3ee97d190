"""No lost updates: when two editors open the same record and both save, the
second save is refused with what changed meanwhile, and nothing is overwritten.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licenses.models import License
from portal.publishing.models import State
from portal.publishing.versioning import locked_current
from projects.models import Project, Release


def admin_url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def form_data(response, **changes):
    """What the browser would post back: the form as it was opened (the revision
    stamp included), with the editor's changes."""
    data = {}
    adminform = response.context["adminform"]
    for name, field in adminform.form.fields.items():
        value = adminform.form[name].value()
        if value is None or field.disabled:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is not None:
                    data[form.add_prefix(name)] = value
    data.update(changes)
    return data


@pytest.fixture
def snuba(make_license, make_project):
    make_license("MIT")
    return make_project("Snuba", summary="Search.", description="Fast.")


def test_every_save_moves_the_revision_on(snuba):
    revision = snuba.revision

    snuba.summary = "Search and storage."
    snuba.save()
    snuba.save(update_fields=["summary"])

    assert snuba.revision == revision + 2
    snuba.refresh_from_db()
    assert snuba.revision == revision + 2


def test_the_second_of_two_concurrent_saves_is_refused(login_as, snuba):
    alice, bob = login_as("Editor", "alice"), login_as("Editor", "bob")
    url = admin_url(Project, "change", snuba.pk)
    alices_page, bobs_page = alice.get(url), bob.get(url)

    first = alice.post(url, form_data(alices_page, summary="Search and storage."))
    second = bob.post(url, form_data(bobs_page, description="Very fast."))

    assert first.status_code == 302
    assert second.status_code == 200
    errors = second.context["adminform"].form.non_field_errors()
    assert errors[0].startswith("alice saved “Snuba” (")
    assert "Nothing was saved, so that their changes are not lost." in errors[0]
    assert "Summary: yours “Search.”, now “Search and storage.”." in errors
    html = second.content.decode()
    assert "Summary: yours “Search.”, now “Search and storage.”." in (
        html.replace("&ldquo;", "“").replace("&rdquo;", "”")
    )
    snuba.refresh_from_db()
    assert snuba.summary == "Search and storage."
    assert snuba.description == "Fast."


def test_saving_again_after_reloading_works(login_as, snuba):
    alice, bob = login_as("Editor", "alice"), login_as("Editor", "bob")
    url = admin_url(Project, "change", snuba.pk)
    bobs_page = bob.get(url)
    alice.post(url, form_data(alice.get(url), summary="Search and storage."))
    assert bob.post(url, form_data(bobs_page, description="x")).status_code == 200

    response = bob.post(url, form_data(bob.get(url), description="Very fast."))

    assert response.status_code == 302
    snuba.refresh_from_db()
    assert (snuba.summary, snuba.description) == ("Search and storage.", "Very fast.")


def test_a_publish_meanwhile_refuses_an_open_form(login_as, snuba):
    snuba.state = State.REVIEW
    snuba.save()
    editor, publisher = login_as("Editor"), login_as("Publisher")
    url = admin_url(Project, "change", snuba.pk)
    page = editor.get(url)

    publisher.post(
        admin_url(Project, "changelist"),
        {"action": "publish", "_selected_action": [snuba.pk]},
    )
    response = editor.post(url, form_data(page, summary="Mine."))

    assert response.status_code == 200
    assert "State: yours “In review”, now “Published”." in (
        response.context["adminform"].form.non_field_errors()
    )
    snuba.refresh_from_db()
    assert (snuba.summary, snuba.state) == ("Search.", State.PUBLISHED)


def test_an_inline_row_changed_meanwhile_refuses_the_parent_form(
    login_as, snuba, make_release
):
    release = make_release(snuba, "1.0.0")
    alice, bob = login_as("Editor", "alice"), login_as("Editor", "bob")
    project_url = admin_url(Project, "change", snuba.pk)
    page = bob.get(project_url)

    alice.post(
        admin_url(Release, "change", release.pk),
        form_data(
            alice.get(admin_url(Release, "change", release.pk)),
            license_expression="MIT OR Apache-2.0",
        ),
    )
    response = bob.post(project_url, form_data(page, summary="Mine."))

    assert response.status_code == 200
    assert "License expression: yours “MIT”, now “MIT OR Apache-2.0”." in (
        response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")
    )
    snuba.refresh_from_db()
    release.refresh_from_db()
    assert snuba.summary == "Search."
    assert release.license_expression == "MIT OR Apache-2.0"


def test_the_revision_check_reads_the_row_under_a_lock(snuba):
    Project.objects.filter(pk=snuba.pk).update(revision=41)

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        current = locked_current(snuba)

    assert current.revision == 41
    if connection.features.has_select_for_update:  # PostgreSQL; SQLite locks all
        assert "FOR NO KEY UPDATE" in queries[-1]["sql"]


def test_a_license_form_carries_its_revision_too(login_as, make_license):
    mit = make_license("MIT", summary="Old.")
    alice, bob = login_as("Publisher", "alice"), login_as("Publisher", "bob")
    url = admin_url(License, "change", mit.pk)
    alices_page, bobs_page = alice.get(url), bob.get(url)
    assert (
        f'name="loaded_revision" value="{mit.revision}"' in alices_page.content.decode()
    )

    assert alice.post(url, form_data(alices_page, summary="New.")).status_code == 302
    response = bob.post(url, form_data(bobs_page, name="MIT License"))

    assert response.status_code == 200
    mit.refresh_from_db()
    assert (mit.summary, mit.name) == ("New.", "MIT license")


def test_a_releases_version_number_is_not_its_revision(login_as, snuba, make_release):
    release = make_release(snuba, "23.11.0", state=State.REVIEW)

    login_as("Publisher").post(
        admin_url(Release, "changelist"),
        {"action": "publish", "_selected_action": [release.pk]},
    )

    release.refresh_from_db()
    assert (release.version, release.revision) == ("23.11.0", 2)
