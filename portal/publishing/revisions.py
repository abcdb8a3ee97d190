"""Pending changes of published content: the live version and the latest
revision.

When someone who may not publish an item changes it after it was published
(``portal.publishing.policy.must_review``), the change is not applied: it is
kept as a :class:`Revision` of the item, *pending*, with the values of every
field the editor writes (many-to-many fields included, as lists of primary
keys), its author and the item's ``revision`` number it was based on. Readers,
feeds, sitemaps, search and the API keep the published version: nothing of the
item's row changes.

* Editing again while a revision is pending starts from its values (the latest
  work), and saving supersedes it: there is at most one pending revision per
  item (a database constraint), and it keeps the base of the first.
* A publisher **approves** it (:func:`revision_approve`): its values are set on
  the item as stored, and the item is saved through its model's one write path
  (``revision_writer``, e.g. ``projects.services.project_apply_revision``), so
  validation, history, caches and derived data follow as for any edit. If the
  item was saved since the revision's base (someone edited it live), approving
  is refused with what changed meanwhile: nothing is lost silently; the
  publisher sends it back and the editor makes the change again on the
  current version.
* A publisher **sends it back** (:func:`revision_send_back`) with a comment.

The workflow fields (state, schedule) are never part of a revision: an approved
change keeps the item's state and schedule as they are.
"""

import json

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.publishing.history import many_to_many_in_last_version, record_author
from portal.publishing.policy import (
    SYSTEM,
    WORKFLOW_FIELDS,
    may_publish,
    must_review,
)
from portal.publishing.versioning import locked_current


class RevisionStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Pending review")
    APPROVED = "approved", gettext_lazy("Approved")
    SENT_BACK = "sent_back", gettext_lazy("Sent back")
    SUPERSEDED = "superseded", gettext_lazy("Superseded")


class RevisionQuerySet(models.QuerySet):
    def of(self, item):
        """The revisions of ``item``."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(item)),
            object_id=item.pk,
        )

    def pending(self):
        return self.filter(status=RevisionStatus.PENDING)


class Revision(models.Model):
    """A change of a published item, waiting for a publisher (or decided)."""

    # Readers see the published item, never its pending change: saving one
    # leaves every page valid (portal.http.caching).
    shown_to_readers = False

    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        verbose_name=gettext_lazy("kind of item"),
        help_text=gettext_lazy("The model of the changed item."),
    )
    object_id = models.PositiveBigIntegerField(
        gettext_lazy("item id"), help_text=gettext_lazy("The changed item's id.")
    )
    item = GenericForeignKey("content_type", "object_id")
    values = models.JSONField(
        gettext_lazy("values"),
        encoder=DjangoJSONEncoder,
        help_text=gettext_lazy(
            "The item's content as the change has it: each field the editor writes "
            "(related items and many-to-many fields as ids)."
        ),
    )
    base_revision = models.PositiveIntegerField(
        gettext_lazy("based on revision"),
        help_text=gettext_lazy(
            "The item's revision number the change started from; approving is "
            "refused once the item was saved since."
        ),
    )
    status = models.CharField(
        gettext_lazy("status"),
        max_length=16,
        choices=RevisionStatus.choices,
        default=RevisionStatus.PENDING,
        help_text=gettext_lazy(
            "Pending review: readers still see the published version. Superseded: "
            "replaced by a later change of the same item."
        ),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("author"),
        help_text=gettext_lazy("Who made the change."),
    )
    reason = models.CharField(
        gettext_lazy("reason"),
        max_length=200,
        blank=True,
        help_text=gettext_lazy("Where the change came from (e.g. an API token)."),
    )
    created_at = models.DateTimeField(
        gettext_lazy("submitted at"),
        auto_now_add=True,
        help_text=gettext_lazy("When the change was saved for review."),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("reviewer"),
        help_text=gettext_lazy("The publisher who approved it or sent it back."),
    )
    reviewed_at = models.DateTimeField(
        gettext_lazy("reviewed at"),
        null=True,
        blank=True,
        help_text=gettext_lazy("When it was approved or sent back."),
    )
    comment = models.TextField(
        gettext_lazy("comment"),
        blank=True,
        max_length=5000,
        help_text=gettext_lazy("The publisher's comment when sending it back."),
    )

    objects = RevisionQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("revision")
        verbose_name_plural = gettext_lazy("revisions")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "status"],
                name="revision_item_status",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(status="pending"),
                name="revision_one_pending_per_item",
            )
        ]

    def __str__(self):
        return _("Change of %(kind)s #%(id)s by %(author)s") % {
            "kind": self.content_type.name,
            "id": self.object_id,
            "author": self.author or _("someone"),
        }

    @property
    def model(self):
        return self.content_type.model_class()


class RevisionRefused(ValidationError):
    """The revision cannot be approved or sent back (said in ``messages``)."""


# -- the values a revision holds ---------------------------------------------------


def content_fields(model) -> list:
    """The fields of ``model`` a revision holds: what an editor writes, not the
    workflow fields, the revision stamp, timestamps or derived values."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable
        and not field.primary_key
        and field.name not in WORKFLOW_FIELDS
    ]


