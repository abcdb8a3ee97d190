"""The editors' dashboard: what waits for whom, on the admin's index, and its
counts in the header of every admin page."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.publishing.history import record_author
from portal.publishing.models import State
from projects.models import Project
from tests.helpers import section


def save_as(obj, user, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    record_author(obj, user=user)
    obj.save()
    return obj


def header_counts(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="portal-counts".*?</nav>', html, re.DOTALL)
    assert nav, "no counts in the header"
    return {
        label.strip(): count
        for label, count in re.findall(
            r">([^<>]+) <strong>(\d+)</strong>", nav.group(0)
        )
    }


@pytest.fixture
def license_mit(make_license):
    return make_license("MIT")


def test_publisher_sees_what_awaits_review_with_who_submitted_it(
    login_as, make_project, license_mit
):
    editor = login_as("Editor", username="alice")
    publisher = login_as("Publisher")
    relay = make_project("Relay", state=State.DRAFT)
    save_as(relay, editor.user, state=State.REVIEW)
    save_as(relay, editor.user, summary="Tidied while in review.")
    make_project("Snuba", state=State.DRAFT)

    html = publisher.get(reverse("admin:index")).content.decode()

    review = section(html, "dashboard-review")
    assert "Relay" in review
    assert "submitted by alice" in review
    assert "Snuba" not in review
    change_url = reverse("admin:projects_project_change", args=[relay.pk])
    assert change_url in review


def test_editor_is_not_shown_a_review_queue(login_as, make_project, license_mit):
    editor = login_as("Editor")
    make_project("Relay", state=State.REVIEW)

    html = editor.get(reverse("admin:index")).content.decode()

    assert 'id="dashboard-review"' not in html
    assert "Awaiting your review" not in html


def test_editor_sees_their_drafts_and_what_was_sent_back(
    login_as, make_project, license_mit
):
    editor = login_as("Editor", username="alice")
    other = login_as("Editor", username="bob")
    publisher = login_as("Publisher")
    mine = save_as(make_project("Mine", state=State.DRAFT), editor.user)
    save_as(make_project("Bobs", state=State.DRAFT), other.user)
    returned = save_as(make_project("Returned", state=State.DRAFT), editor.user)
    save_as(returned, editor.user, state=State.REVIEW)
    save_as(returned, publisher.user, state=State.DRAFT)

    html = editor.get(reverse("admin:index")).content.decode()

    drafts = section(html, "dashboard-mine")
    sent_back = section(html, "dashboard-sent-back")
    assert mine.name in drafts
    assert "Bobs" not in drafts
    assert "Returned" not in drafts
    assert "Returned" in sent_back
    assert "Mine" not in sent_back


def test_everyone_sees_what_goes_live_or_dark_next(login_as, make_project, license_mit):
    editor = login_as("Editor")
    now = timezone.now()
    make_project("Launch", state=State.PUBLISHED, publish_at=now + timedelta(days=2))
    make_project("Sunset", state=State.PUBLISHED, unpublish_at=now + timedelta(days=3))
    make_project("Live", state=State.PUBLISHED)

    html = editor.get(reverse("admin:index")).content.decode()

    going_live = section(html, "dashboard-going-live")
    going_dark = section(html, "dashboard-going-dark")
    assert "Launch" in going_live and "Sunset" not in going_live
    assert "Sunset" in going_dark and "Launch" not in going_dark
    assert "Live" not in going_live + going_dark


def test_counts_are_in_the_header_of_every_admin_page(
    login_as, make_project, license_mit
):
    editor = login_as("Editor", username="alice")
    publisher = login_as("Publisher")
    relay = make_project("Relay", state=State.DRAFT)
    save_as(relay, editor.user, state=State.REVIEW)
    save_as(make_project("Draft one", state=State.DRAFT), publisher.user)
    make_project(
        "Launch",
        state=State.PUBLISHED,
        publish_at=timezone.now() + timedelta(days=1),
    )

    pages = [
        reverse("admin:index"),
        reverse("admin:projects_project_changelist"),
        reverse("admin:projects_project_change", args=[relay.pk]),
    ]

    for url in pages:
        counts = header_counts(publisher.get(url).content.decode())
        assert counts == {
            "Awaiting your review": "1",
            "Your drafts": "1",
            "Sent back to you": "0",
            "Scheduled": "1",
        }, url
    editor_counts = header_counts(editor.get(pages[1]).content.decode())
    assert "Awaiting your review" not in editor_counts


def test_dashboard_lists_only_what_the_user_may_view(
    client, django_user_model, make_project, license_mit
):
    nobody = django_user_model.objects.create_user("nobody", is_staff=True)
    make_project("Relay", state=State.REVIEW)
    client.force_login(nobody)

    html = client.get(reverse("admin:index")).content.decode()

    assert "Relay" not in html


def test_dashboard_costs_a_fixed_number_of_queries(
    login_as, make_project, make_release, license_mit, django_assert_num_queries
):
    editor = login_as("Editor")
    publisher = login_as("Publisher")

    def add_work(count):
        for _ in range(count):
            project = save_as(make_project(state=State.DRAFT), editor.user)
            save_as(project, editor.user, state=State.REVIEW)
            make_release(project, state=State.REVIEW)

    add_work(1)
    publisher.get(reverse("admin:index"))  # warm the session and content types
    with django_assert_num_queries(QUERIES_INDEX) as few:
        publisher.get(reverse("admin:index"))
    add_work(5)
    with django_assert_num_queries(len(few.captured_queries)):
        response = publisher.get(reverse("admin:index"))

    html = response.content.decode()
    # Twelve in review: the ten submitted last are listed, the count says all.
    assert html.count("submitted by") == 10
    assert header_counts(html)["Awaiting your review"] == "12"


def test_header_counts_cost_a_fixed_number_of_queries(
    login_as, make_project, license_mit, django_assert_num_queries
):
    publisher = login_as("Publisher")
    make_project("Relay", state=State.REVIEW)
    url = reverse("admin:projects_language_changelist")
    publisher.get(url)

    with django_assert_num_queries(QUERIES_LANGUAGE_LIST):
        publisher.get(url)
    for n in range(5):
        make_project(f"Queued {n}", state=State.REVIEW)
    with django_assert_num_queries(QUERIES_LANGUAGE_LIST):
        publisher.get(url)


# Pinned: the index (session, user, permissions and recent actions; the
# header's counts, one query; 5 publishable models x 5 lists: review, your
# drafts, sent back, going live, going dark; the pending changes, one when
# there are none; the changes sent back to the user, one when there are none);
# a small list page (its own queries and the header's counts, one query).
QUERIES_INDEX = 33
QUERIES_LANGUAGE_LIST = 8


def test_project_draft_of_another_editor_is_not_yours(
    login_as, make_project, license_mit
):
    editor = login_as("Editor")
    project = make_project("Other", state=State.DRAFT)

    html = editor.get(reverse("admin:index")).content.decode()

    assert project.name not in section(html, "dashboard-mine")
    assert Project.objects.filter(state=State.DRAFT).count() == 1
