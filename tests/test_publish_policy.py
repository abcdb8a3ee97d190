"""The one publish policy, through every door: the door x role x change matrix.

Every door that writes projects or releases (admin form and actions, admin
import, its "run for real" of a dry run, its "queue again" of a stopped run,
``import_projects``, each API write, history revert) is asked for
each change by each role, and the outcome must be the policy's: editors write
drafts and content, only publishers change what readers see: an editor's
edit of a published item is kept as a pending revision (the public sees the old
content) until a publisher approves it, which the "admin approve" rows ask of
every role. A door added later without a row here fails
``test_every_write_door_has_a_row``.
"""

import datetime
import io
import json
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal.api.tokens import ApiToken
from portal.publishing.models import Publishable, State
from portal.publishing.policy import (
    SYSTEM,
    PublishingRefused,
    check_publishing,
    must_review,
)
from portal.publishing.revisions import Revision, revision_submit
from projects.models import ImportJob, Project, Release
from tests.helpers import admin_form_data, run_queued_tasks

FUTURE = (timezone.now() + datetime.timedelta(days=30)).replace(microsecond=0)
ROLES = ("anonymous", "no rights", "Editor", "Publisher", "superuser")
CHANGES = ("publish", "unpublish", "reschedule", "unschedule", "edit", "create")
# What each role may do, whatever the door.
ALLOWED = {
    "anonymous": set(),
    "no rights": set(),
    "Editor": {"edit", "create"},
    "Publisher": set(CHANGES),
    "superuser": set(CHANGES),
}
# What each role may ask, but is kept as a pending revision for a publisher:
# not applied, the public keeps seeing the published content.
REVIEWED = {"Editor": {"edit"}}


@dataclass
class Change:
    """A change asked of an item: the item before, the values asked, and how to
    tell it was applied."""

    name: str
    start: dict  # the stored item's workflow fields (None: nothing stored)
    asked: dict


def change_of(name: str, model) -> Change:
    edit = {"summary": "Edited."} if model is Project else {"released_on": "2024-02-01"}
    return {
        "publish": Change(name, {"state": State.DRAFT}, {"state": State.PUBLISHED}),
        "unpublish": Change(name, {"state": State.PUBLISHED}, {"state": State.DRAFT}),
        "reschedule": Change(name, {"state": State.PUBLISHED}, {"publish_at": FUTURE}),
        "unschedule": Change(
            name, {"state": State.PUBLISHED, "publish_at": FUTURE}, {"publish_at": None}
        ),
        "edit": Change(name, {"state": State.PUBLISHED}, edit),
        "create": Change(name, None, {"state": State.DRAFT}),
    }[name]


def pending_with(model, change: Change, key: str) -> bool:
    """Whether the item has a pending revision holding the values asked."""
    item = (
        Project.objects.filter(slug=key).first()
        if model is Project
        else Release.objects.filter(version=key).first()
    )
    revision = Revision.objects.of(item).pending().first() if item else None
    if revision is None:
        return False
    return all(
        str(revision.values[name]) == str(value) for name, value in change.asked.items()
    )


def public_summary(model, key: str):
    """What readers see of the item (its project's summary, or the release's
    date), through the API."""
    project = APIClient().get("/api/v1/projects/snuba/")
    if model is Project:
        return project.json().get("summary") if project.status_code == 200 else None
    releases = project.json().get("releases", []) if project.status_code == 200 else []
    return next((r["released_on"] for r in releases if r["version"] == key), None)


def applied(model, change: Change, key: str) -> bool:
    item = (
        Project.objects.filter(slug=key).first()
        if model is Project
        else Release.objects.filter(version=key).first()
    )
    if change.start is None:
        return item is not None
    for name, value in change.asked.items():
        now = getattr(item, name)
        if str(now) != str(value) and now != value:
            return False
    return True


# -- the actors ------------------------------------------------------------------


@dataclass
class Actor:
    role: str
    user: object = None
    secret: str | None = None

    def admin(self) -> Client:
        client = Client()
        if self.user is not None:
            client.force_login(self.user)
        return client

    def api(self) -> APIClient:
        client = APIClient()
        if self.secret:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.secret}")
        return client