def many_to_many_fields(model) -> list:
    """Its many-to-many fields an editor sets (not those derived through a model
    of their own, such as a project's licenses, which follow its expression)."""
    return [
        field
        for field in model._meta.many_to_many
        if field.editable and field.remote_field.through._meta.auto_created
    ]


def values_of(instance, many_to_many: dict | None = None) -> dict:
    """The values of ``instance`` a revision holds, as JSON keeps them;
    ``many_to_many`` (names to objects or ids) overrides what is stored."""
    many_to_many = many_to_many or {}
    values = {
        field.name: field.value_from_object(instance)
        for field in content_fields(type(instance))
    }
    for field in many_to_many_fields(type(instance)):
        if field.name in many_to_many:
            chosen = many_to_many[field.name]
        elif instance.pk is not None:
            chosen = getattr(instance, field.name).all()
        else:
            chosen = []
        values[field.name] = sorted(getattr(item, "pk", item) for item in chosen)
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def with_values(live, values: dict):
    """A copy of ``live`` (the item as stored) with ``values`` set (not saved),
    and the many-to-many values (names to lists of ids)."""
    instance = type(live)._default_manager.get(pk=live.pk)
    for field in content_fields(type(live)):
        if field.name in values:
            setattr(instance, field.attname, field.to_python(values[field.name]))
    many_to_many = {
        field.name: values[field.name]
        for field in many_to_many_fields(type(live))
        if field.name in values
    }
    return instance, many_to_many


def pending_revision(item) -> Revision | None:
    if item is None or item.pk is None:
        return None
    return Revision.objects.of(item).pending().select_related("author").first()


def working_copy(*, user, current):
    """What ``user`` edits when they change ``current``: the item as stored, or,
    when their change must be reviewed and one is pending, the item with the
    pending revision's values (their latest work). Returns ``(instance,
    many_to_many or None, revision or None)``."""
    if not must_review(user, current):
        return current, None, None
    revision = pending_revision(current)
    if revision is None:
        return current, None, None
    instance, many_to_many = with_values(current, revision.values)
    return instance, many_to_many, revision


# -- submitting, approving, sending back ------------------------------------------


def revision_submit(
    *, user, instance, many_to_many: dict | None = None, reason: str = ""
) -> Revision | None:
    """Keep ``instance`` (a published item, with the editor's values set in
    memory and validated) as its pending revision, superseding the one pending,
    if any (whose base it keeps: the editor started from its values). Returns
    ``None`` when the values are those of the published version and nothing is
    pending (nothing to review)."""
    model = type(instance)
    with transaction.atomic():
        current = locked_current(instance)
        if current is None:
            raise ValidationError(_("This item no longer exists."))
        values = values_of(instance, many_to_many)
        previous = Revision.objects.of(current).pending().select_for_update().first()
        if previous is None and values == values_of(current):
            return None
        if previous is not None:
            previous.status = RevisionStatus.SUPERSEDED
            previous.save(update_fields=["status"])
        revision = Revision.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=current.pk,
            values=values,
            base_revision=(
                previous.base_revision if previous is not None else current.revision
            ),
            author=_person(user),
            reason=(reason or "")[:200],
        )
        revision.item = current
        _after_commit("revision_submitted", revision)
    return revision


