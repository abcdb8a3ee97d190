"""Changes of published content wait for a publisher: an editor's edit of a
published item, through any door, is kept as a pending revision; readers, the
API and the rest see the published version until a publisher approves it (or
sends it back with a comment); publishers and authors are told by email."""

import io
import json
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.publishing.models import State
from portal.publishing.revisions import (
    Revision,
    RevisionRefused,
    RevisionStatus,
    revision_approve,
    revision_submit,
)
from portal.publishing.signals import published_content_changed
from projects.imports import import_catalogue, read_file
from projects.models import LicenseChange, Project
from projects.services import project_update
from tests.helpers import admin_form_data, run_queued_tasks, section


def admin_url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


INLINES = {
    "releases-TOTAL_FORMS": "0",
    "releases-INITIAL_FORMS": "0",
    "license_changes-TOTAL_FORMS": "0",
    "license_changes-INITIAL_FORMS": "0",
}


def edit_in_admin(client, item, **changes):
    """Open the item's change form, change the fields, save; the response."""
    url = admin_url(type(item), "change", item.pk)
    form = client.get(url).context["adminform"].form
    data = {**admin_form_data(form), **INLINES, **changes}
    return client.post(url, data)


def public_summary(client, slug="snuba") -> str:
    page = client.get(f"/projects/{slug}/").content.decode()
    api = client.get(f"/api/v1/projects/{slug}/").json()["summary"]
    assert api in page
    return api


@pytest.fixture
def snuba(make_license, make_project, make_language):
    make_license("MIT")
    return make_project(
        "Snuba", slug="snuba", summary="Search.", languages=[make_language("Python")]
    )


@pytest.fixture
def people(login_as, django_user_model):
    editor = login_as("Editor", "alice")
    editor.user.email = "alice@example.com"
    editor.user.save()
    publisher = login_as("Publisher", "paula")
    publisher.user.email = "paula@example.com"
    publisher.user.save()
    return editor, publisher


def test_an_editors_change_of_a_published_project_waits_for_review(
    client, snuba, people, make_language
):
    editor, _publisher = people
    rust = make_language("Rust")

    response = edit_in_admin(
        editor, snuba, summary="Search and storage.", languages=[str(rust.pk)]
    )

    assert response.status_code == 302
    page = editor.get(response["Location"]).content.decode()
    assert "Your change was saved for review; readers still see the published" in page
    assert 'id="pending-revision"' in page
    assert public_summary(client) == "Search."
    snuba.refresh_from_db()
    assert [lang.name for lang in snuba.languages.all()] == ["Python"]
    revision = Revision.objects.of(snuba).pending().get()
    assert revision.author == editor.user
    assert revision.values["summary"] == "Search and storage."
    assert revision.values["languages"] == [rust.pk]


def test_editing_again_starts_from_the_pending_change_and_replaces_it(snuba, people):
    editor, _publisher = people
    edit_in_admin(editor, snuba, summary="Search and storage.")

    form = editor.get(admin_url(Project, "change", snuba.pk)).context["adminform"].form
    assert form["summary"].value() == "Search and storage."
    edit_in_admin(editor, snuba, description="Now *faster*.")

    pending = Revision.objects.of(snuba).pending().get()
    assert pending.values["summary"] == "Search and storage."
    assert pending.values["description"] == "Now *faster*."
    assert Revision.objects.of(snuba).filter(status="superseded").count() == 1


