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

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import get_change_reason_from_object

from portal.publishing.bulk import Ids, insert_fields, insert_rows

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


@contextmanager
def many_to_many_in_last_version(instance):
    """Changes to ``instance``'s many-to-many fields within the block join the
    history record of its last save instead of making records of their own.

    One save is one version: an admin save or a service writes the fields, then
    the many-to-many rows (a project's languages); simple-history would record
    each step. Wrap the second step: its records are skipped and, at the end,
    the last record's many-to-many values are set to those now stored.
    """
    fields = getattr(type(instance).history.model, "_history_m2m_fields", ())
    if (
        not fields
        or instance.pk is None
        # Its history is written later, in bulk (DeferredHistory).
        or hasattr(instance, "skip_history_when_saving")
    ):
        yield
        return
    instance.skip_history_when_saving = True
    try:
        yield
    finally:
        del instance.skip_history_when_saving
    record = instance.history.order_by("-history_id").first()
    if record is None:
        return
    for field in fields:
        getattr(record, field.name).all().delete()
    _write_m2m_history(type(instance), [instance], [record.pk])


class DeferredHistory:
    """The history records of many saves, written in a few bulk inserts at the
    end instead of one insert (and a query per many-to-many field) per save.

    For a long run of writes in one transaction (an import): call
    ``defer(instance)`` just before each ``save()``, then ``write()`` once
    after the last write, in the same transaction. Each record gets the
    instance's values at ``write()`` time, its author (``record_author``, else
    ``user``, else the current request's user) and reason, "+" for an instance
    created by the run, "~" for one updated, and the many-to-many values the
    model's history keeps (e.g. a project's languages) as they are then.
    """

    def __init__(self, *, user=None):
        self.user = user
        self.pending: dict[tuple[type, bool], dict[int, object]] = {}

    def defer(self, instance) -> None:
        instance.skip_history_when_saving = True
        created = instance._state.adding
        self.pending.setdefault((type(instance), created), {})[id(instance)] = instance

    def write(self, *, using: str = DEFAULT_DB_ALIAS) -> None:
        for (model, created), instances in self.pending.items():
            instances = list(instances.values())
            for instance in instances:
                del instance.skip_history_when_saving
            history_ids = _write_records(
                model, instances, created=created, user=self.user, using=using
            )
            _write_m2m_history(model, instances, history_ids, using=using)
        self.pending = {}


def _write_records(model, instances, *, created: bool, user, using) -> list[int]:
    """Insert the history records of ``instances`` as simple-history's
    ``bulk_history_create`` makes them (the tracked values, the date, the
    author: the instance's, else ``user``, else the current request's; the
    reason; "+" or "~"), without a model instance per record; return their
    ids, taken in advance."""
    history_model = model.history.model
    ids = Ids(history_model, using=using)
    ids.reserve(len(instances))
    now = timezone.now()
    history_type = "+" if created else "~"
    tracked = [field.attname for field in history_model.tracked_fields]
    fields = insert_fields(history_model, with_pk=True)
    history_ids = []
    rows = []
    for instance in instances:
        author = getattr(
            instance,
            "_history_user",
            user or history_model.get_default_history_user(instance),
        )
        values = {name: getattr(instance, name) for name in tracked}
        values.update(
            history_id=ids.take(),
            history_date=getattr(instance, "_history_date", now),
            history_change_reason=get_change_reason_from_object(instance) or "",
            history_type=history_type,
            history_user_id=getattr(author, "pk", None),
        )
        history_ids.append(values["history_id"])
        rows.append([values[field.attname] for field in fields])
    insert_rows(history_model, fields, rows, using=using)
    return history_ids


def _write_m2m_history(model, instances, history_ids, *, using=DEFAULT_DB_ALIAS):
    """Give the history records (``history_ids``, one per instance) of
    ``instances`` the many-to-many values their model's history keeps, as they
    are stored now."""
    history_model = model.history.model
    for field in history_model._history_m2m_fields:
        through = field.remote_field.through
        source = field.m2m_field_name()
        names = [f.attname for f in through._meta.fields]
        rows: dict[int, list] = {}
        for row in (
            through.objects.using(using)
            .filter(**{f"{source}_id__in": [instance.pk for instance in instances]})
            .values_list(*names)
        ):
            rows.setdefault(row[names.index(f"{source}_id")], []).append(row)
        m2m_model = getattr(history_model, field.name).model
        fields = [
            m2m_model._meta.get_field("history"),
            *map(m2m_model._meta.get_field, names),
        ]
        insert_rows(
            m2m_model,
            fields,
            (
                [history_id, *row]
                for instance, history_id in zip(instances, history_ids, strict=True)
                for row in rows.get(instance.pk, [])
            ),
            using=using,
        )
