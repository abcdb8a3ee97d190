"""Webhooks: signing, where they may be sent, delivery and retries against a
receiver on 127.0.0.1, the events that publishing and conversions produce (and
that drafts never do), pausing a failing subscription, the admin."""

import base64
import contextlib
import datetime
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal.publishing.models import State
from portal.publishing.policy import SYSTEM
from projects.imports import import_catalogue, read_file
from projects.models import Project
from projects.services import project_update, release_create
from tests.helpers import (
    committing,
    freeze_today,
    make_busl_catalogue,
    run_queued_tasks,
)
from webhooks import signing, targets
from webhooks.events import announce_conversions, content_sync
from webhooks.models import (
    AnnouncedConversion,
    Delivery,
    DeliveryStatus,
    Event,
    Subscription,
)
from webhooks.services import (
    RETRY_DELAYS,
    delivery_attempt,
    delivery_enqueue,
    event_create,
    subscription_create,
)
from webhooks.signals import PendingSync

D = datetime.date
ROOT = Path(__file__).resolve().parent.parent

# -- a receiver on 127.0.0.1 ----------------------------------------------------


class Receiver:
    """An HTTP server on 127.0.0.1 answering each POST with the next scripted
    answer (status, headers), and keeping what it received."""

    def __init__(self):
        self.script: list[tuple[int, dict]] = []
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                receiver.received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                status, headers = (
                    receiver.script.pop(0) if receiver.script else (200, {})
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.received]


