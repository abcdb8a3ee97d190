"""The write path of webhooks: subscriptions (created with a secret shown once,
rotated), events and their deliveries.

``event_create`` is called by ``webhooks.events`` and queues one delivery per
active subscription that asked for the event's type, each sent by a task once
the transaction commits. ``delivery_attempt`` (run by that task) sends it,
records the outcome and decides what follows: a retry (network errors, 5xx, 429)
with exponential backoff for 24 hours, none otherwise; a subscription failing
for 3 days is paused and its owner told by email.
"""

import datetime
import email.utils
import http.client
import json
import time
import uuid

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.utils.encoders import JSONEncoder

from webhooks import signing, targets
from webhooks.models import (
    Delivery,
    DeliveryStatus,
    Event,
    EventType,
    Subscription,
    Watermark,
)

# Standard Webhooks' schedule: after the first attempt, 5 s, 5 min, 30 min, 2 h,
# 5 h, 10 h, 10 h; no attempt later than 24 hours after the first.
RETRY_DELAYS = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600]
RETRY_WINDOW = datetime.timedelta(hours=24)
PAUSE_AFTER = datetime.timedelta(days=3)
MAX_BODY_BYTES = 256 * 1024
USER_AGENT = "portal-webhooks/1"


# -- subscriptions ---------------------------------------------------------------


def _check_events(events) -> list[str]:
    unknown = sorted(set(events) - set(EventType.values))
    if unknown:
        raise ValidationError({"events": _("Unknown events: %s") % ", ".join(unknown)})
    if not events:
        raise ValidationError({"events": _("Choose at least one event.")})
    return [value for value in EventType.values if value in events]


def subscription_save(*, subscription: Subscription) -> Subscription:
    """Validate (the target's address included) and save; a new subscription
    gets its secret: read it once with ``subscription.plain_secret``."""
    subscription.events = _check_events(subscription.events)
    try:
        targets.resolve(subscription.url)
    except ValidationError as error:
        raise ValidationError({"url": error.messages}) from None
    if subscription.active:
        subscription.paused_reason = ""
        subscription.failing_since = None
    first = subscription.pk is None and not Subscription.objects.exists()
    if not subscription.secret:
        subscription.plain_secret = signing.generate_secret()
        subscription.secret = signing.encrypt_secret(subscription.plain_secret)
    subscription.full_clean(exclude=["secret"])
    subscription.save()
    if first:
        # Nothing was followed while nobody subscribed: the next look records
        # what is public now, silently, and announces what changes after.
        Watermark.objects.update_or_create(
            pk=1, defaults={"content_baselined_at": None}
        )
    return subscription


def subscription_create(*, url: str, events, owner, description="") -> Subscription:
    return subscription_save(
        subscription=Subscription(
            url=url, events=list(events), owner=owner, description=description
        )
    )


def subscription_rotate_secret(*, subscription: Subscription) -> str:
    """A new secret, returned to be shown once; the old one signs no more."""
    plain = signing.generate_secret()
    subscription.secret = signing.encrypt_secret(plain)
    subscription.save(update_fields=["secret"])
    return plain


# -- events ----------------------------------------------------------------------


def event_body(*, event_id, type, created, data) -> str:
    return json.dumps(
        {
            "id": str(event_id),
            "type": type,
            "created": created.isoformat().replace("+00:00", "Z"),
            "data": data,
        },
        cls=JSONEncoder,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def event_create(*, type: str, subject: str, data: dict) -> int:
    """Record an event and queue its deliveries (after the commit); return how
    many. An event no active subscription asked for is not even recorded."""
    subscriptions = [
        s for s in Subscription.objects.filter(active=True) if type in s.events
    ]
    if not subscriptions:
        return 0
    event_id = uuid.uuid4()
    created = timezone.now().astimezone(datetime.UTC)
    body = event_body(event_id=event_id, type=type, created=created, data=data)
    if len(body.encode()) > MAX_BODY_BYTES:
        # Too large to send whole: the subject, and where to read the rest.
        key = "project" if type.startswith("release.") else "slug"
        small = {"truncated": True, key: data.get("project") or data.get("slug")}
        if type == EventType.LICENSE_UPDATED:
            small = {"truncated": True, "spdx_id": data.get("spdx_id")}
        body = event_body(event_id=event_id, type=type, created=created, data=small)
    event = Event.objects.create(
        id=event_id, type=type, created=created, subject=subject[:300], body=body
    )
    deliveries = Delivery.objects.bulk_create(
        Delivery(subscription=s, event=event) for s in subscriptions
    )
    for delivery in deliveries:
        delivery_enqueue(delivery=delivery)
    return len(deliveries)


def delivery_enqueue(*, delivery: Delivery, run_after=None) -> None:
    from webhooks.tasks import deliver

    task = deliver.using(run_after=run_after) if run_after else deliver
    pk, attempts, series = delivery.pk, delivery.attempts, delivery.series
    transaction.on_commit(lambda: task.enqueue(pk, attempts, series))


def delivery_redeliver(*, delivery: Delivery) -> None:
    """Send again (same event id and body), as a new series of attempts. A retry
    still queued from the earlier series finds the series changed and sends
    nothing: one series at a time."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        series=F("series") + 1,
        first_attempt_at=None,
        next_attempt_at=None,
        error="",
    )
    delivery.refresh_from_db(fields=["attempts", "series"])
    delivery_enqueue(delivery=delivery)


# -- sending ---------------------------------------------------------------------


def _retry_after(value: str | None, now: datetime.datetime):
    """A 429's Retry-After (seconds or an HTTP date) as a moment, or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + datetime.timedelta(seconds=int(value))
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return max(moment, now)


def _send(delivery: Delivery, now: datetime.datetime):
    """One attempt: (response code or None, error text, retry wanted, retry at)."""
    event = delivery.event
    subscription = delivery.subscription
    try:
        target = targets.resolve(subscription.url)
    except ValidationError as error:
        return None, " ".join(error.messages), False, None
    body = event.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": str(event.id),
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.sign(
            secret=signing.decrypt_secret(subscription.secret),
            msg_id=str(event.id),
            timestamp=timestamp,
            body=body,
        ),
    }
    try:
        response = targets.post(target, body=body, headers=headers)
    except (OSError, http.client.HTTPException) as error:
        return None, f"{type(error).__name__}: {error}"[:500], True, None
    code = response.status
    if 200 <= code < 300:
        return code, "", False, None
    if code == 429:
        return (
            code,
            _("Too many requests"),
            True,
            _retry_after(response.headers.get("retry-after"), now),
        )
    if code >= 500:
        return code, _("Server error"), True, None
    if 300 <= code < 400:
        return code, _("Redirects are not followed"), False, None
    return code, _("Refused by the receiver"), False, None


def delivery_attempt(
    *, delivery_id: int, attempts: int | None = None, series: int | None = None
) -> Delivery | None:
    """Make the next attempt of a delivery (the ``deliver`` task), if it is still
    the one due: ``attempts`` and ``series`` are the delivery's count of
    attempts and series when the task was queued (``None``: any). The attempt
    is claimed first (the count raised where both still have those values), so
    that two tasks for one attempt (two workers) send it once, and a retry of
    a series a redelivery replaced sends nothing."""
    delivery = (
        Delivery.objects.select_related("event", "subscription__owner")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status in (
        DeliveryStatus.SUCCEEDED,
        DeliveryStatus.FAILED,
    ):
        return delivery
    if attempts is not None:
        current = Delivery.objects.filter(pk=delivery_id, attempts=attempts)
        if series is not None:
            current = current.filter(series=series)
        claimed = current.exclude(
            status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED]
        ).update(attempts=attempts + 1)
        if not claimed:
            return delivery
        delivery.attempts = attempts
    subscription = delivery.subscription
    now = timezone.now()
    if not subscription.active:
        delivery.status = DeliveryStatus.FAILED
        delivery.error = _("The subscription is paused.")
        delivery.next_attempt_at = None
        _record(delivery)
        return delivery
    started = time.monotonic()
    code, error, retry, retry_at = _send(delivery, now)
    delivery.duration_ms = int((time.monotonic() - started) * 1000)
    delivery.attempts += 1
    delivery.response_code = code
    delivery.error = error
    delivery.last_attempt_at = now
    delivery.first_attempt_at = delivery.first_attempt_at or now
    delivery.next_attempt_at = None
    if not error:
        delivery.status = DeliveryStatus.SUCCEEDED
        _record(delivery)
        Subscription.objects.filter(pk=subscription.pk).update(failing_since=None)
        return delivery
    if retry:
        delay = RETRY_DELAYS[min(delivery.attempts - 1, len(RETRY_DELAYS) - 1)]
        retry_at = max(retry_at or now, now + datetime.timedelta(seconds=delay))
        if delivery.attempts > len(RETRY_DELAYS) or (
            retry_at - delivery.first_attempt_at > RETRY_WINDOW
        ):
            retry = False
    if retry:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = retry_at
        _record(delivery)
        delivery_enqueue(delivery=delivery, run_after=retry_at)
    else:
        delivery.status = DeliveryStatus.FAILED
        _record(delivery)
    subscription_failed(subscription=subscription, now=now)
    return delivery


RESULT_FIELDS = (
    "status",
    "attempts",
    "response_code",
    "error",
    "duration_ms",
    "first_attempt_at",
    "last_attempt_at",
    "next_attempt_at",
)


def _record(delivery: Delivery) -> None:
    """Store an attempt's result, unless a redelivery started a new series
    meanwhile (whose own attempts the row then shows)."""
    Delivery.objects.filter(pk=delivery.pk, series=delivery.series).update(
        **{name: getattr(delivery, name) for name in RESULT_FIELDS}
    )


def subscription_failed(*, subscription: Subscription, now) -> None:
    """Note a failed attempt; pause the subscription, and tell its owner, when
    every attempt for 3 days has failed."""
    if subscription.failing_since is None:
        Subscription.objects.filter(pk=subscription.pk, failing_since=None).update(
            failing_since=now
        )
        return
    if not (subscription.active and now - subscription.failing_since >= PAUSE_AFTER):
        return
    reason = _("Every delivery failed for 3 days (since %(since)s).") % {
        "since": subscription.failing_since.strftime("%Y-%m-%d %H:%M UTC")
    }
    paused = Subscription.objects.filter(pk=subscription.pk, active=True).update(
        active=False, paused_reason=reason[:200]
    )
    if paused and subscription.owner.email:
        send_mail(
            subject=_("Webhook paused: %(url)s") % {"url": subscription.url},
            message=_(
                "The webhook subscription to %(url)s has been paused: %(reason)s\n\n"
                "Nothing is sent to it until it is made active again in the admin "
                "(Webhooks > Webhook subscriptions). The delivery log there shows "
                "each attempt's answer or error."
            )
            % {"url": subscription.url, "reason": reason},
            from_email=None,
            recipient_list=[subscription.owner.email],
        )