@pytest.fixture
def actor(request, make_staff, django_user_model):
    def make(role: str) -> Actor:
        if role == "anonymous":
            return Actor(role)
        if role == "no rights":
            user = django_user_model.objects.create_user("nobody", is_staff=True)
            user.user_permissions.add(Permission.objects.get(codename="view_project"))
        else:
            user = make_staff(f"{role.lower()}-user", role)
        _token, secret = ApiToken.issue(name=f"{role} token", user=user)
        return Actor(role, user, secret)

    return make


# -- the doors -------------------------------------------------------------------


def admin_url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def with_asked(data: dict, asked: dict) -> dict:
    data = dict(data)
    for name, value in asked.items():
        if name == "publish_at":
            local = timezone.localtime(value) if value else None
            data["publish_at_0"] = local.date().isoformat() if local else ""
            data["publish_at_1"] = local.time().isoformat() if local else ""
        else:
            data[name] = str(value)
    return data


INLINES = {
    "releases-TOTAL_FORMS": "0",
    "releases-INITIAL_FORMS": "0",
    "license_changes-TOTAL_FORMS": "0",
    "license_changes-INITIAL_FORMS": "0",
}
NEW_PROJECT = {
    "slug": "new",
    "name": "New",
    "summary": "New.",
    "license_expression": "MIT",
}
NEW_RELEASE = {"version": "9.0.0", "released_on": "2024-01-31"}


def admin_form(actor, model, item, change):
    client = actor.admin()
    if item is None:
        url = admin_url(model, "add")
        base = (
            {**NEW_PROJECT, "status": "active", "position": "0", **INLINES}
            if model is Project
            else {
                **NEW_RELEASE,
                "project": str(Project.objects.get().pk),
                "license_expression": "MIT",
            }
        )
        return client.post(url, with_asked(base, change.asked))
    return post_form_page(client, admin_url(model, "change", item.pk), change)


def post_form_page(client, url, change):
    """Open the admin form at ``url`` and send it back with the change asked."""
    page = client.get(url)
    if page.status_code != 200:
        return page
    base = {**admin_form_data(page.context["adminform"].form), **INLINES}
    return client.post(url, with_asked(base, change.asked))


def history_revert(actor, model, item, change):
    record = item.history.order_by("-history_id").first()
    url = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history",
        args=[item.pk, record.history_id],
    )
    return post_form_page(actor.admin(), url, change)


def admin_action(actor, model, item, change):
    action = {State.PUBLISHED: "publish", State.DRAFT: "unpublish"}[
        change.asked["state"]
    ]
    return actor.admin().post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [item.pk]},
    )


def catalogue_file(model, item, change) -> bytes:
    project = item if model is Project else Project.objects.get()
    row = (
        {**NEW_PROJECT}
        if item is None and model is Project
        else {
            "slug": project.slug,
            "name": project.name,
            "summary": project.summary,
            "license_expression": project.license_expression,
        }
    )
    if model is Project:
        row.update(
            {k: (v.isoformat() if v else "") for k, v in change.asked.items()}
            if "publish_at" in change.asked
            else change.asked
        )
    else:
        release = (
            {**NEW_RELEASE}
            if item is None
            else {
                "version": item.version,
                "released_on": item.released_on.isoformat(),
                "state": item.state,
            }
        )
        release.update(change.asked)
        row["releases"] = [release]
    return json.dumps([row]).encode()


def admin_approve(actor, model, item, change):
    """A publisher's approval of an editor's pending change of the item."""
    editor = User.objects.filter(username="author-of-the-change").first()
    if editor is None:
        editor = User.objects.create_user("author-of-the-change", is_staff=True)
    working = type(item).objects.get(pk=item.pk)
    for name, value in change.asked.items():
        setattr(working, name, value)
    revision_submit(user=editor, instance=working)
    return actor.admin().post(
        admin_url(model, "revision", item.pk), {"action": "approve"}
    )


def admin_import(actor, model, item, change):
    """Upload a file for a real import; the job runs in the background."""
    upload = io.BytesIO(catalogue_file(model, item, change))
    upload.name = "catalogue.json"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = actor.admin().post(admin_url(Project, "import"), {"file": upload})
    run_queued_tasks()
    return response


def _click_on_uploaded_job(actor, model, item, change, view, **job):
    """``actor`` clicks ``view`` of an import job of the catalogue file that
    someone else (who may do everything) uploaded: the person who clicks is the
    one whose rights count."""
    uploader = get_user_model().objects.create_superuser("uploader")
    stored = ImportJob.objects.create(
        user=uploader,
        file_name="catalogue.json",
        format="json",
        content=catalogue_file(model, item, change),
        **job,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = actor.admin().post(admin_url(Project, view, stored.pk))
    run_queued_tasks()
    return response


def admin_import_run(actor, model, item, change):
    """Run for real a finished dry run."""
    return _click_on_uploaded_job(
        actor,
        model,
        item,
        change,
        "import_run",
        dry_run=True,
        status=ImportJob.Status.DONE,
    )


def admin_import_again(actor, model, item, change):
    """Queue again a real import left running by a worker that stopped."""
    long_ago = timezone.now() - datetime.timedelta(days=1)
    return _click_on_uploaded_job(
        actor,
        model,
        item,
        change,
        "import_again",
        dry_run=False,
        status=ImportJob.Status.RUNNING,
        started_at=long_ago,
        progress_at=long_ago,
    )


def import_command(actor, model, item, change, tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_bytes(catalogue_file(model, item, change))
    options = ["--user", actor.user.username] if actor.user else []
    try:
        call_command("import_projects", str(path), *options, stderr=io.StringIO())
    except CommandError:
        return None
    return None


def api_project(method):
    def door(actor, model, item, change):
        client = actor.api()
        if method == "post":
            return client.post(
                "/api/v1/projects/", {**NEW_PROJECT, **change.asked}, format="json"
            )
        body = {
            k: (v.isoformat() if isinstance(v, datetime.datetime) else v)
            for k, v in change.asked.items()
        }
        if method == "put":
            body = {
                "slug": item.slug,
                "name": item.name,
                "summary": item.summary,
                "license_expression": item.license_expression,
                "state": item.state,
                **body,
            }
        return getattr(client, method)(
            f"/api/v1/projects/{item.slug}/", body, format="json"
        )

    return door


def api_release(method):
    def door(actor, model, item, change):
        client = actor.api()
        project = Project.objects.get()
        body = {
            k: (v.isoformat() if isinstance(v, datetime.datetime) else v)
            for k, v in change.asked.items()
        }
        if method == "post":
            return client.post(
                f"/api/v1/projects/{project.slug}/releases/",
                {**NEW_RELEASE, **body},
                format="json",
            )
        return client.patch(
            f"/api/v1/projects/{project.slug}/releases/{item.version}/",
            body,
            format="json",
        )

    return door


EXISTING = {"publish", "unpublish", "reschedule", "unschedule", "edit"}
# door name -> (function, model, the changes it can ask for)
DOORS = {
    "admin project form": (admin_form, Project, set(CHANGES)),
    "admin release form": (admin_form, Release, set(CHANGES)),
    "admin project action": (admin_action, Project, {"publish", "unpublish"}),
    "admin release action": (admin_action, Release, {"publish", "unpublish"}),
    "admin project revert": (history_revert, Project, EXISTING),
    "admin project approve": (admin_approve, Project, {"edit"}),
    "admin release approve": (admin_approve, Release, {"edit"}),
    "admin import": (admin_import, Project, set(CHANGES)),
    "admin import of releases": (
        admin_import,
        Release,
        {"publish", "unpublish", "edit", "create"},
    ),
    "admin import run for real": (admin_import_run, Project, set(CHANGES)),
    "admin import run for real of releases": (
        admin_import_run,
        Release,
        {"publish", "unpublish", "edit", "create"},
    ),
    "admin import queued again": (admin_import_again, Project, set(CHANGES)),
    "import_projects command": (import_command, Project, set(CHANGES)),
    "API POST project": (api_project("post"), Project, {"create"}),
    "API PUT project": (api_project("put"), Project, EXISTING),
    "API PATCH project": (api_project("patch"), Project, EXISTING),
    "API POST release": (api_release("post"), Release, {"create"}),
    "API PATCH release": (api_release("patch"), Release, EXISTING),
}
CASES = [
    pytest.param(door, role, change, id=f"{door}|{role}|{change}")
    for door, (_function, _model, changes) in DOORS.items()
    for role in ROLES
    for change in CHANGES
    if change in changes
]


def setup_item(model, change: Change, make_license, make_project, make_release):
    make_license("MIT")
    if model is Project:
        if change.start is None:
            return None, NEW_PROJECT["slug"]
        project = make_project("Snuba", slug="snuba", **change.start)
        return project, project.slug
    project = make_project("Snuba", slug="snuba")
    if change.start is None:
        return None, NEW_RELEASE["version"]
    release = make_release(project, "1.0.0", **change.start)
    return release, release.version


@pytest.mark.parametrize(("door", "role", "change_name"), CASES)
def test_door_role_change_matrix(
    door, role, change_name, actor, make_license, make_project, make_release, tmp_path
):
    function, model, _changes = DOORS[door]
    change = change_of(change_name, model)
    item, key = setup_item(model, change, make_license, make_project, make_release)
    who = actor(role)
    if item is not None:
        # A history record of the stored item, as the revert page needs.
        item.refresh_from_db()
    extra = {"tmp_path": tmp_path} if function is import_command else {}

    allowed = change_name in ALLOWED[role]
    reviewed = change_name in REVIEWED.get(role, set())
    if "approve" in door:
        # Approving is publishing the change: a publisher's right only.
        allowed = "publish" in ALLOWED[role]
        reviewed = False
    # What readers see before, where the change must leave it as it is.
    before = public_summary(model, key) if reviewed else None

    response = function(who, model, item, change, **extra)

    assert applied(model, change, key) == (allowed and not reviewed)
    if reviewed:
        # Kept for a publisher; the public still sees the published content.
        assert pending_with(model, change, key)
        assert public_summary(model, key) == before
        if response is not None and door.startswith("API"):
            assert response.status_code == 202, response.content
            assert response.json()["status"] == "pending"
    if response is not None and door.startswith("API"):
        expected = {
            "anonymous": 401,
            "no rights": 403,
        }.get(role, 403 if not allowed else None)
        if expected is not None:
            assert response.status_code == expected, response.content
        if not allowed and role not in ("anonymous", "no rights"):
            body = response.json()
            assert "only a publisher" in body["detail"].lower()
            assert body["errors"]


# -- completeness ----------------------------------------------------------------

# Write operations of the API schema that are no door to content: they check
# input and write nothing.
NOT_WRITES = {("POST", "/api/v1/expressions/check/")}
API_DOORS = {
    ("POST", "/api/v1/projects/"): "API POST project",
    ("PUT", "/api/v1/projects/{slug}/"): "API PUT project",
    ("PATCH", "/api/v1/projects/{slug}/"): "API PATCH project",
    ("POST", "/api/v1/projects/{slug}/releases/"): "API POST release",
    ("PATCH", "/api/v1/projects/{slug}/releases/{version}/"): "API PATCH release",
}
# Admin pages beyond Django's own that accept a POST which writes content.
ADMIN_DOORS = {
    "import": "admin import",
    "import_run": "admin import run for real",
    "import_again": "admin import queued again",
    "revision": "admin project approve",
}
ADMIN_READ_ONLY = {
    "export",
    "preview",
    "history_compare",
    "import_job",
    "revision_preview",
}
COMMAND_DOORS = {"import_projects": "import_projects command"}
# The webhooks' admin writes no content, only its own records: superusers alone
# add, change and delete subscriptions and run these actions (asked of every
# role below).
WEBHOOK_ADMIN_ACTIONS = {"rotate_secret", "redeliver"}
# Commands that write only the portal's own data (SPDX list, demo) or nothing.
# check_content --render rewrites stored HTML only, never state or schedule.
COMMANDS_NOT_DOORS = {
    "sync_spdx",
    "load_demo",
    "quickstart",
    "export_projects",
    "check_content",
    # Queues the webhook announcements: reads content, writes only the
    # webhooks' own records.
    "announce_conversions",
}


def test_every_write_door_has_a_row(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    writes = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"post", "put", "patch", "delete"}
    }
    assert writes - NOT_WRITES == set(API_DOORS)
    assert set(API_DOORS.values()) <= set(DOORS)

    standard = {"changelist", "add", "change", "delete", "history", "simple_history"}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "webhooks":
            assert {
                getattr(action, "__name__", action) for action in model_admin.actions
            } <= WEBHOOK_ADMIN_ACTIONS
            continue
        if not issubclass(model, Publishable):
            continue
        extra = {
            pattern.name.removeprefix(
                f"{model._meta.app_label}_{model._meta.model_name}_"
            )
            for pattern in model_admin.get_urls()
            if pattern.name
        } - standard
        assert extra <= set(ADMIN_DOORS) | ADMIN_READ_ONLY, model
        # Every workflow action runs through portal.admin.actions.set_state,
        # which asks the policy: the project and release rows above cover it.
        assert {
            getattr(action, "__name__", action) for action in model_admin.actions
        } <= {"submit_for_review", "publish", "unpublish"}
    assert set(ADMIN_DOORS.values()) <= set(DOORS)

    from django.core.management import get_commands

    ours = {
        name
        for name, app in get_commands().items()
        if app in {"portal", "licenses", "projects", "webhooks"}
    }
    assert ours == set(COMMAND_DOORS) | COMMANDS_NOT_DOORS
    assert set(COMMAND_DOORS.values()) <= set(DOORS)


@pytest.mark.parametrize("role", ROLES)
def test_only_superusers_write_webhooks(actor, role, settings, django_user_model, db):
    from webhooks.models import Subscription
    from webhooks.services import subscription_create

    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    someone = actor(role)
    subscription = subscription_create(
        url="http://127.0.0.1:9/hook",
        events=["project.published"],
        owner=someone.user or django_user_model.objects.create_user("owner"),
    )
    client = someone.admin()
    tries = [
        client.post(
            reverse("admin:webhooks_subscription_add"),
            {
                "url": "http://127.0.0.1:9/other",
                "events": ["project.published"],
                "active": "on",
                "owner": subscription.owner_id,
            },
        ),
        client.post(
            reverse("admin:webhooks_subscription_change", args=[subscription.pk]),
            {
                "url": "http://127.0.0.1:9/changed",
                "events": ["project.published"],
                "owner": subscription.owner_id,
            },
        ),
        client.post(
            reverse("admin:webhooks_subscription_changelist"),
            {"action": "rotate_secret", "_selected_action": [subscription.pk]},
        ),
    ]
    secret_before = subscription.secret
    subscription.refresh_from_db()
    wrote = (
        Subscription.objects.count() != 1
        or subscription.url != "http://127.0.0.1:9/hook"
        or subscription.secret != secret_before
    )
    assert wrote == (role == "superuser"), [t.status_code for t in tries]


# -- the policy itself -----------------------------------------------------------


def test_the_system_may_publish_and_nobody_else_without_the_permission(make_staff, db):
    check_publishing(
        user=SYSTEM, model=Project, current=None, changes={"state": State.PUBLISHED}
    )
    with pytest.raises(PublishingRefused) as refusal:
        check_publishing(
            user=None, model=Project, current=None, changes={"state": "published"}
        )
    assert refusal.value.field == "state"


def test_only_a_change_of_published_content_by_a_non_publisher_is_reviewed(
    make_project, make_staff
):
    live = make_project("Snuba", state=State.PUBLISHED)
    draft = make_project("Relay", state=State.DRAFT)
    editor, publisher = make_staff("ed", "Editor"), make_staff("pub", "Publisher")
    assert must_review(editor, live)
    assert not must_review(publisher, live)
    assert not must_review(editor, draft)
    assert not must_review(editor, None)
    assert not must_review(SYSTEM, live)


def test_an_unchanged_workflow_value_is_no_change(make_project, make_staff):
    project = make_project("Snuba", publish_at=FUTURE)
    check_publishing(
        user=make_staff("ed"),
        model=Project,
        current=project,
        changes={"state": State.PUBLISHED, "publish_at": FUTURE, "summary": "New."},
    )
