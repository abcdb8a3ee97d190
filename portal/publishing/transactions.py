"""Work gathered while a transaction writes, done once when it commits.

Several listeners react to every content write (the content version of
``portal.http.caching``, the webhooks' comparison with what was announced), and
must wait for the commit: a reader between the write and the commit would
otherwise see the old content under the new version, and a rollback must
announce nothing. An import saves thousands of rows in one transaction, so a
listener must not queue a callback per row (each holds memory until the commit
and runs the same work again): :func:`gathered` gives the listener one object
per transaction to add to, whose ``run()`` is queued once.

Django replaces its list of commit callbacks on every commit and rollback, of a
transaction or of a savepoint. While the list is the one the callback was
queued in, the callback is still queued: a rollback drops it only with a
savepoint that was open when it was queued, and that savepoint encloses the
current write too, which is dropped with it. When the list changed, the
callback is queued again (and runs once: the object remembers it ran). What a
rolled-back write added stays in the object: the listeners' work must be safe
to do for an item that did not change (a version bumped once more, a
comparison that finds nothing new).
"""

from collections.abc import Callable
from typing import Protocol

from django.db import DEFAULT_DB_ALIAS, connections, transaction


class Runnable(Protocol):
    def run(self) -> None: ...


class _Queued:
    """One key's object in one transaction, and the list its callback is in."""

    def __init__(self, value):
        self.value = value
        self.done = False
        self.queue: list | None = None

    def run(self) -> None:
        if not self.done:
            self.done = True
            self.value.run()


def gathered[T: Runnable](
    key: str, factory: Callable[[], T], *, using=DEFAULT_DB_ALIAS
) -> T | None:
    """The object ``key`` gathers in the current transaction of ``using`` (made
    by ``factory()`` for the transaction's first write); its ``run()`` is called
    once, after the transaction commits, never if it rolls back. ``None``
    outside a transaction: the caller does the work at once."""
    connection = connections[using]
    if not connection.in_atomic_block:
        return None
    objects = connection.__dict__.setdefault("portal_gathered", {})
    queued = objects.get(key)
    if queued is None or queued.done:
        queued = objects[key] = _Queued(factory())
    elif queued.queue is connection.run_on_commit:
        return queued.value
    queued.queue = connection.run_on_commit
    transaction.on_commit(queued.run, using=using)
    return queued.value
