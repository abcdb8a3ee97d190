"""The one rule that decides what the public may see, and the workflow that leads
there.

Every public model inherits :class:`Publishable`. ``Model.objects.published(at=None)``
is the only definition of "visible to the public": views, API querysets, feeds and
template tags all go through it. ``at`` defaults to now and is a parameter so that
tests (and previews of a schedule) can fix the time.

An item moves draft -> in review -> published. A published item is visible from
its ``publish_at`` (if any) until its ``unpublish_at`` (if any): both are compared
with "now" whenever the rule is asked, so a scheduled item appears and disappears
at its time without any job having to run.

A model whose visibility also depends on a parent (a statement on its section, a
release on its project) names that parent in ``Meta``-like attribute
``published_parent``; the rule then requires the parent to be visible too, using
the same definition with a field prefix, so the rule is still written only once.

The admin's preview shows an item the public cannot see yet on the page readers
would find it on. It asks the same rule, with ``preview=<item>``: the public's
view, except that the item and its parents count as visible
(:mod:`portal.publishing.previews`).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.publishing.versioning import Versioned


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")


def previewed_chain(item) -> list:
    """``item`` and the parents its visibility depends on (a release and its
    project), nearest first."""
    chain = []
    while item is not None:
        chain.append(item)
        parent = getattr(item, "published_parent", None)
        item = getattr(item, parent) if parent else None
    return chain


def published_q(model, at=None, prefix: str = "", preview=None) -> Q:
    """A ``Q`` that keeps the rows of ``model`` visible to the public at ``at``.

    ``preview``: an item shown in the admin's preview; it and its parents count
    as visible, whatever their state and schedule, and nothing else changes.
    """
    at = at or timezone.now()
    q = (
        Q(**{f"{prefix}state": State.PUBLISHED})
        & (
            Q(**{f"{prefix}publish_at__isnull": True})
            | Q(**{f"{prefix}publish_at__lte": at})
        )
        & (
            Q(**{f"{prefix}unpublish_at__isnull": True})
            | Q(**{f"{prefix}unpublish_at__gt": at})
        )
    )
    previewed = next(
        (item for item in previewed_chain(preview) if isinstance(item, model)), None
    )
    if previewed is not None:
        q |= Q(**{f"{prefix}pk": previewed.pk})
    parent = getattr(model, "published_parent", None)
    if parent:
        parent_model = model._meta.get_field(parent).related_model
        q &= published_q(
            parent_model, at, prefix=f"{prefix}{parent}__", preview=preview
        )
    return q


class PublishableQuerySet(models.QuerySet):
    def published(self, at=None, *, preview=None):
        """Rows the public may see at ``at`` (default: now); with ``preview``,
        as the admin's preview of that item shows them (see ``published_q``)."""
        return self.filter(published_q(self.model, at, preview=preview))


class Publishable(Versioned):
    """Abstract base of every model the public can see.

    Each concrete model declares ``("publish_<model>", ...)`` in its
    ``Meta.permissions``: the right to publish and unpublish it (Publisher role).
    """

    state = models.CharField(
        _("state"),
        max_length=16,
        choices=State.choices,
        default=State.DRAFT,
        db_index=True,
        help_text=_(
            "Draft: being written. In review: waiting for a publisher. Published: "
            "shown on the site and in the API (within the times below)."
        ),
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "Optional. A published item stays hidden until this moment; leave empty "
            "to show it as soon as it is published."
        ),
    )
    unpublish_at = models.DateTimeField(
        _("unpublish at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "Optional. A published item is hidden again from this moment (it stays "
            "published; clear the date to show it again). Must be after 'publish at'."
        ),
    )
    created_at = models.DateTimeField(
        _("created at"),
        auto_now_add=True,
        help_text=_("When the item was first saved."),
    )
    updated_at = models.DateTimeField(
        _("updated at"),
        auto_now=True,
        db_index=True,
        help_text=_("When the item was last saved."),
    )

    objects = PublishableQuerySet.as_manager()

    published_parent: str | None = None

    # The dotted path of the function that saves an approved revision of this
    # model (``f(instance, *, user, reason, many_to_many)``): its one write path.
    # None: validate, save and set the many-to-many values
    # (``portal.publishing.revisions.save_content``).
    revision_writer: str | None = None

    class Meta:
        abstract = True

    # Fields whose value as read is kept (``loaded_value``), so that a save can
    # tell whether it changed them, beside ``state``.
    kept_as_loaded: tuple[str, ...] = ()

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        # The state as read, so that a save can tell a change of state
        # (``portal.publishing.notifications``).
        instance._loaded_state = instance.__dict__.get("state")
        instance.keep_as_loaded()
        return instance

    def loaded_value(self, name: str, default=None):
        """``name``'s value as read from the database (one of
        ``kept_as_loaded``), or ``default`` when unknown: an instance not read
        from the database, or read without that field."""
        return getattr(self, "_loaded_values", {}).get(name, default)

    def keep_as_loaded(self) -> None:
        """Take the values in hand as the stored ones (after a save)."""
        self._loaded_values = {
            name: self.__dict__[name]
            for name in self.kept_as_loaded
            if name in self.__dict__
        }

    def is_published(self, at=None) -> bool:
        """The instance-side twin of ``published()``, for one object in hand."""
        at = at or timezone.now()
        if self.state != State.PUBLISHED:
            return False
        if self.publish_at is not None and self.publish_at > at:
            return False
        if self.unpublish_at is not None and self.unpublish_at <= at:
            return False
        if self.published_parent:
            return getattr(self, self.published_parent).is_published(at)
        return True

    def clean_fields(self, exclude=None):
        """Validate the fields, and the schedule with them: each model's own
        ``clean()`` then needs no call to a base class to keep this rule."""
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        skipped = set(exclude or ()) | set(errors)
        if (
            not {"publish_at", "unpublish_at"} & skipped
            and self.publish_at is not None
            and self.unpublish_at is not None
            and self.unpublish_at <= self.publish_at
        ):
            errors["unpublish_at"] = [
                ValidationError(
                    _("'Unpublish at' must be after 'publish at'."),
                    code="unpublish_before_publish",
                )
            ]
        if errors:
            raise ValidationError(errors)
