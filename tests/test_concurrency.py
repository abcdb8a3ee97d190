"""No lost updates: when two editors open the same record and both save, the
second save is not written as it is: it is merged with the first (fields only
one side changed take that side's value; fields both changed are shown side by
side with a choice), and one more click on Save confirms the merge.
"""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licenses.models import License
from portal.models import Section, Statement
from portal.publishing.models import State
from portal.publishing.revisions import Revision
from portal.publishing.versioning import locked_current
from projects.models import Project, Release
from tests.helpers import parse


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
    """A draft: editors' saves of it apply at once (a published item's would
    wait for review as pending revisions, tests/test_revisions.py)."""
    make_license("MIT")
    return make_project("Snuba", summary="Search.", description="Fast.", state="draft")


def test_every_save_moves_the_revision_on(snuba):
    revision = snuba.revision

    snuba.summary = "Search and storage."
    snuba.save()
    snuba.save(update_fields=["summary"])

    assert snuba.revision == revision + 2
    snuba.refresh_from_db()
    assert snuba.revision == revision + 2


def merged(response) -> dict:
    """What the merge panel of a change page says, as an editor reads it."""
    panel = parse(response).find("section", "portal-merge")
    return {
        "text": panel.text,
        "applied": [li.text for li in panel.find_all("li", "portal-merge__applied")],
        "refused": [li.text for li in panel.find_all("li", "portal-merge__refused")],
        "outcomes": [
            li.text
            for ul in panel.find_all("ul", "portal-merge__outcomes")
            for li in ul.find_all("li")
        ],
        "conflicts": [
            fieldset.find("legend").text
            for fieldset in panel.find_all("fieldset", "portal-merge__conflict")
        ],
        "sides": [
            [value.text for value in fieldset.find_all("div", "portal-merge__value")]
            for fieldset in panel.find_all("fieldset", "portal-merge__conflict")
        ],
    }


def save_merged(client, url, response, **changes):
    """Click Save on the merged form: what it holds, with the merge's hidden
    token(s) as the page has them, and ``changes`` (e.g. the choices
    ``{"merge-summary": "mine"}``)."""
    data = form_data(response)
    html = response.content.decode()
    tokens = re.findall(r'name="([^"]*merge_token)" value="([^"]*)"', html)
    assert tokens, "the merged form carries no merge token"
    data.update(dict(tokens))
    data.update(changes)
    return client.post(url, data)


def field_value(response, name):
    return response.context["adminform"].form[name].value()


def test_changes_to_different_fields_both_survive_one_more_click(login_as, snuba):
    alice, bob = login_as("Editor", "alice"), login_as("Editor", "bob")
    url = admin_url(Project, "change", snuba.pk)
    alices_page, bobs_page = alice.get(url), bob.get(url)

    first = alice.post(url, form_data(alices_page, summary="Search and storage."))
    second = bob.post(url, form_data(bobs_page, description="Very fast."))

    assert first.status_code == 302
    assert second.status_code == 200
    panel = merged(second)
    assert "alice saved project “Snuba” (" in panel["text"]
    assert "Nothing is saved yet" in panel["text"]
    assert panel["outcomes"] == [
        "Applied: your change to Description",
        "Kept: their change to Summary",
    ]
    assert panel["conflicts"] == []
    # No dead end: the form holds the merge and the current revision.
    snuba.refresh_from_db()
    assert (snuba.summary, snuba.description) == ("Search and storage.", "Fast.")
    assert field_value(second, "summary") == "Search and storage."
    assert field_value(second, "description") == "Very fast."
    assert str(field_value(second, "loaded_revision")) == str(snuba.revision)
    assert f'name="loaded_revision" value="{snuba.revision}"' in (
        second.content.decode()
    )
    assert "Please correct the error" not in second.content.decode()

    versions = snuba.history.count()
    third = save_merged(bob, url, second)

    assert third.status_code == 302
    snuba.refresh_from_db()
    assert (snuba.summary, snuba.description) == ("Search and storage.", "Very fast.")
    assert snuba.history.count() == versions + 1
    assert snuba.history.first().history_user.username == "bob"


