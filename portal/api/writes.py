"""What every write through the API shares: who may do what, and no lost updates.

- Permissions: anyone may read; a write needs an authenticated user (an API token,
  see :mod:`portal.api.tokens`) holding the Django permission the view names for that
  action (``required_permissions``). So a release bot's user with only
  ``projects.add_release`` may add releases and nothing else.
- Preconditions: a client that sends ``If-Match`` with the ``ETag`` it read, or
  ``If-Unmodified-Since`` with the ``Last-Modified`` it read, gets ``412`` when
  the item changed meanwhile, instead of overwriting the other change. The check
  runs on the row locked for the rest of the transaction, so two writes cannot
  both pass it.
- Authorship: every write is recorded in the history with its user and, as the
  reason, the token's name.
- Publishing: the write services ask the one publish policy
  (``portal.publishing.policy``); its refusal is a 403 in the error format. A
  change of a published item by a token whose user may not publish it
  (``must_review``) is kept as a pending revision: ``202 Accepted`` with
  :class:`PendingChangeSerializer`'s body, and readers (GET included) keep the
  published version until a publisher approves it.
"""

import datetime
import hashlib

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.cache import quote_etag
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from portal.api.errors import PreconditionFailed


class ActionPermissions(permissions.BasePermission):
    """Reads for everyone; each write action needs the permissions the view lists
    in ``required_permissions[action]``."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if view.action not in view.required_permissions:
            return True  # a method the address does not have: the view answers 405
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated(
                _("Writing needs an API token: 'Authorization: Bearer <token>'.")
            )
        needed = view.required_permissions.get(view.action, ())
        missing = [perm for perm in needed if not request.user.has_perm(perm)]
        if missing:
            raise exceptions.PermissionDenied(
                _("This token may not do this (it lacks: %(perms)s).")
                % {"perms": ", ".join(missing)}
            )
        return True


def representation_etag(data) -> str:
    """The ETag a GET of this representation carries (a hash of its JSON body)."""
    body = JSONRenderer().render(data)
    return quote_etag(hashlib.md5(body, usedforsecurity=False).hexdigest())


def check_preconditions(request, current_data, last_modified) -> None:
    """Refuse with 412 a write whose preconditions fail (RFC 9110, 13.2.2).

    ``If-Match`` decides when it is sent: it must name the ETag of
    ``current_data``, the item as a GET shows it. Otherwise ``If-Unmodified-Since``
    decides: the item must not have been modified (``last_modified``, its
    ``updated_at``) after that date, to the second; an invalid date is ignored.
    """
    if request.headers.get("If-Match"):
        _check_if_match(request.headers["If-Match"], current_data)
    elif request.headers.get("If-Unmodified-Since") and last_modified is not None:
        _check_unmodified_since(request.headers["If-Unmodified-Since"], last_modified)


def _check_if_match(header: str, current_data) -> None:
    """412 when the ``If-Match`` header names no version of what is there now."""
    if header.strip() == "*":
        return
    current = representation_etag(current_data).strip('"')
    offered = {tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")}
    if current not in offered:
        raise PreconditionFailed(
            _(
                "It changed since you read it (your If-Match does not match its "
                "current ETag %(etag)s). Read it again, then apply your change."
            )
            % {"etag": f'"{current}"'}
        )


def _check_unmodified_since(header: str, last_modified: datetime.datetime) -> None:
    """412 when the item was modified after the ``If-Unmodified-Since`` date."""
    since = parse_http_date_safe(header)
    if since is None:
        return  # not an HTTP date (or a list of them): ignored, as RFC 9110 says
    modified = int(last_modified.timestamp())  # HTTP dates count whole seconds
    if modified > since:
        raise PreconditionFailed(
            _(
                "It changed since you read it (it was modified %(modified)s, after "
                "your If-Unmodified-Since %(since)s). Read it again, then apply "
                "your change."
            )
            % {"modified": http_date(modified), "since": http_date(since)}
        )


def token_reason(request) -> str | None:
    """The reason history records for a write with this request's token."""
    token = request.auth
    return f"API token '{token.name}'" if hasattr(token, "name") else None


class PendingChangeSerializer(serializers.Serializer):
    """The answer to a write kept for review (``202 Accepted``)."""

    detail = serializers.CharField(help_text="What happened, in words.")
    status = serializers.ChoiceField(
        choices=["pending"], help_text="Always 'pending': waiting for a publisher."
    )
    revision = serializers.IntegerField(help_text="The pending revision's id.")
    submitted_at = serializers.DateTimeField(help_text="When it was saved.")
    published = serializers.URLField(
        help_text="The item's API address: it shows the published version until "
        "the change is approved."
    )
    review = serializers.URLField(
        help_text="Where publishers review the change (in the admin)."
    )


def pending_change_response(request, revision, *, published_path: str) -> Response:
    """``202 Accepted`` for a change kept as ``revision``, pending review."""
    opts = revision.model._meta
    review = reverse(
        f"admin:{opts.app_label}_{opts.model_name}_revision",
        args=[quote(revision.object_id)],
    )
    body = PendingChangeSerializer(
        {
            "detail": _(
                "Your change was saved for review; readers still see the published "
                "version until a publisher approves it."
            ),
            "status": "pending",
            "revision": revision.pk,
            "submitted_at": revision.created_at,
            "published": request.build_absolute_uri(published_path),
            "review": request.build_absolute_uri(review),
        }
    ).data
    return Response(body, status=status.HTTP_202_ACCEPTED)