@pytest.fixture
def allow_loopback(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def receiver(allow_loopback):
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def owner(django_user_model, db):
    return django_user_model.objects.create_user(
        "hooks", email="hooks@example.org", is_staff=True, is_superuser=True
    )


@pytest.fixture
def drain():
    """Run the queue until it is empty (tasks queued after a commit included),
    in this test's transaction; return how many tasks ran."""

    def run() -> int:
        total = 0
        while True:
            with committing():
                ran = run_queued_tasks()
            total += ran
            if not ran:
                return total

    return run


@pytest.fixture
def subscribe(owner, receiver, drain):
    """A subscription to the receiver for ``events`` (default: all); the
    content public at that moment is recorded, not announced."""

    def make(events=None, url=None):
        from webhooks.models import EventType

        subscription = subscription_create(
            url=url or receiver.url,
            events=events or EventType.values,
            owner=owner,
        )
        content_sync()
        drain()
        receiver.received.clear()
        return subscription

    return make


@pytest.fixture
def sync():
    """``content_sync``, its deliveries queued as after a commit."""

    def run(**kwargs):
        with committing():
            return content_sync(**kwargs)

    return run


@pytest.fixture
def announce():
    """``announce_conversions``, its deliveries queued as after a commit."""

    def run(**kwargs):
        with committing():
            return announce_conversions(**kwargs)

    return run


def commit(write):
    """Write, then commit (``committing``)."""
    with committing():
        return write()


# -- signing --------------------------------------------------------------------


def test_signature_matches_the_standard_webhooks_test_vector():
    # The example of the Standard Webhooks specification's reference libraries.
    signature = signing.sign(
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp=1614265330,
        body=b'{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_verification_accepts_the_signed_message_and_nothing_else():
    secret = signing.generate_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    body = b'{"id":"1"}'
    headers = {
        "webhook-id": "evt",
        "webhook-timestamp": "1700000000",
        "webhook-signature": signing.sign(
            secret=secret, msg_id="evt", timestamp=1700000000, body=body
        ),
    }
    assert signing.verify(secret=secret, headers=headers, body=body, now=1700000010)
    assert not signing.verify(
        secret=secret, headers=headers, body=b'{"id":"2"}', now=1700000010
    )
    assert not signing.verify(
        secret=signing.generate_secret(), headers=headers, body=body, now=1700000010
    )
    # A replay outside the five-minute tolerance.
    assert not signing.verify(secret=secret, headers=headers, body=body, now=1700000400)
    assert not signing.verify(secret=secret, headers={}, body=body, now=1700000000)


def test_the_stored_secret_is_encrypted_and_read_back(settings):
    secret = signing.generate_secret()
    stored = signing.encrypt_secret(secret)
    assert secret not in stored
    assert signing.decrypt_secret(stored) == secret
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key"
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert signing.decrypt_secret(stored) == secret
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(signing.SecretUnreadable):
        signing.decrypt_secret(stored)


# -- targets --------------------------------------------------------------------

INTERNAL_URLS = [
    "http://127.0.0.1/hook",
    "http://127.8.0.1:8000/hook",
    "http://10.1.2.3/hook",
    "http://192.168.1.1/hook",
    "http://172.16.0.5/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/hook",
    "http://100.64.0.1/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://[::1]/hook",
    "http://[::]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:10.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd00::1]/hook",
    "http://[ff02::1]/hook",
    "http://[2002:7f00:1::1]/hook",  # 6to4 of 127.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
    "http://localhost:8000/hook",
]


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_internal_targets_are_refused_without_the_allow_list(url):
    with pytest.raises(ValidationError) as refused:
        targets.resolve(url)
    assert "webhooks are only sent to public addresses" in refused.value.messages[0]


def test_a_public_address_is_accepted_and_pinned():
    target = targets.resolve("https://93.184.215.14:8443/in?x=1")
    assert target.address == "93.184.215.14"
    assert (target.port, target.path) == (8443, "/in?x=1")


def test_the_allow_lists_let_internal_targets_through(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.0.0.0/8", "::1/128"]
    assert targets.resolve("http://10.1.2.3/hook").address == "10.1.2.3"
    assert targets.resolve("http://[::1]/hook").address == "::1"
    with pytest.raises(ValidationError):
        targets.resolve("http://192.168.1.1/hook")
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    # IPv4-mapped IPv6 counts as its IPv4 address.
    assert targets.resolve("http://[::ffff:127.0.0.1]/hook").address
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    settings.WEBHOOK_ALLOWED_HOSTS = ["localhost"]
    assert targets.resolve("http://localhost/hook")


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://93.184.215.14/", "must start with https://"),
        ("https://user:pw@93.184.215.14/", "user name or password"),
        ("https://no-such-host.invalid/", "cannot be resolved"),
    ],
)
def test_bad_urls_are_refused_with_a_reason(url, message):
    with pytest.raises(ValidationError) as refused:
        targets.resolve(url)
    assert message in refused.value.messages[0]


def test_production_requires_https(settings):
    settings.PRODUCTION = True
    with pytest.raises(ValidationError, match="HTTPS"):
        targets.resolve("http://93.184.215.14/hook")
    assert targets.resolve("https://93.184.215.14/hook")


# -- delivery -------------------------------------------------------------------


@pytest.fixture
def one_event(owner, receiver):
    """A subscription to the receiver and one event queued for it."""

    def make():
        subscription = subscription_create(
            url=receiver.url, events=["project.published"], owner=owner
        )
        with committing():
            event_create(type="project.published", subject="x", data={"slug": "x"})
        return subscription, Delivery.objects.get(subscription=subscription)

    return make


def _make_due(delivery):
    """Time passes: the queued retry of ``delivery`` is due now."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def test_a_delivery_is_signed_as_the_standard_says(one_event, owner, receiver, drain):
    subscription, delivery = one_event()
    secret = signing.decrypt_secret(subscription.secret)
    drain()
    (request,) = receiver.received
    headers = request["headers"]
    assert headers["content-type"] == "application/json"
    assert headers["webhook-id"] == str(delivery.event_id)
    assert signing.verify(
        secret=secret, headers=headers, body=request["body"], now=time.time()
    )
    body = json.loads(request["body"])
    assert body["id"] == str(delivery.event_id)
    assert body["type"] == "project.published"
    assert body["data"] == {"slug": "x"}
    assert datetime.datetime.fromisoformat(body["created"])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert (delivery.response_code, delivery.attempts) == (200, 1)
    assert delivery.duration_ms is not None


def test_a_server_error_is_retried_with_backoff_until_it_succeeds(
    one_event, owner, receiver, drain
):
    receiver.script = [(500, {}), (503, {}), (200, {})]
    _, delivery = one_event()
    before = timezone.now()
    drain()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.response_code == 500
    first_wait = (delivery.next_attempt_at - before).total_seconds()
    assert RETRY_DELAYS[0] - 1 <= first_wait <= RETRY_DELAYS[0] + 5
    queued = DBTaskResult.objects.get(status="READY")
    assert queued.run_after == delivery.next_attempt_at
    assert drain() == 0  # not due yet
    _make_due(delivery)
    drain()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    second_wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert second_wait == RETRY_DELAYS[1]
    _make_due(delivery)
    drain()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 3
    # The same message each time: one id, one body.
    assert len({r["headers"]["webhook-id"] for r in receiver.received}) == 1
    assert len({r["body"] for r in receiver.received}) == 1


def test_too_many_requests_waits_as_long_as_retry_after_says(
    one_event, owner, receiver, drain
):
    receiver.script = [(429, {"Retry-After": "120"})]
    _, delivery = one_event()
    drain()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert wait == 120


@pytest.mark.parametrize("status", [400, 404, 410, 302])
def test_a_client_error_or_redirect_is_not_retried(
    one_event, owner, receiver, drain, status
):
    receiver.script = [(status, {"Location": "http://127.0.0.1:1/"})]
    _, delivery = one_event()
    assert drain() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.response_code == status
    assert delivery.next_attempt_at is None
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert len(receiver.received) == 1


def test_a_network_error_is_retried(owner, allow_loopback, drain):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    subscription = subscription_create(
        url=f"http://127.0.0.1:{port}/hook", events=["project.published"], owner=owner
    )
    with committing():
        event_create(type="project.published", subject="x", data={"slug": "x"})
    drain()
    delivery = Delivery.objects.get(subscription=subscription)
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.response_code is None
    assert "ConnectionRefusedError" in delivery.error


def test_retries_stop_after_24_hours(one_event, owner, receiver, drain):
    receiver.script = [(500, {})]
    _, delivery = one_event()
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=5, first_attempt_at=timezone.now() - datetime.timedelta(hours=20)
    )
    # The sixth attempt's task, in place of the first's.
    DBTaskResult.objects.filter(status="READY").delete()
    delivery.refresh_from_db()
    commit(lambda: delivery_enqueue(delivery=delivery))
    drain()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED  # the next try would be at 30 h
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_the_target_is_checked_again_at_delivery(
    one_event, owner, receiver, drain, settings
):
    _, delivery = one_event()
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    drain()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "public addresses" in delivery.error
    assert receiver.received == []


def test_three_days_of_failures_pause_the_subscription_and_tell_its_owner(
    one_event, owner, receiver, drain
):
    receiver.script = [(500, {}), (500, {})]
    subscription, delivery = one_event()
    drain()
    subscription.refresh_from_db()
    assert subscription.active and subscription.failing_since is not None
    assert mail.outbox == []
    Subscription.objects.filter(pk=subscription.pk).update(
        failing_since=timezone.now() - datetime.timedelta(days=3, minutes=1)
    )
    _make_due(delivery)
    drain()
    subscription.refresh_from_db()
    assert not subscription.active
    assert "3 days" in subscription.paused_reason
    (message,) = mail.outbox
    assert message.to == ["hooks@example.org"]
    assert receiver.url in message.subject
    # Paused: no new event is sent to it.
    assert event_create(type="project.published", subject="y", data={}) == 0


def test_a_success_clears_the_failures(one_event, owner, receiver, drain):
    receiver.script = [(500, {}), (200, {})]
    subscription, delivery = one_event()
    drain()
    _make_due(delivery)
    drain()
    subscription.refresh_from_db()
    assert subscription.failing_since is None


# -- events from publishing -----------------------------------------------------


def test_publishing_a_project_sends_its_public_api_representation(
    make_project, subscribe, receiver, drain, client
):
    subscribe()
    project = commit(
        lambda: make_project("Relay", state=State.DRAFT),
    )
    drain()
    assert receiver.received == []
    commit(
        lambda: project_update(
            user=SYSTEM, project=project, data={"state": State.PUBLISHED}
        ),
    )
    drain()
    (event,) = receiver.events()
    assert event["type"] == "project.published"
    api = client.get("/api/v1/projects/relay/").json()
    assert event["data"]["html_url"] == "http://127.0.0.1:8000/projects/relay/"
    assert {k: v for k, v in event["data"].items() if k != "html_url"} == {
        k: v for k, v in api.items() if k != "html_url"
    }


def test_the_writes_of_one_transaction_queue_one_comparison(
    make_project, subscribe, receiver, drain, django_capture_on_commit_callbacks
):
    """An import saves thousands of rows in one transaction: one callback and
    one task compare them all once it commits (a callback per row would hold
    memory until the commit); a write rolled back with its savepoint takes the
    others' comparison nowhere."""
    subscribe()
    with committing():
        with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
            with contextlib.suppress(RuntimeError), transaction.atomic():
                make_project("Dropped")
                raise RuntimeError("rolled back with its savepoint")
            for number in range(30):
                make_project(f"Kept {number}")
        syncs = [
            c
            for c in callbacks
            if isinstance(getattr(c.__self__, "value", None), PendingSync)
        ]
        assert len(syncs) == 1

    queued = DBTaskResult.objects.filter(status="READY")
    assert [task.task_path for task in queued] == ["webhooks.tasks.sync_content"]
    drain()
    published = sorted(e["data"]["name"] for e in receiver.events())
    assert published == sorted(f"Kept {number}" for number in range(30))


def test_public_changes_unpublishing_and_releases_are_announced_once(
    sync, make_project, subscribe, receiver, drain
):
    project = make_project("Relay")
    subscribe()
    write = lambda data: commit(  # noqa: E731
        lambda: project_update(user=SYSTEM, project=project, data=data),
    )
    write({"summary": "A new summary."})
    drain()
    write({"summary": "A new summary."})  # saved again, nothing changed
    drain()
    commit(
        lambda: release_create(
            user=SYSTEM,
            project=project,
            data={"version": "2.0.0", "released_on": D(2025, 1, 1)},
        ),
    )  # a draft release
    drain()
    commit(
        lambda: release_create(
            user=SYSTEM,
            project=project,
            data={
                "version": "2.1.0",
                "released_on": D(2025, 2, 1),
                "state": State.PUBLISHED,
            },
        ),
    )
    drain()
    write({"state": State.DRAFT})
    drain()
    sync(full=True)  # a periodic run finds nothing more
    drain()
    events = receiver.events()
    # The new release is in its project's representation too.
    assert [e["type"] for e in events] == [
        "project.updated",
        "project.updated",
        "release.published",
        "project.unpublished",
    ]
    assert events[0]["data"]["summary"] == "A new summary."
    assert [r["version"] for r in events[1]["data"]["releases"]] == ["2.1.0"]
    assert events[2]["data"]["project"] == "relay"
    assert events[2]["data"]["version"] == "2.1.0"
    assert events[3]["data"] == {"slug": "relay"}


def test_deleting_a_public_project_unpublishes_it(
    make_project, subscribe, receiver, drain
):
    project = make_project("Relay")
    subscribe()
    commit(project.delete)
    drain()
    assert receiver.events()[0]["type"] == "project.unpublished"
    assert receiver.events()[0]["data"] == {"slug": "relay"}


def test_a_project_published_by_an_import_is_announced(
    make_license, subscribe, receiver, drain
):
    # The import inserts its new projects in bulk, without post_save.
    make_license("MIT")
    subscribe()
    rows = read_file(
        "slug,name,summary,license_expression,state\n"
        "relay,Relay,Sends events.,MIT,published\n"
        "draft-one,Draft,Not yet.,MIT,draft\n",
        "csv",
    )
    report = commit(lambda: import_catalogue(rows, fmt="csv", user=SYSTEM))
    assert report.created == 2
    drain()
    assert [(e["type"], e["data"]["slug"]) for e in receiver.events()] == [
        ("project.published", "relay")
    ]


def test_drafts_reviews_and_previews_send_nothing(
    sync,
    make_project,
    make_release,
    subscribe,
    receiver,
    drain,
    login_as,
):
    public = make_project("Relay")
    subscribe()
    draft = commit(
        lambda: make_project("Secret", state=State.DRAFT, summary="Not yet."),
    )
    for data in (
        {"summary": "Still not public."},
        {"state": State.REVIEW},
        {"publish_at": timezone.now() + datetime.timedelta(days=3)},
    ):
        commit(
            lambda data=data: project_update(user=SYSTEM, project=draft, data=data),
        )
    commit(
        lambda: make_release(public, "9.9.9", state=State.REVIEW),
    )
    editor = login_as("Editor")
    assert editor.get(f"/admin/projects/project/{draft.pk}/preview/").status_code == 200
    drain()
    sync(full=True)
    drain()
    assert receiver.received == []
    assert not Event.objects.exists()


def test_a_scheduled_publication_is_announced_when_its_time_has_come(
    sync, make_project, subscribe, receiver, drain
):
    subscribe()
    go_live = timezone.now() + datetime.timedelta(hours=2)
    commit(
        lambda: make_project("Relay", publish_at=go_live),
    )
    drain()
    assert receiver.received == []
    later = go_live + datetime.timedelta(minutes=5)
    sync(full=True, at=later)
    sync(full=True, at=later)  # run twice
    drain()
    assert [e["type"] for e in receiver.events()] == ["project.published"]


def test_a_license_change_is_announced(make_license, subscribe, receiver, drain):
    from licenses.services import license_save

    mit = make_license("MIT", summary="Short and permissive.")
    subscribe(events=["license.updated"])
    mit.summary = "The shortest we use."
    commit(lambda: license_save(license_=mit))
    drain()
    (event,) = receiver.events()
    assert event["type"] == "license.updated"
    assert event["data"]["spdx_id"] == "MIT"
    assert "The shortest we use." in event["data"]["summary_html"]


def test_a_subscription_gets_only_the_events_it_asked_for(
    make_project, subscribe, receiver, drain
):
    subscribe(events=["project.unpublished"])
    commit(lambda: make_project("Relay"))
    drain()
    assert receiver.received == []


def test_content_public_before_the_first_subscription_is_not_announced(
    sync, make_project, owner, receiver, drain
):
    make_project("Relay")
    sync(full=True)  # nobody subscribed yet
    subscription_create(url=receiver.url, events=["project.published"], owner=owner)
    make_project("Snuba")  # public before the next look, too
    sync(full=True)
    drain()
    assert receiver.received == []
    assert not Delivery.objects.exists()


# -- conversions ----------------------------------------------------------------


def test_conversions_are_announced_once_on_their_day_and_late_runs_catch_up(
    announce,
    make_license,
    make_project,
    make_release,
    subscribe,
    receiver,
    drain,
    monkeypatch,
):
    make_busl_catalogue(make_license, make_project, make_release)
    subscribe(events=["release.converted"])
    freeze_today(monkeypatch, D(2026, 11, 14))
    announce()
    drain()
    assert receiver.received == []
    # Snuba 23.11.0 converts on 2026-11-15: announced that day, once.
    freeze_today(monkeypatch, D(2026, 11, 15))
    announce()
    announce()
    drain()
    (event,) = receiver.events()
    assert event["type"] == "release.converted"
    assert event["data"]["project"] == "snuba"
    assert event["data"]["version"] == "23.11.0"
    assert event["data"]["converts_on"] == "2026-11-15"
    assert event["data"]["converts_to"] == "Apache-2.0"
    # The next day and the day after: nothing (the runs of 16 and 17 January
    # are missed); then a late run on 20 January 2027 announces Relay 25.1.0
    # (due 15 January), not Snuba 24.3.0 (due in March).
    freeze_today(monkeypatch, D(2026, 11, 16))
    announce()
    freeze_today(monkeypatch, D(2027, 1, 20))
    announce()
    announce()
    drain()
    assert [
        (e["data"]["project"], e["data"]["version"]) for e in receiver.events()
    ] == [
        ("snuba", "23.11.0"),
        ("relay", "25.1.0"),
    ]
    assert AnnouncedConversion.objects.count() == 2


def test_the_first_conversion_run_does_not_announce_the_past(
    announce,
    make_license,
    make_project,
    make_release,
    subscribe,
    receiver,
    drain,
    monkeypatch,
):
    make_busl_catalogue(make_license, make_project, make_release)
    subscribe(events=["release.converted"])
    freeze_today(monkeypatch, D(2027, 1, 20))  # Snuba 23.11.0 converted in 2026
    announce()
    drain()
    assert receiver.received == []


def test_the_command_queues_the_periodic_run(
    make_license, make_project, make_release, subscribe, receiver, drain, monkeypatch
):
    make_busl_catalogue(make_license, make_project, make_release)
    subscribe(events=["release.converted"])
    freeze_today(monkeypatch, D(2026, 11, 15))
    call_command("announce_conversions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert receiver.received == []
    drain()
    assert [e["data"]["version"] for e in receiver.events()] == ["23.11.0"]


def test_a_draft_release_never_announces_its_conversion(
    announce,
    make_license,
    make_project,
    make_release,
    subscribe,
    receiver,
    drain,
    monkeypatch,
):
    make_busl_catalogue(make_license, make_project, make_release)
    Project.objects.filter(slug="snuba").update(state=State.REVIEW)
    subscribe(events=["release.converted"])
    freeze_today(monkeypatch, D(2026, 11, 15))
    announce()
    drain()
    assert receiver.received == []


# -- the admin ------------------------------------------------------------------


def test_a_superuser_adds_a_subscription_and_sees_its_secret_once(login_as, receiver):
    admin = login_as("superuser")
    response = admin.post(
        "/admin/webhooks/subscription/add/",
        {
            "url": receiver.url,
            "description": "CI",
            "events": ["project.published", "release.converted"],
            "active": "on",
            "owner": admin.user.pk,
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    subscription = Subscription.objects.get()
    secret = signing.decrypt_secret(subscription.secret)
    assert secret.encode() in response.content
    change = admin.get(f"/admin/webhooks/subscription/{subscription.pk}/change/")
    assert change.status_code == 200
    assert secret.encode() not in change.content
    assert b"Deliveries to this URL" in change.content
    rotated = admin.post(
        "/admin/webhooks/subscription/",
        {"action": "rotate_secret", "_selected_action": [subscription.pk]},
    )
    subscription.refresh_from_db()
    new_secret = signing.decrypt_secret(subscription.secret)
    assert new_secret != secret
    assert new_secret.encode() in rotated.content


def test_the_admin_form_refuses_an_internal_target(login_as):
    admin = login_as("superuser")
    response = admin.post(
        "/admin/webhooks/subscription/add/",
        {
            "url": "http://169.254.169.254/latest/",
            "events": ["project.published"],
            "active": "on",
            "owner": admin.user.pk,
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "link-local" in errors["url"][0]
    assert not Subscription.objects.exists()


def test_publishers_view_the_log_and_only_superusers_write(
    one_event, login_as, owner, receiver, drain
):
    one_event()
    drain()
    publisher, editor, admin = (
        login_as("Publisher"),
        login_as("Editor"),
        login_as("superuser"),
    )
    for url in ("/admin/webhooks/subscription/", "/admin/webhooks/delivery/"):
        assert publisher.get(url).status_code == 200
        assert editor.get(url).status_code == 403
        assert admin.get(url).status_code == 200
    assert publisher.get("/admin/webhooks/subscription/add/").status_code == 403
    subscription = Subscription.objects.get()
    page = publisher.get(f"/admin/webhooks/subscription/{subscription.pk}/change/")
    assert page.status_code == 200
    assert b"project.published" in page.content
    assert signing.decrypt_secret(subscription.secret).encode() not in page.content
    delivery = Delivery.objects.get()
    page = publisher.get("/admin/webhooks/delivery/")
    assert b"Redeliver" not in page.content
    assert b"project.published" in page.content
    detail = publisher.get(f"/admin/webhooks/delivery/{delivery.pk}/change/")
    assert detail.status_code == 200
    refused = publisher.post(
        "/admin/webhooks/delivery/",
        {"action": "redeliver", "_selected_action": [delivery.pk]},
    )
    assert not DBTaskResult.objects.filter(status="READY").exists(), refused
    assert b"Redeliver" in admin.get("/admin/webhooks/delivery/").content


def test_redeliver_sends_the_same_event_again(
    one_event, login_as, owner, receiver, drain
):
    _, delivery = one_event()
    drain()
    admin = login_as("superuser")
    commit(
        lambda: admin.post(
            "/admin/webhooks/delivery/",
            {"action": "redeliver", "_selected_action": [delivery.pk]},
        ),
    )
    drain()
    assert len(receiver.received) == 2
    assert receiver.received[0]["body"] == receiver.received[1]["body"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 1)


def test_redeliver_while_a_retry_waits_sends_one_series(
    one_event, login_as, owner, receiver, drain
):
    """A retry queued before the redelivery is out of date once it is due: the
    receiver gets the redelivery and its own retry, nothing of the old series."""
    receiver.script = [(503, {}), (503, {})]
    _, delivery = one_event()
    drain()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    admin = login_as("superuser")
    commit(
        lambda: admin.post(
            "/admin/webhooks/delivery/",
            {"action": "redeliver", "_selected_action": [delivery.pk]},
        ),
    )
    drain()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, 1)
    _make_due(delivery)  # both series' retries, due now
    drain()

    # The first attempt, the redelivery, the redelivery's retry.
    assert len(receiver.received) == 3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 2)


def test_two_tasks_for_one_attempt_send_it_once(one_event, receiver):
    _, delivery = one_event()

    delivery_attempt(delivery_id=delivery.pk, attempts=0)
    delivery_attempt(delivery_id=delivery.pk, attempts=0)

    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 1)


def test_delivery_attempt_of_a_missing_delivery_does_nothing(db):
    assert delivery_attempt(delivery_id=12345) is None


def test_a_periodic_run_costs_the_same_queries_whatever_the_catalogue_size(
    make_project, make_release, subscribe, django_assert_num_queries
):
    def catalogue(count):
        for number in range(count):
            project = make_project(f"Project {number} of {count}")
            make_release(project, "1.0.0")
        content_sync(full=True)

    subscribe()
    catalogue(3)
    with django_assert_num_queries(16):
        assert content_sync(full=True) == 0
    catalogue(12)
    with django_assert_num_queries(16):
        assert content_sync(full=True) == 0


def test_the_documented_verification_accepts_a_delivery(one_event, receiver, drain):
    """The Python example of docs/api.md "Webhooks", run on a real delivery."""
    text = (ROOT / "docs" / "api.md").read_text()
    section = text.split("## Webhooks", 1)[1]
    code = next(
        block.split("\n", 1)[1]
        for block in section.split("```")
        if block.startswith("python") and "def verify_webhook" in block
    )
    subscription, _ = one_event()
    drain()
    (request,) = receiver.received
    namespace = {}
    exec(code, namespace)  # noqa: S102 - our own documentation
    secret = signing.decrypt_secret(subscription.secret)
    verify = namespace["verify_webhook"]
    event = verify(request["headers"], request["body"], secret)
    assert event["type"] == "project.published"
    with pytest.raises(ValueError, match="bad signature"):
        verify(request["headers"], request["body"] + b" ", secret)


def test_retry_after_as_an_http_date_is_respected():
    from webhooks.services import _retry_after

    now = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=datetime.UTC)
    assert _retry_after("Wed, 02 Dec 2026 10:30:00 GMT", now) == now.replace(minute=30)
    assert _retry_after("Wed, 02 Dec 2026 09:00:00 GMT", now) == now  # past
    assert _retry_after("soon", now) is None
    assert _retry_after(None, now) is None


def test_a_body_too_large_is_sent_as_its_subject(owner, receiver):
    subscription_create(url=receiver.url, events=["project.updated"], owner=owner)
    event_create(
        type="project.updated",
        subject="relay",
        data={"slug": "relay", "summary": "x" * 300_000},
    )
    body = json.loads(Event.objects.get().body)
    assert body["data"] == {"truncated": True, "slug": "relay"}