@pytest.mark.parametrize(
    ("choice", "saved"), [("mine", "Search for Sentry."), ("theirs", "Search.io")]
)
def test_a_field_both_changed_is_shown_side_by_side_with_a_choice(
    login_as, snuba, choice, saved
):
    alice, bob = login_as("Editor", "alice"), login_as("Editor", "bob")
    url = admin_url(Project, "change", snuba.pk)
    bobs_page = bob.get(url)
    alice.post(url, form_data(alice.get(url), summary="Search.io"))

    response = bob.post(url, form_data(bobs_page, summary="Search for Sentry."))

    assert response.status_code == 200
    panel = merged(response)
    assert panel["conflicts"] == ["Summary: changed by you and by alice"]
    assert panel["sides"] == [["Search.io", "Search for Sentry."]]
    html = response.content.decode()
    assert 'name="merge-summary" id="merge-summary-theirs" value="theirs"' in html
    assert 'name="merge-summary" id="merge-summary-mine" value="mine"' in html
    # The editor's text stays in the form.
    assert field_value(response, "summary") == "Search for Sentry."

    saved_response = save_merged(bob, url, response, **{"merge-summary": choice})

    assert saved_response.status_code == 302
    snuba.refresh_from_db()
    assert snuba.summary == saved


def test_the_word_diff_marks_what_each_side_has(login_as, snuba):
    alice, bob = login_as("Editor", "alice"), login_as("Editor", "bob")
    url = admin_url(Project, "change", snuba.pk)
    bobs_page = bob.get(url)
    alice.post(url, form_data(alice.get(url), description="Fast and small."))

    response = bob.post(url, form_data(bobs_page, description="Fast and light."))

    panel = parse(response).find("fieldset", "portal-merge__conflict")
    assert [d.text for d in panel.find_all("del")] == ["small."]
    assert [i.text for i in panel.find_all("ins")] == ["light."]


def test_a_conflict_without_a_choice_is_asked_again_and_nothing_is_lost(
    login_as, snuba
):
    alice, bob = login_as("Editor", "alice"), login_as("Editor", "bob")
    url = admin_url(Project, "change", snuba.pk)
    bobs_page = bob.get(url)
    alice.post(url, form_data(alice.get(url), summary="Theirs."))
    merged_page = bob.post(url, form_data(bobs_page, summary="Mine."))

    again = save_merged(bob, url, merged_page)

    assert again.status_code == 200
    assert merged(again)["conflicts"] == ["Summary: changed by you and by alice"]
    assert "Choose whether to keep theirs or use yours." in merged(again)["text"]
    assert field_value(again, "summary") == "Mine."
    snuba.refresh_from_db()
    assert snuba.summary == "Theirs."

    done = save_merged(bob, url, again, **{"merge-summary": "mine"})

    assert done.status_code == 302
    snuba.refresh_from_db()
    assert snuba.summary == "Mine."


def test_the_editor_may_edit_a_conflicting_field_before_saving(login_as, snuba):
    alice, bob = login_as("Editor", "alice"), login_as("Editor", "bob")
    url = admin_url(Project, "change", snuba.pk)
    bobs_page = bob.get(url)
    alice.post(url, form_data(alice.get(url), summary="Search.io"))
    response = bob.post(url, form_data(bobs_page, summary="Search for Sentry."))

    done = save_merged(
        bob,
        url,
        response,
        summary="Search.io, for Sentry.",
        **{"merge-summary": "mine"},
    )

    assert done.status_code == 302
    snuba.refresh_from_db()
    assert snuba.summary == "Search.io, for Sentry."


