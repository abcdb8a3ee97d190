"""What other parts of the portal (and integrations built on it, such as
webhooks) can listen to: when what readers see changed.

``published_content_changed`` is sent once per item, after the transaction that
changed it commits, whenever a save touches a published item or moves an item
into or out of "published", whatever the door (admin form, action, revert, API,
import of existing projects, a publisher approving a pending revision). Its
arguments:

* ``sender``: the model (e.g. ``projects.models.Project``);
* ``instance``: the item as saved;
* ``action``: ``"published"`` (it became published), ``"unpublished"`` (it left
  "published"), ``"changed"`` (a published item's content changed, e.g. a
  pending revision was approved) ;
* ``user``: who made the change (``None`` when unknown, e.g. the portal's own
  loaders);
* ``revision``: the :class:`portal.publishing.revisions.Revision` approved, if
  the change is one, else ``None``.

Writes that send no model signal (``QuerySet.update()``, ``bulk_create``: the
import's new releases) do not send it either. Pending revisions never send it:
readers see nothing of them until a publisher approves.
"""

from django.dispatch import Signal

published_content_changed = Signal()