def test_an_editor_reads_but_cannot_change_a_published_projects_license_history(
    snuba, people
):
    editor, publisher = people
    grant = LicenseChange.objects.create(
        project=snuba, effective_on="2024-01-01", license_expression="MIT"
    )
    url = admin_url(Project, "change", snuba.pk)

    form_page = editor.get(url)
    # Shown, not editable.
    assert "2024-01-01" in form_page.content.decode()
    assert 'name="license_changes-0-note"' not in form_page.content.decode()
    data = {
        **admin_form_data(form_page.context["adminform"].form),
        "releases-TOTAL_FORMS": "0",
        "releases-INITIAL_FORMS": "0",
        "license_changes-TOTAL_FORMS": "1",
        "license_changes-INITIAL_FORMS": "1",
        "license_changes-0-id": str(grant.pk),
        "license_changes-0-project": str(snuba.pk),
        "license_changes-0-effective_on": "2024-01-01",
        "license_changes-0-license_expression": "MIT",
        "license_changes-0-note": "Changed by an editor.",
        "license_changes-0-DELETE": "on",
    }
    editor.post(url, data)

    grant.refresh_from_db()
    assert grant.note == ""
    # A publisher edits them as before.
    assert 'name="license_changes-0-note"' in publisher.get(url).content.decode()


def test_a_second_editor_from_an_older_pending_change_is_refused(
    snuba, people, login_as
):
    alice, _publisher = people
    bob = login_as("Editor", "bob")
    url = admin_url(Project, "change", snuba.pk)
    bobs_form = admin_form_data(bob.get(url).context["adminform"].form)
    edit_in_admin(alice, snuba, summary="Alice's words.")

    response = bob.post(url, {**bobs_form, **INLINES, "summary": "Bob's words."})

    assert response.status_code == 200
    assert "saved a change of" in response.content.decode()
    assert Revision.objects.of(snuba).pending().get().values["summary"] == (
        "Alice's words."
    )