def test_a_save_made_before_the_confirmation_is_merged_too(login_as, snuba):
    alice, bob, carol = (
        login_as("Editor", "alice"),
        login_as("Editor", "bob"),
        login_as("Editor", "carol"),
    )
    url = admin_url(Project, "change", snuba.pk)
    bobs_page = bob.get(url)
    alice.post(url, form_data(alice.get(url), summary="Theirs."))
    merged_page = bob.post(
        url, form_data(bobs_page, summary="Mine.", description="Very fast.")
    )
    carol.post(url, form_data(carol.get(url), name="Snuba DB"))

    again = save_merged(bob, url, merged_page, **{"merge-summary": "theirs"})

    assert again.status_code == 200
    # The summary is theirs, as chosen: only the name is new.
    assert merged(again)["outcomes"] == [
        "Applied: your change to Description",
        "Kept: their change to Name",
    ]
    assert field_value(again, "summary") == "Theirs."
    assert field_value(again, "description") == "Very fast."
    done = save_merged(bob, url, again)
    assert done.status_code == 302
    snuba.refresh_from_db()
    assert (snuba.name, snuba.summary, snuba.description) == (
        "Snuba DB",
        "Theirs.",
        "Very fast.",
    )


def test_languages_added_on_both_sides_are_combined(login_as, snuba, make_language):
    python, rust, go = (make_language(n) for n in ("Python", "Rust", "Go"))
    snuba.languages.set([python])
    alice, bob = login_as("Editor", "alice"), login_as("Editor", "bob")
    url = admin_url(Project, "change", snuba.pk)
    alices_page, bobs_page = alice.get(url), bob.get(url)
    alice.post(url, form_data(alices_page, languages=[str(python.pk), str(rust.pk)]))

    response = bob.post(url, form_data(bobs_page, languages=[str(go.pk)]))

    assert merged(response)["outcomes"] == [
        "Combined: your changes and theirs to Languages"
    ]
    assert save_merged(bob, url, response).status_code == 302
    assert set(snuba.languages.values_list("name", flat=True)) == {"Rust", "Go"}


def test_a_tampered_merge_token_is_ignored(login_as, snuba):
    alice, bob = login_as("Editor", "alice"), login_as("Editor", "bob")
    url = admin_url(Project, "change", snuba.pk)
    bobs_page = bob.get(url)
    alice.post(url, form_data(alice.get(url), summary="Theirs."))
    response = bob.post(url, form_data(bobs_page, summary="Mine."))
    data = form_data(response, merge_token="forged:token")

    again = bob.post(url, data)

    # Without its token the choice is not asked, as for any fresh form.
    assert again.status_code == 302


def test_a_publish_meanwhile_is_kept_and_the_policy_still_refuses(login_as, snuba):
    snuba.state = State.REVIEW
    snuba.save()
    editor, publisher = login_as("Editor", "eve"), login_as("Publisher", "pat")
    url = admin_url(Project, "change", snuba.pk)
    page = editor.get(url)

    publisher.post(
        admin_url(Project, "changelist"),
        {"action": "publish", "_selected_action": [snuba.pk]},
    )
    response = editor.post(url, form_data(page, summary="Mine.", state="draft"))

    assert response.status_code == 200
    panel = merged(response)
    assert panel["applied"] == ["Applied: your change to Summary"]
    assert panel["refused"] == [
        "Not applied: your change to State. “Snuba” is published: only a publisher "
        "can change its state or schedule."
    ]
    # Saving anyway (even sending the state) keeps it published.
    done = save_merged(editor, url, response, state="draft")
    assert done.status_code == 302
    snuba.refresh_from_db()
    # Published meanwhile: the editor's change now waits for review.
    assert (snuba.summary, snuba.state) == ("Search.", State.PUBLISHED)
    assert Revision.objects.of(snuba).pending().get().values["summary"] == "Mine."


