"""The one publish policy: who may set an item's state and schedule.

Every door that writes content asks :func:`check_publishing` before it writes:
the admin's change form and its inline rows, the admin's workflow actions, the
catalogue import (admin page and ``import_projects``), every API write and the
history revert. A door added later calls it too, and gains its row in
``tests/test_publish_policy.py`` (the door x role x change matrix).

The rule:

* A user with the model's publish permission (``<app>.publish_<model>``: the
  Publisher role, and superusers) may set any state and any schedule.
* Anyone else who may edit may write drafts and send them for review, and set
  the schedule of an item that is not published yet (it has no effect until a
  publisher publishes it). They may not publish, and on a published item they
  may change neither the state nor ``publish_at`` / ``unpublish_at``: either
  would change what readers see. Its content they may still edit.

What readers see changes only through a publisher. So an edit of a published
item's content by anyone else is not applied but kept as a pending revision
(:mod:`portal.publishing.revisions`) that a publisher approves or sends back:
:func:`must_review` decides, and every door that writes asks it (the admin's
change form, inline rows and revert page, the API's ``PUT``/``PATCH``, the
import).

A refusal raises :class:`PublishingRefused`, a ``PermissionDenied`` that names
the field, so each door can say it its own way: a 403 in the API's error
format, a form error in the admin, a row error in an import. Nothing is
written when it is raised.
"""

from collections.abc import Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from portal.publishing.models import State

WORKFLOW_FIELDS = ("state", "publish_at", "unpublish_at")


class _System:
    """The portal itself writing its own content (the demo loader, data
    migrations): not a person, so no permission applies and no author is named."""

    def __repr__(self):
        return "SYSTEM"


SYSTEM = _System()


class PublishingRefused(PermissionDenied):
    """The user may not make this change of state or schedule."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


def publish_permission(model) -> str:
    """The permission to publish and unpublish ``model``, e.g.
    ``projects.publish_project`` (declared in each model's ``Meta.permissions``)."""
    opts = model._meta
    return f"{opts.app_label}.{get_permission_codename('publish', opts)}"


# Within ``remembered_permissions()``: the answers of ``may_publish`` so far.
_remembered: ContextVar[dict | None] = ContextVar(
    "remembered_permissions", default=None
)


@contextmanager
def remembered_permissions():
    """Within the block, ``may_publish`` asks the authentication backends once
    per user and model. For one long run of writes by one user (an import asks
    for each of its rows); a change of the user's rights meanwhile is seen by
    the next run."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def may_publish(user, model) -> bool:
    """Whether ``user`` may publish and unpublish items of ``model``."""
    if user is SYSTEM:
        return True
    if not user:
        return False
    memo = _remembered.get()
    if memo is None:
        return user.has_perm(publish_permission(model))
    key = (id(user), model)
    if key not in memo:
        memo[key] = user.has_perm(publish_permission(model))
    return memo[key]


def check_publishing(*, user, model, current=None, changes: Mapping[str, Any]) -> None:
    """Refuse, with :class:`PublishingRefused`, a change of state or schedule
    that ``user`` may not make.

    ``current`` is the item as stored (``None`` when it is being created);
    ``changes`` holds the values asked for, of any fields: only the workflow
    fields among them count, and only where they differ from ``current``.
    """
    if may_publish(user, model):
        return
    asked = {
        name: changes[name]
        for name in WORKFLOW_FIELDS
        if name in changes
        and (current is None or changes[name] != getattr(current, name))
    }
    if current is not None and current.state == State.PUBLISHED:
        for name in WORKFLOW_FIELDS:
            if name in asked:
                raise PublishingRefused(
                    _(
                        "“%(item)s” is published: only a publisher can change its "
                        "state or schedule."
                    )
                    % {"item": current},
                    field=name,
                )
        return
    if asked.get("state") == State.PUBLISHED:
        raise PublishingRefused(
            _(
                "Only a publisher can publish: choose “Draft” or “In review”, and "
                "a publisher will publish it."
            ),
            field="state",
        )


def must_review(user, current) -> bool:
    """Whether ``user``'s change to ``current`` (the item as stored; ``None``
    when it is being created) must wait for a publisher as a pending revision
    instead of being applied: a change of a published item by someone who may
    not publish it. Readers keep seeing the published version until a
    publisher approves the change."""
    if current is None or getattr(current, "pk", None) is None:
        return False
    if getattr(current, "state", None) != State.PUBLISHED:
        return False
    return not may_publish(user, type(current))
