"""Who hears of what in the workflow: plain-text email, sent by a background
task (``django.tasks``), never during the request.

* To the publishers of the model (users holding its publish permission, and
  superusers, with an email address; not the one who acted): an item was
  submitted for review (its state set to *in review*), or a change of a
  published item was saved for review (a pending revision).
* To the author: their item was published, their pending change approved, or
  either sent back (with the publisher's comment).

Each message links to the item in the admin, an absolute address built from
``SITE_URL``. The task is queued after the transaction commits; queuing or
sending may fail (a mail server down): the change is saved all the same, and
the failure is logged (and kept by the task's result).

State changes are noticed whatever the door, by the models' ``post_save``
(``connect_signals``), which also sends
:data:`portal.publishing.signals.published_content_changed`.
"""

import logging

from django.conf import settings
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_save
from django.tasks import task
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from portal.publishing.models import Publishable, State
from portal.publishing.policy import publish_permission
from portal.publishing.signals import published_content_changed

logger = logging.getLogger(__name__)


@task
def send_notification(*, recipients: list[str], subject: str, body: str) -> int:
    """Send one plain-text message to ``recipients`` (each sees only
    themselves)."""
    sent = 0
    for address in recipients:
        sent += send_mail(subject, body, None, [address])
    return sent


def notify(recipients, subject: str, body: str) -> None:
    """Queue the message once the transaction commits; a failure to queue is
    logged, never raised into the request."""
    addresses = sorted({address for address in recipients if address})
    if not addresses:
        return
    transaction.on_commit(_Message(addresses, subject, body).enqueue, robust=True)


class _Message:
    def __init__(self, addresses, subject, body):
        self.addresses, self.subject, self.body = addresses, subject, body

    def enqueue(self):
        try:
            send_notification.enqueue(
                recipients=self.addresses, subject=self.subject, body=self.body
            )
        except Exception:
            logger.exception("Could not queue the notification %r", self.subject)


def admin_url(item, view: str = "change", query: str = "") -> str:
    """The absolute address of ``item``'s page in the admin (its change form,
    or ``view``)."""
    opts = item._meta
    try:
        path = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[quote(item.pk)]
        )
    except NoReverseMatch:
        path = reverse("admin:index")
        query = ""
    return settings.SITE_URL.rstrip("/") + path + query


def publishers_of(model, *, besides=None) -> list[str]:
    """The email addresses of the active users who may publish ``model``."""
    users = get_user_model().objects.with_perm(
        publish_permission(model),
        is_active=True,
        include_superusers=True,
        # The permissions of groups and users (not the login lockout's backend).
        backend="django.contrib.auth.backends.ModelBackend",
    )
    if besides is not None and getattr(besides, "pk", None) is not None:
        users = users.exclude(pk=besides.pk)
    return list(users.exclude(email="").values_list("email", flat=True))


def _kind(item) -> str:
    return str(item._meta.verbose_name)


def _name(user) -> str:
    return str(user) if user is not None else _("Someone")


# -- revisions (portal.publishing.revisions calls these after commit) -------------


def revision_submitted(revision) -> None:
    item = revision.item
    notify(
        publishers_of(type(item), besides=revision.author),
        _("Change to review: %(kind)s “%(item)s”")
        % {"kind": _kind(item), "item": item},
        _(
            "%(who)s changed the published %(kind)s “%(item)s”. Readers still see "
            "the published version until a publisher approves the change.\n\n"
            "Compare, preview, approve or send it back:\n%(url)s\n"
        )
        % {
            "who": _name(revision.author),
            "kind": _kind(item),
            "item": item,
            "url": admin_url(item),
        },
    )


def _tell_author(revision, subject: str, body: str, *, url: str = "") -> None:
    """Tell the author of ``revision`` what a publisher did with it (not when
    they reviewed their own), with ``url`` (the item's change form if none)."""
    author = revision.author
    if author is None or author == revision.reviewer:
        return
    item = revision.item
    values = {
        "who": _name(revision.reviewer),
        "kind": _kind(item),
        "item": item,
        "comment": revision.comment or _("(none)"),
        "url": url or admin_url(item),
    }
    notify([author.email], subject % values, body % values)


def revision_approved(revision) -> None:
    _tell_author(
        revision,
        _("Approved: your change to “%(item)s”"),
        _(
            "%(who)s approved your change to the %(kind)s “%(item)s”: readers see "
            "it now.\n\n%(url)s\n"
        ),
    )
    item = revision.item
    _send_changed(type(item), item, "changed", revision.reviewer, revision)


def revision_sent_back(revision) -> None:
    _tell_author(
        revision,
        _("Sent back: your change to “%(item)s”"),
        _(
            "%(who)s sent back your change to the %(kind)s “%(item)s”; readers "
            "still see the published version. Your change is kept, with the "
            "comment, at:\n\n%(url)s\n\nComment:\n%(comment)s\n"
        ),
        url=admin_url(revision.item, "revision", f"?revision={revision.pk}"),
    )


# -- state changes, whatever the door ---------------------------------------------


def _acting_user(instance):
    user = getattr(instance, "_history_user", None)
    if user is None:
        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        return None
    return user


def _submitter(instance):
    """Who last sent ``instance`` for review (from its history), if anyone."""
    record = (
        instance.history.filter(state=State.REVIEW)
        .select_related("history_user")
        .order_by("-history_id")
        .first()
    )
    return getattr(record, "history_user", None)


def state_saved(sender, instance, created, **kwargs) -> None:
    """``post_save`` of every publishable model: notice a change of state."""
    if kwargs.get("raw"):
        return
    before = None if created else getattr(instance, "_loaded_state", None)
    after = instance.__dict__.get("state")
    instance._loaded_state = after
    if after is None:
        return
    user = _acting_user(instance)
    if after == State.REVIEW and before != State.REVIEW:
        notify(
            publishers_of(sender, besides=user),
            _("To review: %(kind)s “%(item)s”")
            % {"kind": _kind(instance), "item": instance},
            _(
                "%(who)s submitted the %(kind)s “%(item)s” for review.\n\n"
                "Preview and publish it, or send it back to draft:\n%(url)s\n"
            )
            % {
                "who": _name(user),
                "kind": _kind(instance),
                "item": instance,
                "url": admin_url(instance),
            },
        )
    elif (before, after) in (
        (State.REVIEW, State.PUBLISHED),
        (State.DRAFT, State.PUBLISHED),
        (State.REVIEW, State.DRAFT),
    ):
        _tell_submitter(instance, user, published=after == State.PUBLISHED)
    if State.PUBLISHED not in (before, after):
        return
    if before == after:
        # An approved revision sends its own, naming the revision.
        if hasattr(instance, "_approved_revision"):
            return
        action = "changed"
    else:
        action = "published" if after == State.PUBLISHED else "unpublished"
    _send_changed(sender, instance, action, user, None)


def _tell_submitter(instance, user, *, published: bool) -> None:
    submitter = _submitter(instance)
    if submitter is None or submitter == user or not submitter.email:
        return
    if published:
        subject = _("Published: %(kind)s “%(item)s”")
        body = _("%(who)s published the %(kind)s “%(item)s”.\n\n%(url)s\n")
    else:
        subject = _("Sent back: %(kind)s “%(item)s”")
        body = _("%(who)s sent the %(kind)s “%(item)s” back to draft.\n\n%(url)s\n")
    values = {
        "who": _name(user),
        "kind": _kind(instance),
        "item": instance,
        "url": admin_url(instance),
    }
    notify([submitter.email], subject % values, body % values)


class _Change:
    """One ``published_content_changed`` signal, sent after the commit."""

    def __init__(self, sender, kwargs):
        self.sender, self.kwargs = sender, kwargs

    def send(self):
        published_content_changed.send(sender=self.sender, **self.kwargs)


def _send_changed(sender, instance, action, user, revision) -> None:
    if not published_content_changed.has_listeners(sender):
        # Nothing to hold until the commit (an import saves thousands of rows).
        return
    change = _Change(
        sender,
        {"instance": instance, "action": action, "user": user, "revision": revision},
    )
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(change.send, robust=True)
    else:
        change.send()


def connect_signals() -> None:
    from django.apps import apps

    for model in apps.get_models():
        if issubclass(model, Publishable):
            post_save.connect(
                state_saved, sender=model, dispatch_uid=f"workflow-{model._meta.label}"
            )