def test_two_publishers_merge_on_a_published_project(login_as, snuba):
    snuba.state = State.PUBLISHED
    snuba.save()
    alice, bob = login_as("Publisher", "alice"), login_as("Publisher", "bob")
    url = admin_url(Project, "change", snuba.pk)
    alices_page, bobs_page = alice.get(url), bob.get(url)
    alice.post(url, form_data(alices_page, summary="Theirs.", state="review"))

    response = bob.post(
        url, form_data(bobs_page, description="Very fast.", state="draft")
    )

    panel = merged(response)
    assert panel["applied"] == ["Applied: your change to Description"]
    assert panel["conflicts"] == ["State: changed by you and by alice"]
    assert panel["sides"] == [["In review", "Draft"]]
    done = save_merged(bob, url, response, **{"merge-state": "mine"})
    assert done.status_code == 302
    snuba.refresh_from_db()
    assert (snuba.summary, snuba.description, snuba.state) == (
        "Theirs.",
        "Very fast.",
        State.DRAFT,
    )


def test_an_editor_merges_on_a_draft(login_as, make_project):
    draft = make_project("Relay", summary="Old.", state=State.DRAFT)
    alice, bob = login_as("Editor", "alice"), login_as("Editor", "bob")
    url = admin_url(Project, "change", draft.pk)
    alices_page, bobs_page = alice.get(url), bob.get(url)
    alice.post(url, form_data(alices_page, state="review"))

    response = bob.post(url, form_data(bobs_page, summary="New."))

    assert merged(response)["outcomes"] == [
        "Applied: your change to Summary",
        "Kept: their change to State",
    ]
    assert save_merged(bob, url, response).status_code == 302
    draft.refresh_from_db()
    assert (draft.summary, draft.state) == ("New.", State.REVIEW)


def test_an_inline_row_changed_meanwhile_is_merged_and_named(
    login_as, snuba, make_release
):
    release = make_release(snuba, "1.0.0", state=State.DRAFT)
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
    panel = parse(response).find("section", "portal-merge")
    assert [h3.text for h3 in panel.find_all("h3")] == ["Release “Snuba 1.0.0”"]
    assert merged(response)["outcomes"] == ["Kept: their change to License expression"]
    snuba.refresh_from_db()
    release.refresh_from_db()
    assert snuba.summary == "Search."
    assert release.license_expression == "MIT OR Apache-2.0"
    # The row shown again holds theirs and the current revision.
    row = parse(response).find("tr", id="releases-0")
    assert row.find("input", name="releases-0-license_expression").attrs["value"] == (
        "MIT OR Apache-2.0"
    )
    assert row.find("input", name="releases-0-loaded_revision").attrs["value"] == (
        str(release.revision)
    )

    assert save_merged(bob, project_url, response).status_code == 302
    snuba.refresh_from_db()
    release.refresh_from_db()
    assert snuba.summary == "Mine."
    assert release.license_expression == "MIT OR Apache-2.0"


def test_an_inline_row_both_changed_asks_which_to_keep(login_as, snuba, make_release):
    release = make_release(snuba, "1.0.0", state=State.DRAFT)
    alice, bob = login_as("Editor", "alice"), login_as("Editor", "bob")
    project_url = admin_url(Project, "change", snuba.pk)
    page = bob.get(project_url)
    release_url = admin_url(Release, "change", release.pk)
    alice.post(
        release_url,
        form_data(alice.get(release_url), license_expression="MIT OR Apache-2.0"),
    )

    response = bob.post(
        project_url, form_data(page, **{"releases-0-license_expression": "Apache-2.0"})
    )

    assert merged(response)["conflicts"] == [
        "License expression: changed by you and by alice"
    ]
    assert 'name="releases-0-merge-license_expression"' in response.content.decode()
    done = save_merged(
        bob, project_url, response, **{"releases-0-merge-license_expression": "mine"}
    )
    assert done.status_code == 302
    release.refresh_from_db()
    assert release.license_expression == "Apache-2.0"


