"""Who changed what, for writes that do not come through the admin.

Every content model keeps its history with django-simple-history: each save
writes a record with the values, the time, the author and an optional reason.
The author is found in this order:

1. ``instance._history_user``, set on the object before ``save()``;
2. the user of the current request: ``HistoryRequestMiddleware`` (in
   ``MIDDLEWARE``) exposes each request as ``HistoricalRecords.context.request``,
   so any save during a logged-in request is attributed to its user. The admin
   relies on this (and ``SimpleHistoryAdmin`` sets 1. as well); so does the API,
   whose authentication (a token) sets the user on the request before the view
   saves;
3. nobody (``None``), e.g. a management command.

The reason is ``instance._change_reason`` if set before ``save()``, or set on the
latest record afterwards with ``simple_history.utils.update_change_reason``.

So, to record a write:

* an API view: nothing to do for the author; give a reason with
  ``record_author(instance, reason="API token 'release bot'")`` before saving;
* an import or a command: ``record_author(instance, user=user, reason="Import")``
  before each save, or wrap the whole run in ``with acting_as(user):`` to name
  the author of every save inside it (services that save several objects
  included).
"""

from contextlib import contextmanager
from types import SimpleNamespace

from simple_history.models import HistoricalRecords

# Indexed on the live tables (for the publishing rule and the content version),
# never searched by in the history tables, where an index only slows each save.
UNINDEXED_IN_HISTORY = ("state", "publish_at", "unpublish_at", "updated_at")


def content_history(**options) -> HistoricalRecords:
    """The history of a content model: ``HistoricalRecords`` without the live
    table's publishing indexes."""
    return HistoricalRecords(no_db_index=list(UNINDEXED_IN_HISTORY), **options)


def record_author(instance, *, user=None, reason: str | None = None):
    """Name the author (``user``) and the ``reason`` of ``instance``'s next save
    in its history record; return ``instance``."""
    if user is not None:
        instance._history_user = user
    if reason:
        instance._change_reason = reason
    return instance


@contextmanager
def acting_as(user):
    """Within the block, saves without an author of their own are attributed to
    ``user`` (as if made during a request of ``user``).

    Only for code outside a request (commands, imports, shells): inside one, the
    request's user is the author already.
    """
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous
