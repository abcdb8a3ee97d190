"""Webhook subscriptions, the events sent to them and the record of each delivery.

Two tables hold what has been announced, so that every announcement is made once
whatever runs twice, late or at the same time: ``PublicSnapshot`` (what the public
could see when it was last looked at, per project, release and license: a change
between two looks is an event) and ``AnnouncedConversion`` (one row per release
and conversion day, unique).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    PROJECT_PUBLISHED = "project.published", _("A project became public")
    PROJECT_UNPUBLISHED = "project.unpublished", _("A project stopped being public")
    PROJECT_UPDATED = "project.updated", _("A public project's public fields changed")
    RELEASE_PUBLISHED = "release.published", _("A release became public")
    RELEASE_CONVERTED = (
        "release.converted",
        _("A public release became open source today"),
    )
    LICENSE_UPDATED = "license.updated", _("A public license's public fields changed")


class Subscription(models.Model):
    url = models.URLField(
        _("target URL"),
        max_length=500,
        help_text=_(
            "Where each event is POSTed. HTTPS in production; it may not resolve "
            "to an internal address (loopback, private, link-local) unless the "
            "WEBHOOK_ALLOWED_HOSTS or WEBHOOK_ALLOWED_NETWORKS setting names it."
        ),
    )
    description = models.CharField(
        _("description"),
        max_length=200,
        blank=True,
        help_text=_("Optional. Who receives it and why."),
    )
    events = models.JSONField(
        _("events"),
        default=list,
        help_text=_("The kinds of event sent to this URL."),
    )
    secret = models.TextField(
        _("secret"),
        editable=False,
        help_text=_(
            "The signing secret, encrypted with a key derived from SECRET_KEY."
        ),
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "Untick to pause: a paused subscription is sent nothing. It is paused "
            "by itself after failing for 3 days."
        ),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="webhook_subscriptions",
        verbose_name=_("owner"),
        help_text=_("Told by email when the subscription is paused for failing."),
    )
    failing_since = models.DateTimeField(
        _("failing since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The first failed attempt since the last successful one."),
    )
    paused_reason = models.CharField(
        _("paused because"), max_length=200, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        ordering = ["url", "pk"]

    def __str__(self):
        return self.url


class Event(models.Model):
    """One announcement, with its body as sent (a redelivery sends it again
    byte for byte, under the same id)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(_("type"), max_length=40, choices=EventType.choices)
    created = models.DateTimeField(_("created"))
    subject = models.CharField(
        _("subject"), max_length=300, help_text=_("The slug, version or SPDX id.")
    )
    body = models.TextField(_("body"))

    class Meta:
        verbose_name = _("webhook event")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.type} {self.subject}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RETRYING = "retrying", _("Retrying")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("event"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    series = models.PositiveIntegerField(
        _("series"),
        default=0,
        editable=False,
        help_text=_(
            "Raised by each redelivery: a retry queued for an earlier series of "
            "attempts sends nothing."
        ),
    )
    response_code = models.PositiveIntegerField(_("response code"), null=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    first_attempt_at = models.DateTimeField(_("first attempt"), null=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="one_delivery_per_event"
            )
        ]

    def __str__(self):
        return f"{self.event} to {self.subscription}"


class SnapshotKind(models.TextChoices):
    PROJECT = "project"
    RELEASE = "release"
    LICENSE = "license"


class PublicSnapshot(models.Model):
    """An item the public could see when last looked at, and a digest of its
    public representation."""

    kind = models.CharField(max_length=16, choices=SnapshotKind.choices)
    object_id = models.BigIntegerField()
    parent_id = models.BigIntegerField(null=True)
    key = models.CharField(max_length=300)
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="one_snapshot_per_item"
            )
        ]
        indexes = [models.Index(fields=["kind", "parent_id"])]

    def __str__(self):
        return f"{self.kind} {self.key}"


class AnnouncedConversion(models.Model):
    """A release's conversion that has been announced (``release.converted``)."""

    release_id = models.BigIntegerField()
    converts_on = models.DateField()
    announced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release_id", "converts_on"], name="one_announcement"
            )
        ]

    def __str__(self):
        return f"release {self.release_id} on {self.converts_on}"


class Watermark(models.Model):
    """What has been looked at so far: when the public content was first
    recorded (before that, nothing is announced: it was all there already) and
    the last day whose conversions were announced (the next run announces those
    due after it, not the whole past). One row."""

    content_baselined_at = models.DateTimeField(null=True)
    conversions_through = models.DateField(null=True)

    def __str__(self):
        return f"conversions through {self.conversions_through}"