def test_a_statement_changed_meanwhile_merges_with_its_section(
    login_as, make_section, make_statement
):
    section = make_section("Goals", intro="Why.", state=State.DRAFT)
    statement = make_statement(section, body="We share.", state=State.DRAFT)
    alice, bob = login_as("Editor", "alice"), login_as("Editor", "bob")
    section_url = admin_url(Section, "change", section.pk)
    page = bob.get(section_url)
    statement_url = admin_url(Statement, "change", statement.pk)
    alice.post(
        statement_url, form_data(alice.get(statement_url), body="We share code.")
    )

    response = bob.post(section_url, form_data(page, intro="Why we share."))

    assert response.status_code == 200
    assert merged(response)["outcomes"] == ["Kept: their change to Body"]
    assert save_merged(bob, section_url, response).status_code == 302
    section.refresh_from_db()
    statement.refresh_from_db()
    assert (section.intro, statement.body) == ("Why we share.", "We share code.")


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


def test_without_the_opened_version_in_history_every_difference_is_a_choice(
    login_as, snuba
):
    alice, bob = login_as("Editor", "alice"), login_as("Editor", "bob")
    url = admin_url(Project, "change", snuba.pk)
    bobs_page = bob.get(url)
    snuba.history.all().delete()  # a row older than its history
    alice.post(url, form_data(alice.get(url), summary="Theirs."))

    response = bob.post(url, form_data(bobs_page, description="Very fast."))

    # Who changed which is unknown: nothing is taken from either side unasked.
    assert merged(response)["conflicts"] == [
        "Summary: yours and the one saved by alice differ",
        "Description: yours and the one saved by alice differ",
    ]
    done = save_merged(
        bob, url, response, **{"merge-summary": "theirs", "merge-description": "mine"}
    )
    assert done.status_code == 302
    snuba.refresh_from_db()
    assert (snuba.summary, snuba.description) == ("Theirs.", "Very fast.")


def test_a_stale_revert_is_still_refused(login_as, snuba):
    alice, bob = login_as("Publisher", "alice"), login_as("Publisher", "bob")
    first = snuba.history.order_by("history_id").first()
    url = reverse(
        "admin:projects_project_simple_history", args=[snuba.pk, first.history_id]
    )
    form = bob.get(url).context["adminform"].form
    data = {
        name: form.initial[name]
        for name in form.fields
        if form.initial.get(name) not in (None, [])
        and name not in ("publish_at", "unpublish_at")
    }
    change = admin_url(Project, "change", snuba.pk)
    alice.post(change, form_data(alice.get(change), summary="Theirs."))

    response = bob.post(url, data)

    assert response.status_code == 200
    assert "merges" not in response.context
    errors = response.context["adminform"].form.non_field_errors()
    assert errors[0].startswith("alice saved “Snuba” (")
    snuba.refresh_from_db()
    assert snuba.summary == "Theirs."


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
    assert save_merged(bob, url, response).status_code == 302
    mit.refresh_from_db()
    assert (mit.summary, mit.name) == ("New.", "MIT License")


def test_rules_ticked_on_both_sides_are_combined(login_as, make_license):
    mit = make_license("MIT", permissions=["commercial-use"])
    alice, bob = login_as("Publisher", "alice"), login_as("Publisher", "bob")
    url = admin_url(License, "change", mit.pk)
    alices_page, bobs_page = alice.get(url), bob.get(url)
    alice.post(
        url, form_data(alices_page, permissions=["commercial-use", "distribution"])
    )

    response = bob.post(
        url, form_data(bobs_page, permissions=["commercial-use", "private-use"])
    )

    assert merged(response)["outcomes"] == [
        "Combined: your changes and theirs to Permissions"
    ]
    html = response.content.decode()
    for rule in ("commercial-use", "distribution", "private-use"):
        assert re.search(rf'value="{rule}"[^>]*checked', html), rule
    assert save_merged(bob, url, response).status_code == 302
    mit.refresh_from_db()
    assert mit.permissions == ["commercial-use", "distribution", "private-use"]


def test_a_releases_version_number_is_not_its_revision(login_as, snuba, make_release):
    release = make_release(snuba, "23.11.0", state=State.REVIEW)

    login_as("Publisher").post(
        admin_url(Release, "changelist"),
        {"action": "publish", "_selected_action": [release.pk]},
    )

    release.refresh_from_db()
    assert (release.version, release.revision) == ("23.11.0", 2)