def test_publisher_reviews_compares_previews_and_approves(
    client, snuba, people, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://opensource.example.org"
    editor, publisher = people
    with django_capture_on_commit_callbacks(execute=True):
        edit_in_admin(editor, snuba, summary="Search and storage.")

    index = publisher.get(reverse("admin:index")).content.decode()
    review = re.search(r'id="dashboard-review">(.*?)</section>', index, re.DOTALL)
    assert "Snuba" in review.group(1)
    assert "submitted by alice" in review.group(1)
    form_page = publisher.get(admin_url(Project, "change", snuba.pk)).content.decode()
    assert "is pending review" in form_page

    compare = publisher.get(admin_url(Project, "revision", snuba.pk))
    changes = {c["field"]: (c["old"], c["new"]) for c in compare.context["changes"]}
    assert changes["Summary"] == ("Search.", "Search and storage.")
    preview = publisher.get(admin_url(Project, "revision_preview", snuba.pk))
    assert "Search and storage." in preview.content.decode()
    assert public_summary(client) == "Search."

    with django_capture_on_commit_callbacks(execute=True):
        response = publisher.post(
            admin_url(Project, "revision", snuba.pk), {"action": "approve"}
        )

    assert response.status_code == 302
    assert public_summary(client) == "Search and storage."
    record = snuba.history.order_by("-history_id").first()
    assert record.history_user == editor.user
    assert "approved by paula" in record.history_change_reason
    assert Revision.objects.of(snuba).get(status="approved").reviewer == publisher.user
    run_queued_tasks()
    subjects = {message.subject: message for message in mail.outbox}
    submitted = subjects["Change to review: project “Snuba”"]
    assert submitted.to == ["paula@example.com"]
    assert f"{settings.SITE_URL}/admin/projects/project/{snuba.pk}/change/" in (
        submitted.body
    )
    assert subjects["Approved: your change to “Snuba”"].to == ["alice@example.com"]


def test_approving_sets_the_languages_through_the_write_path(
    client, snuba, people, make_language
):
    editor, publisher = people
    rust = make_language("Rust")
    edit_in_admin(editor, snuba, languages=[str(rust.pk)])

    publisher.post(admin_url(Project, "revision", snuba.pk), {"action": "approve"})

    snuba.refresh_from_db()
    assert [lang.name for lang in snuba.languages.all()] == ["Rust"]
    record = snuba.history.order_by("-history_id").first()
    assert [row.language.name for row in record.languages.all()] == ["Rust"]


def test_send_back_keeps_the_published_version_and_tells_the_author(
    client, snuba, people, django_capture_on_commit_callbacks
):
    editor, publisher = people
    edit_in_admin(editor, snuba, summary="Wrong.")

    with django_capture_on_commit_callbacks(execute=True):
        publisher.post(
            admin_url(Project, "revision", snuba.pk),
            {"action": "send_back", "comment": "Please cite a source."},
        )

    assert public_summary(client) == "Search."
    revision = Revision.objects.of(snuba).get()
    assert revision.status == RevisionStatus.SENT_BACK
    assert revision.comment == "Please cite a source."
    run_queued_tasks()
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "Please cite a source." in message.body
    # The editor's next edit starts from the published version again.
    form = editor.get(admin_url(Project, "change", snuba.pk)).context["adminform"].form
    assert form["summary"].value() == "Search."


def test_an_editor_may_not_approve(snuba, people):
    editor, _publisher = people
    edit_in_admin(editor, snuba, summary="Mine.")

    response = editor.post(
        admin_url(Project, "revision", snuba.pk), {"action": "approve"}
    )

    assert response.status_code == 403
    assert Project.objects.get(pk=snuba.pk).summary == "Search."


def test_approving_after_a_live_edit_is_refused_and_loses_nothing(
    client, snuba, people
):
    editor, publisher = people
    edit_in_admin(editor, snuba, summary="Editor's summary.")
    edit_in_admin(publisher, snuba, description="Publisher's description.")

    response = publisher.post(
        admin_url(Project, "revision", snuba.pk), {"action": "approve"}, follow=True
    )

    html = response.content.decode()
    assert "was not approved" in html
    assert "Description" in html
    snuba.refresh_from_db()
    assert (snuba.summary, snuba.description) == ("Search.", "Publisher's description.")
    assert Revision.objects.of(snuba).pending().exists()
    with pytest.raises(RevisionRefused):
        revision_approve(
            revision=Revision.objects.of(snuba).pending().get(), user=publisher.user
        )


def test_a_publisher_still_edits_live(client, snuba, people):
    _editor, publisher = people

    edit_in_admin(publisher, snuba, summary="Live at once.")

    assert public_summary(client) == "Live at once."
    assert not Revision.objects.exists()


def test_an_editors_revert_of_a_published_project_waits_for_review(
    client, snuba, people
):
    editor, publisher = people
    first = snuba.history.order_by("history_id").first()
    edit_in_admin(publisher, snuba, summary="Second.")
    url = admin_url(Project, "simple_history", snuba.pk, first.history_id)
    form = editor.get(url).context["adminform"].form

    editor.post(url, {**admin_form_data(form), **INLINES})

    assert public_summary(client) == "Second."
    assert Revision.objects.of(snuba).pending().get().values["summary"] == "Search."


def test_an_editors_change_of_a_published_release_inline_waits_for_review(
    client, snuba, people, make_release
):
    editor, _publisher = people
    release = make_release(snuba, "1.0.0")
    url = admin_url(Project, "change", snuba.pk)
    form_page = editor.get(url)
    data = admin_form_data(form_page.context["adminform"].form)
    for formset in form_page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update(admin_form_data(management))
        for inline in formset.formset.forms:
            data.update(admin_form_data(inline))
    data["releases-0-released_on"] = "2023-12-01"

    response = editor.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    release.refresh_from_db()
    assert str(release.released_on) == "2023-11-15"
    assert Revision.objects.of(release).pending().get().values["released_on"] == (
        "2023-12-01"
    )


# -- the API ------------------------------------------------------------------------


@pytest.fixture
def editor_token(people):
    from portal.api.tokens import ApiToken

    editor, _publisher = people
    _token, secret = ApiToken.issue(name="docs sync", user=editor.user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_an_editors_api_patch_of_a_published_project_is_202_and_public_unchanged(
    client, api_client, snuba, editor_token, people
):
    _editor, publisher = people
    response = api_client.patch(
        "/api/v1/projects/snuba/",
        {"summary": "Via the API."},
        format="json",
        **editor_token,
    )

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["published"] == "http://testserver/api/v1/projects/snuba/"
    assert body["review"].endswith(f"/admin/projects/project/{snuba.pk}/revision/")
    assert public_summary(client) == "Search."

    # A second PATCH builds on the pending change.
    api_client.patch(
        "/api/v1/projects/snuba/",
        {"description": "More."},
        format="json",
        **editor_token,
    )
    pending = Revision.objects.of(snuba).pending().get()
    assert (pending.values["summary"], pending.values["description"]) == (
        "Via the API.",
        "More.",
    )
    publisher.post(admin_url(Project, "revision", snuba.pk), {"action": "approve"})
    assert public_summary(client) == "Via the API."


def test_an_editors_api_patch_of_a_published_release_is_202(
    api_client, snuba, editor_token, make_release
):
    release = make_release(snuba, "1.0.0")

    response = api_client.patch(
        "/api/v1/projects/snuba/releases/1.0.0/",
        {"released_on": "2023-12-01"},
        format="json",
        **editor_token,
    )

    assert response.status_code == 202, response.content
    release.refresh_from_db()
    assert str(release.released_on) == "2023-11-15"


def test_an_editors_api_patch_of_a_draft_applies_at_once(
    api_client, make_project, snuba, editor_token
):
    make_project("Relay", slug="relay", state=State.DRAFT)

    response = api_client.patch(
        "/api/v1/projects/relay/", {"summary": "Draft."}, format="json", **editor_token
    )

    assert response.status_code == 200
    assert Project.objects.get(slug="relay").summary == "Draft."


# -- the import ---------------------------------------------------------------------


def test_an_editors_import_row_changing_a_published_project_waits_for_review(
    client, snuba, people, make_language
):
    editor, _publisher = people
    make_language("Rust", slug="rust")
    content = json.dumps(
        [
            {
                "slug": "snuba",
                "name": "Snuba",
                "summary": "Imported.",
                "license_expression": "MIT",
                "languages": ["rust"],
            }
        ]
    )

    report = import_catalogue(read_file(content, "json"), fmt="json", user=editor.user)

    assert report.ok, [str(error) for error in report.errors]
    assert report.pending == 1
    assert "kept for review" in report.summary()
    assert public_summary(client) == "Search."
    pending = Revision.objects.of(snuba).pending().get()
    assert pending.values["summary"] == "Imported."
    assert pending.reason == "Import"
    snuba.refresh_from_db()
    assert [lang.slug for lang in snuba.languages.all()] == ["python"]


def test_an_editors_import_row_changing_a_published_projects_history_is_an_error(
    snuba, people
):
    editor, publisher = people
    row = {
        "slug": "snuba",
        "name": "Snuba",
        "summary": "Search.",
        "license_expression": "MIT",
        "license_history": [
            {"effective_on": "2024-01-01", "license_expression": "MIT"}
        ],
    }
    content = json.dumps([row])

    report = import_catalogue(read_file(content, "json"), fmt="json", user=editor.user)

    assert not report.ok
    assert "are changed by a publisher" in " ".join(str(e) for e in report.errors)
    assert not LicenseChange.objects.filter(project=snuba).exists()
    report = import_catalogue(
        read_file(content, "json"), fmt="json", user=publisher.user
    )
    assert report.ok, [str(error) for error in report.errors]
    assert LicenseChange.objects.filter(project=snuba).count() == 1


def test_the_admin_import_page_reports_changes_kept_for_review(
    snuba, people, django_capture_on_commit_callbacks
):
    editor, _publisher = people
    upload = io.BytesIO(
        json.dumps(
            [
                {
                    "slug": "snuba",
                    "name": "Snuba",
                    "summary": "Imported.",
                    "license_expression": "MIT",
                }
            ]
        ).encode()
    )
    upload.name = "catalogue.json"

    with django_capture_on_commit_callbacks(execute=True):
        started = editor.post(admin_url(Project, "import"), {"file": upload})
    run_queued_tasks()
    response = editor.get(started["Location"])

    assert "1 change(s) of published content were kept for review" in (
        response.content.decode()
    )
    assert Revision.objects.of(snuba).pending().get().values["summary"] == "Imported."


# -- notifications ------------------------------------------------------------------


def test_submitting_for_review_emails_the_publishers_with_an_address(
    snuba, people, make_project, login_as, django_capture_on_commit_callbacks
):
    editor, _publisher = people
    login_as("Publisher", "no-address")
    relay = make_project("Relay", slug="relay", state=State.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        response = edit_in_admin(editor, relay, state=State.REVIEW)

    assert response.status_code == 302
    assert run_queued_tasks() == 1
    (message,) = mail.outbox
    assert message.to == ["paula@example.com"]
    assert message.subject == "To review: project “Relay”"
    assert "alice submitted" in message.body
    assert f"/admin/projects/project/{relay.pk}/change/" in message.body


def test_publishing_tells_who_submitted_it(
    snuba, people, make_project, django_capture_on_commit_callbacks
):
    editor, publisher = people
    relay = make_project("Relay", slug="relay", state=State.DRAFT)
    edit_in_admin(editor, relay, state=State.REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        publisher.post(
            admin_url(Project, "changelist"),
            {"action": "publish", "_selected_action": [relay.pk]},
        )

    run_queued_tasks()
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "Published: project “Relay”"


def test_a_failing_mail_server_does_not_break_the_save(
    snuba, people, make_project, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }
    editor, _publisher = people

    with django_capture_on_commit_callbacks(execute=True):
        response = edit_in_admin(editor, snuba, summary="Saved anyway.")

    assert response.status_code == 302
    assert Revision.objects.of(snuba).pending().exists()
    run_queued_tasks()  # the task fails; nothing raises here
    assert Revision.objects.of(snuba).pending().exists()


def test_published_content_changed_is_sent_on_approval_and_publish(
    snuba, people, make_project, django_capture_on_commit_callbacks
):
    editor, publisher = people
    heard = []

    def listener(sender, instance, action, user, revision, **kwargs):
        heard.append((sender.__name__, instance.slug, action, revision is not None))

    published_content_changed.connect(listener)
    try:
        edit_in_admin(editor, snuba, summary="Approved.")
        relay = make_project("Relay", slug="relay", state=State.REVIEW)
        heard.clear()
        with django_capture_on_commit_callbacks(execute=True):
            publisher.post(
                admin_url(Project, "revision", snuba.pk), {"action": "approve"}
            )
            project_update(
                user=publisher.user, project=relay, data={"state": State.PUBLISHED}
            )
    finally:
        published_content_changed.disconnect(listener)

    assert ("Project", "snuba", "changed", True) in heard
    assert ("Project", "relay", "published", False) in heard
    assert ("Project", "snuba", "changed", False) not in heard


# -- the dashboard's cost -----------------------------------------------------------


def test_pending_changes_cost_the_dashboard_a_fixed_number_of_queries(
    people, make_project, make_license, django_assert_num_queries
):
    editor, publisher = people
    make_license("MIT")

    def add_changes(count):
        for _ in range(count):
            project = make_project()
            project.summary = "Changed."
            revision_submit(user=editor.user, instance=project)

    add_changes(1)
    publisher.get(reverse("admin:index"))
    with django_assert_num_queries(QUERIES_INDEX_WITH_CHANGES) as few:
        publisher.get(reverse("admin:index"))
    add_changes(4)
    with django_assert_num_queries(len(few.captured_queries)):
        html = publisher.get(reverse("admin:index")).content.decode()

    assert html.count("change of the published version") == 5
    assert re.search(r"Awaiting your review <strong>5</strong>", html)


# The dashboard's (tests/test_dashboard.py), plus the projects of the pending
# changes (one query).
QUERIES_INDEX_WITH_CHANGES = 34


def test_an_editors_change_form_reads_pending_changes_in_one_query_per_kind(
    snuba, people, make_release
):
    editor, _publisher = people
    make_release(snuba, "1.0.0")
    url = admin_url(Project, "change", snuba.pk)

    def revision_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert editor.get(url).status_code == 200
        return sum('"portal_revision"' in q["sql"] for q in queries.captured_queries)

    one_row = revision_queries()
    for number in range(2, 6):
        make_release(snuba, f"{number}.0.0")

    # The project's own, its release rows' (one for all of them), and the
    # header's counts (one query for every kind, changes sent back included).
    assert revision_queries() == one_row == 3


# -- what was sent back, for its author ----------------------------------------------


def test_a_change_sent_back_waits_on_its_authors_dashboard_with_the_comment(
    client, snuba, people, login_as, django_capture_on_commit_callbacks
):
    editor, publisher = people
    other = login_as("Editor", "bob")
    edit_in_admin(editor, snuba, summary="Searches every event, fast.")
    with django_capture_on_commit_callbacks(execute=True):
        publisher.post(
            admin_url(Project, "revision", snuba.pk),
            {"action": "send_back", "comment": "Please cite a source."},
        )
    revision = Revision.objects.of(snuba).get()

    html = editor.get(reverse("admin:index")).content.decode()
    sent_back = section(html, "dashboard-sent-back")
    assert "Snuba" in sent_back
    assert "sent back by paula" in sent_back
    assert "Please cite a source." in sent_back
    link = admin_url(Project, "revision", snuba.pk) + f"?revision={revision.pk}"
    assert f'href="{link}"' in sent_back
    assert re.search(r"Sent back to you <strong>1</strong>", html)
    # Nobody else's: another editor's dashboard and the publisher's.
    for someone in (other, publisher):
        html = someone.get(reverse("admin:index")).content.decode()
        assert "Snuba" not in section(html, "dashboard-sent-back")
        assert re.search(r"Sent back to you <strong>0</strong>", html)

    # The link shows the kept change in full, the decision and its comment,
    # and no form to decide it again.
    page = editor.get(link).content.decode()
    assert "Sent back by paula" in page
    assert "Please cite a source." in page
    assert "Searches every event, fast." in re.sub(r"<[^>]+>", "", page)
    assert 'id="revision-decision"' not in page
    assert 'id="revision-decision"' not in publisher.get(link).content.decode()
    # The email takes the author there.
    run_queued_tasks()
    (message,) = mail.outbox
    assert f"?revision={revision.pk}" in message.body

    # Made again, it waits for review and leaves the author's list.
    edit_in_admin(editor, snuba, summary="Searches every event (see the paper).")
    html = editor.get(reverse("admin:index")).content.decode()
    assert "Snuba" not in section(html, "dashboard-sent-back")
    assert re.search(r"Sent back to you <strong>0</strong>", html)


def test_a_decided_change_page_answers_404_for_an_id_not_of_the_item(
    snuba, people, make_project
):
    editor, publisher = people
    edit_in_admin(editor, snuba, summary="Mine.")
    revision = Revision.objects.of(snuba).get()
    other = make_project("Relay")
    url = admin_url(Project, "revision", other.pk)

    assert editor.get(f"{url}?revision={revision.pk}").status_code == 404
    assert editor.get(f"{url}?revision=x").status_code == 404
    assert (
        publisher.post(
            f"{url}?revision={revision.pk}", {"action": "approve"}
        ).status_code
        == 404
    )