def revision_approve(*, revision: Revision, user):
    """Apply ``revision`` to its item through the model's write path, as
    ``user`` (who must may publish it); return the item as saved. Refused
    (``RevisionRefused``) if it is no longer pending or the item was saved
    since its base; a ``ValidationError`` of the item if its values are no
    longer valid. Nothing is written then."""
    model = revision.model
    if not may_publish(user, model):
        raise PermissionDenied(_("Only a publisher can approve a change."))
    with transaction.atomic():
        revision = Revision.objects.select_for_update().get(pk=revision.pk)
        if revision.status != RevisionStatus.PENDING:
            raise RevisionRefused(
                _("This change is no longer pending (%(status)s).")
                % {"status": revision.get_status_display()}
            )
        live = locked_current(model(pk=revision.object_id))
        if live is None:
            raise RevisionRefused(_("The item no longer exists."))
        if live.revision != revision.base_revision:
            raise RevisionRefused(conflict_message(live, revision))
        instance, many_to_many = with_values(live, revision.values)
        reason = _("Change by %(author)s, approved by %(publisher)s") % {
            "author": revision.author or _("someone"),
            "publisher": user,
        }
        writer = getattr(model, "revision_writer", None)
        write = import_string(writer) if writer else save_content
        author = revision.author or _person(user)
        instance._approved_revision = revision
        write(instance, user=author, reason=reason, many_to_many=many_to_many)
        revision.status = RevisionStatus.APPROVED
        revision.reviewer = _person(user)
        revision.reviewed_at = timezone.now()
        revision.save(update_fields=["status", "reviewer", "reviewed_at"])
        revision.item = instance
        _after_commit("revision_approved", revision)
    return instance


def revision_send_back(*, revision: Revision, user, comment: str = "") -> Revision:
    """Decline ``revision`` with ``comment`` for its author; the item stays as
    published."""
    if not may_publish(user, revision.model):
        raise PermissionDenied(_("Only a publisher can send a change back."))
    with transaction.atomic():
        revision = Revision.objects.select_for_update().get(pk=revision.pk)
        if revision.status != RevisionStatus.PENDING:
            raise RevisionRefused(
                _("This change is no longer pending (%(status)s).")
                % {"status": revision.get_status_display()}
            )
        revision.status = RevisionStatus.SENT_BACK
        revision.reviewer = _person(user)
        revision.reviewed_at = timezone.now()
        revision.comment = comment.strip()
        revision.save(update_fields=["status", "reviewer", "reviewed_at", "comment"])
        _after_commit("revision_sent_back", revision)
    return revision


def conflict_message(live, revision: Revision) -> str:
    """Why ``revision`` cannot be applied to ``live``: the fields saved since
    its base, by whom."""
    history = live.history.order_by("-history_id")
    latest = history.select_related("history_user").first()
    base = history.filter(revision=revision.base_revision).first()
    changed = []
    if latest is not None and base is not None:
        delta = latest.diff_against(
            base,
            included_fields=[
                f.name
                for f in [*content_fields(type(live)), *many_to_many_fields(type(live))]
                if f.name in {t.name for t in base.tracked_fields}
                or f.name in {m.name for m in base._history_m2m_fields}
            ],
        )
        changed = [
            str(capfirst(type(live)._meta.get_field(name).verbose_name))
            for name in delta.changed_fields
        ]
    who = getattr(latest, "history_user", None) or _("someone")
    return _(
        "“%(item)s” was saved by %(who)s after this change was submitted%(fields)s. "
        "Approving it would undo that. Send it back so that its author makes the "
        "change again on the current version."
    ) % {
        "item": live,
        "who": who,
        "fields": (" (" + ", ".join(changed) + ")") if changed else "",
    }


def save_content(instance, *, user, reason: str, many_to_many: dict) -> None:
    """The write path of a model without a service of its own: validate, save
    and set the many-to-many values, in one version of its history."""
    with transaction.atomic():
        record_author(instance, user=user, reason=reason)
        instance.full_clean()
        instance.save()
        with many_to_many_in_last_version(instance):
            for name, ids in many_to_many.items():
                getattr(instance, name).set(ids)


def _person(user):
    if user is None or user is SYSTEM or not getattr(user, "is_authenticated", False):
        return None
    return user


def _after_commit(event: str, revision: Revision) -> None:
    from portal.publishing import notifications

    transaction.on_commit(lambda: getattr(notifications, event)(revision), robust=True)
