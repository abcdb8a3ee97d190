"""Optimistic concurrency: every content row carries a revision number.

``revision`` starts at 1 and goes up by one on every ``save()`` of an existing
row, computed by the database (``revision = revision + 1``), so two saves never
produce the same number and a revert to old content still moves it forward. A
client that read revision ``n`` and wants to write sends ``n`` back; if the row is
no longer at ``n``, someone saved it meanwhile and the write is refused instead of
silently overwriting their work.

(Named ``revision``, not ``version``: a release's ``version`` is its version
number, e.g. 23.11.0.)

The admin's change forms carry it as a hidden field (``portal.admin.forms``). The
API can use the same number as the base of an ``ETag`` and check ``If-Match``
against :func:`locked_current` the same way.
"""

from django.db import connections, models
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """Abstract base: a ``revision`` the database increments on every save."""

    revision = models.PositiveIntegerField(
        _("revision"),
        default=1,
        editable=False,
        help_text=_(
            "Goes up by one with every save; an edit based on an older revision is "
            "refused instead of overwriting the newer one."
        ),
    )

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        if self._state.adding:
            super().save(*args, update_fields=update_fields, **kwargs)
            return
        # Computed by the database: concurrent saves each get their own number,
        # and the new value is read back (RETURNING) by the save.
        previous = self.revision
        self.revision = F("revision") + 1
        if update_fields is not None:
            update_fields = {*update_fields, "revision"}
        try:
            super().save(*args, update_fields=update_fields, **kwargs)
        except BaseException:
            self.revision = previous
            raise


def locked_current(instance: models.Model):
    """The row of ``instance`` as it is in the database now, locked until the end
    of the transaction (``SELECT ... FOR UPDATE`` where the database has it), or
    None if it was deleted.

    Compare its ``revision`` with the one the client read: a concurrent save
    waits for this transaction to end, then sees the new number.
    """
    queryset = type(instance)._default_manager.filter(pk=instance.pk)
    connection = connections[queryset.db]
    if connection.in_atomic_block:
        # FOR NO KEY UPDATE (PostgreSQL): blocks other saves of the row, but not
        # the inserts of rows that refer to it (a project's links to a license
        # being checked), which would risk a deadlock for nothing.
        queryset = queryset.select_for_update(
            no_key=connection.features.has_select_for_no_key_update
        )
    return queryset.first()
