"""The one rule that decides what the public may see.

Every public model inherits :class:`Publishable`. ``Model.objects.published(at=None)``
is the only definition of "visible to the public": views, API querysets, feeds and
template tags all go through it. ``at`` defaults to now and is a parameter so that
tests (and previews of a schedule) can fix the time.

A model whose visibility also depends on a parent (a statement on its section, a
release on its project) names that parent in ``Meta``-like attribute
``published_parent``; the rule then requires the parent to be visible too, using
the same definition with a field prefix, so the rule is still written only once.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


def published_q(model, at=None, prefix: str = "") -> Q:
    """A ``Q`` that keeps the rows of ``model`` visible to the public at ``at``."""
    at = at or timezone.now()
    q = Q(**{f"{prefix}state": State.PUBLISHED}) & (
        Q(**{f"{prefix}publish_at__isnull": True})
        | Q(**{f"{prefix}publish_at__lte": at})
    )
    parent = getattr(model, "published_parent", None)
    if parent:
        parent_model = model._meta.get_field(parent).related_model
        q &= published_q(parent_model, at, prefix=f"{prefix}{parent}__")
    return q


class PublishableQuerySet(models.QuerySet):
    def published(self, at=None):
        """Rows the public may see at ``at`` (default: now)."""
        return self.filter(published_q(self.model, at))


class Publishable(models.Model):
    """Abstract base of every model the public can see."""

    state = models.CharField(
        _("state"),
        max_length=16,
        choices=State.choices,
        default=State.DRAFT,
        db_index=True,
        help_text=_("Only published items are shown on the site and in the API."),
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_(
            "Optional. A published item stays hidden until this moment; leave empty "
            "to show it as soon as it is published."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PublishableQuerySet.as_manager()

    published_parent: str | None = None

    class Meta:
        abstract = True

    def is_published(self, at=None) -> bool:
        """The instance-side twin of ``published()``, for one object in hand."""
        at = at or timezone.now()
        if self.state != State.PUBLISHED:
            return False
        if self.publish_at is not None and self.publish_at > at:
            return False
        if self.published_parent:
            return getattr(self, self.published_parent).is_published(at)
        return True
