"""The publishing workflow: draft -> in review -> published, scheduled both ways.

One rule decides what the public sees (``published(at)`` and its twin
``is_published(at)``): published, after ``publish_at`` if any, before
``unpublish_at`` if any. The rule compares with "now" when it is asked, so a
scheduled item appears and disappears on the site and in the API at its time,
without any job running.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from licenses.models import License
from portal.models import Section, Statement
from portal.publishing.models import State
from portal.publishing.policy import SYSTEM
from projects.exports import catalogue_rows, export_json
from projects.imports import import_catalogue, read_file
from projects.models import Project, Release

NOON = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def clock(monkeypatch):
    """Freeze "now" for the publishing rule (and everything else that asks
    ``django.utils.timezone.now``); ``clock.set(moment)`` moves it."""

    class Clock:
        def set(self, moment):
            monkeypatch.setattr("portal.publishing.models.timezone.now", lambda: moment)

    clock = Clock()
    clock.set(NOON)
    return clock


def admin_url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


# The rule


def test_the_workflow_has_three_states():
    assert [(s.value, s.label) for s in State] == [
        ("draft", "Draft"),
        ("review", "In review"),
        ("published", "Published"),
    ]


@pytest.mark.parametrize("state", [State.DRAFT, State.REVIEW])
def test_drafts_and_items_in_review_are_not_public(make_project, state):
    project = make_project("Snuba", state=state)

    assert not Project.objects.published().exists()
    assert not project.is_published()


@pytest.mark.parametrize(
    ("schedule", "public_at"),
    [
        # (publish_at, unpublish_at) relative to noon -> public at -1h, noon, +1h?
        ((None, None), [True, True, True]),
        ((HOUR, None), [False, False, True]),
        ((None, HOUR), [True, True, False]),
        ((-HOUR, HOUR), [True, True, False]),
        ((0 * HOUR, HOUR), [False, True, False]),
    ],
)
def test_publish_at_and_unpublish_at_bound_what_is_public(
    make_project, schedule, public_at
):
    publish_at, unpublish_at = (
        NOON + offset if offset is not None else None for offset in schedule
    )
    project = make_project("Snuba", publish_at=publish_at, unpublish_at=unpublish_at)

    for moment, expected in zip(
        [NOON - HOUR / 2, NOON, NOON + 2 * HOUR], public_at, strict=True
    ):
        assert Project.objects.published(at=moment).exists() is expected
        # The instance's twin answers the same.
        assert project.is_published(at=moment) is expected


def test_a_release_disappears_with_its_project(make_project, make_release):
    project = make_project("Snuba", unpublish_at=NOON)
    release = make_release(project)

    assert Release.objects.published(at=NOON - HOUR).get() == release
    assert not Release.objects.published(at=NOON).exists()
    assert not release.is_published(at=NOON)


def test_a_statement_disappears_with_its_section(make_section, make_statement):
    section = make_section("Goals", unpublish_at=NOON)
    statement = make_statement(section)

    assert Statement.objects.published(at=NOON - HOUR).get() == statement
    assert not Statement.objects.published(at=NOON).exists()


@pytest.mark.parametrize("unpublish_at", [NOON, NOON - HOUR])
def test_unpublish_at_must_be_after_publish_at(make_project, unpublish_at):
    with pytest.raises(ValidationError) as raised:
        make_project("Snuba", publish_at=NOON, unpublish_at=unpublish_at)

    assert raised.value.message_dict["unpublish_at"] == [
        "'Unpublish at' must be after 'publish at'."
    ]


def test_the_schedule_is_checked_with_each_models_own_rules(make_section):
    statement = Statement(
        section=make_section(),
        kind=Statement.Kind.QUOTE,
        body="Words.",
        publish_at=NOON,
        unpublish_at=NOON - HOUR,
    )

    with pytest.raises(ValidationError) as raised:
        statement.full_clean()

    # Both errors at once: the schedule's and the statement's own.
    assert set(raised.value.message_dict) == {"unpublish_at", "attribution_name"}


# Scheduled publishing seen by readers: the site and the API


def test_a_scheduled_project_appears_on_the_site_and_in_the_api_at_its_time(
    client, clock, make_project
):
    make_project("Snuba", publish_at=NOON + HOUR)

    clock.set(NOON)
    assert client.get("/projects/snuba/").status_code == 404
    assert client.get("/api/v1/projects/snuba/").status_code == 404
    assert b"Snuba" not in client.get("/projects/").content

    clock.set(NOON + HOUR)
    assert client.get("/projects/snuba/").status_code == 200
    assert client.get("/api/v1/projects/snuba/").json()["name"] == "Snuba"
    assert b"Snuba" in client.get("/projects/").content


def test_a_project_disappears_from_the_site_and_the_api_at_its_unpublish_time(
    client, clock, make_project
):
    make_project("Snuba", unpublish_at=NOON + HOUR)

    clock.set(NOON)
    assert client.get("/projects/snuba/").status_code == 200
    assert client.get("/api/v1/projects/snuba/").status_code == 200

    clock.set(NOON + HOUR)
    assert client.get("/projects/snuba/").status_code == 404
    assert client.get("/api/v1/projects/snuba/").status_code == 404
    slugs = [p["slug"] for p in client.get("/api/v1/projects/").json()["results"]]
    assert "snuba" not in slugs


def test_a_project_in_review_is_not_on_the_site(client, make_project):
    make_project("Snuba", state=State.REVIEW)

    assert client.get("/projects/snuba/").status_code == 404
    assert client.get("/api/v1/projects/snuba/").status_code == 404


# The admin: state column and filter, the workflow's actions


def test_lists_show_the_state_and_filter_by_it(login_as, make_project):
    make_project("Snuba", state=State.REVIEW)
    make_project("Relay", state=State.DRAFT)
    editor = login_as("Publisher")

    response = editor.get(admin_url(Project, "changelist"), {"state__exact": "review"})

    assert [p.name for p in response.context["cl"].result_list] == ["Snuba"]
    html = response.content.decode()
    assert "In review" in html
    assert "public now" in html.lower()


def test_submit_for_review_moves_only_drafts(login_as, make_project):
    draft = make_project("Snuba", state=State.DRAFT)
    published = make_project("Relay")
    editor = login_as("Editor")

    response = editor.post(
        admin_url(Project, "changelist"),
        {"action": "submit_for_review", "_selected_action": [draft.pk, published.pk]},
        follow=True,
    )

    html = response.content.decode()
    assert "1 item submitted for review." in html
    assert "1 item left as it was: only drafts can be submitted." in html
    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.state == State.REVIEW
    assert published.state == State.PUBLISHED


@pytest.mark.parametrize(
    ("action", "before", "after", "reason"),
    [
        ("submit_for_review", State.DRAFT, State.REVIEW, "Submitted for review"),
        ("publish", State.REVIEW, State.PUBLISHED, "Published"),
        ("unpublish", State.PUBLISHED, State.DRAFT, "Unpublished"),
        ("unpublish", State.REVIEW, State.DRAFT, "Unpublished"),
    ],
)
def test_actions_save_each_item_with_its_history(
    login_as, make_license, action, before, after, reason
):
    license_ = make_license("MIT", state=before)
    updated_at, revision = license_.updated_at, license_.revision
    publisher = login_as("Publisher")

    publisher.post(
        admin_url(License, "changelist"),
        {"action": action, "_selected_action": [license_.pk]},
    )

    license_.refresh_from_db()
    assert license_.state == after
    assert license_.updated_at > updated_at
    assert license_.revision == revision + 1
    record = license_.history.first()
    assert record.state == after
    assert record.history_user == publisher.user
    assert record.history_change_reason == reason


def test_publishing_from_the_admin_shows_the_item_on_the_site(
    client, login_as, make_project
):
    project = make_project("Snuba", state=State.REVIEW)
    publisher = login_as("Publisher")
    assert client.get("/projects/snuba/").status_code == 404

    publisher.post(
        admin_url(Project, "changelist"),
        {"action": "publish", "_selected_action": [project.pk]},
    )

    assert client.get("/projects/snuba/").status_code == 200


def test_the_admin_form_refuses_an_unpublish_time_before_the_publish_time(
    login_as, make_section
):
    section = make_section("Goals")
    publisher = login_as("Publisher")

    response = publisher.post(
        admin_url(Section, "change", section.pk),
        {
            "title": "Goals",
            "slug": "goals",
            "intro": "",
            "position": "0",
            "state": State.PUBLISHED,
            "publish_at_0": "2026-06-01",
            "publish_at_1": "12:00:00",
            "unpublish_at_0": "2026-05-01",
            "unpublish_at_1": "12:00:00",
            "statements-TOTAL_FORMS": "0",
            "statements-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["unpublish_at"] == ["'Unpublish at' must be after 'publish at'."]
    section.refresh_from_db()
    assert section.unpublish_at is None


def test_the_schedule_survives_an_export_and_an_import(make_project):
    make_project("Snuba", publish_at=NOON, unpublish_at=NOON + HOUR)
    exported = export_json(catalogue_rows())
    Project.objects.all().delete()

    report = import_catalogue(read_file(exported, "json"), fmt="json", user=SYSTEM)

    assert report.ok, report.errors
    snuba = Project.objects.get()
    assert (snuba.publish_at, snuba.unpublish_at) == (NOON, NOON + HOUR)
