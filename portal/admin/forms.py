"""The form behind every content change page and inline row of the admin.

Two rules live here, so that the change page, its inlines and simple-history's
revert page all keep them:

* **No lost updates.** The form carries the ``revision`` the editor loaded
  (``portal.publishing.versioning``) in a hidden field. On save, the row is read
  again under a lock; if its revision moved on, someone else saved meanwhile, and
  the form is refused with what changed (each field: the editor's value and the
  current one). Nothing is overwritten. On the change page and its inline rows,
  ``portal.admin.merge`` goes further: it merges the save with the one made
  meanwhile, for the editor to confirm; the revert page keeps the refusal.
* **Only publishers publish.** The publish policy
  (``portal.publishing.policy.check_publishing``, asked in ``clean()`` with the
  request's ``user``, which the admin sets per request) decides; the form only
  shows its outcome in advance: without the model's publish permission, the
  state offers "draft" and "in review" only, and on a published item the state
  and its schedule are read-only (its content can still change: a typo fix stays
  published and is recorded in the history with its author).

* **Published content changes through a publisher.** When the editor may not
  publish the item and it is published (``portal.publishing.policy.must_review``),
  the form says so (``needs_review``): the admin keeps the change as a pending
  revision instead of saving it (``ContentAdmin.save_model``), and the form
  starts from the pending revision's values, if there is one (the latest work).

On simple-history's revert page, the form shows an old version's content; the
workflow fields (state, schedule) and the revision stamp stay those of the current
row, so a revert restores what was written, never publishes by the back door.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from portal.publishing.models import State
from portal.publishing.policy import (
    WORKFLOW_FIELDS,
    PublishingRefused,
    check_publishing,
    may_publish,
    must_review,
)
from portal.publishing.revisions import (
    content_fields,
    many_to_many_fields,
    pending_revision,
)
from portal.publishing.versioning import locked_current

REVISION_FIELD = "loaded_revision"
# The pending revision the form started from (portal.publishing.revisions).
PENDING_FIELD = "loaded_pending"


class ContentAdminForm(forms.ModelForm):
    # The revision of the item the form was opened on (hidden).
    loaded_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The pending revision it started from, if any (hidden; 0: none).
    loaded_pending = forms.IntegerField(required=False, widget=forms.HiddenInput)

    # Set by the admin for each request (ContentAdmin.get_form): who is editing.
    user = None
    # Set by an inline's formset: the pending revisions of its rows, by primary
    # key, read in one query for all rows (None: ask per form).
    pending_by_pk = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = self.instance
        historical = getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
        if historical is not None and self.instance.pk is not None:
            self.current = (
                type(self.instance)._default_manager.filter(pk=self.instance.pk).first()
                or self.instance
            )
            self._show_version(historical)
        if self.instance.pk is not None and hasattr(self.current, "revision"):
            self.initial.setdefault(REVISION_FIELD, self.current.revision)
        # Asked before the form's values are set on the instance.
        self.needs_review = must_review(self.user, self.current)
        self.pending_revision = None
        if self.needs_review and historical is None:
            self._start_from_pending_revision()
        self._limit_publishing()

    def _start_from_pending_revision(self) -> None:
        """The editor's latest work: the values of the pending revision."""
        self.pending_revision = self._pending()
        self.initial.setdefault(
            PENDING_FIELD, self.pending_revision.pk if self.pending_revision else 0
        )
        if self.pending_revision is None:
            return
        values = self.pending_revision.values
        model = type(self.current)
        for field in [*content_fields(model), *many_to_many_fields(model)]:
            if field.name in self.fields and field.name in values:
                value = values[field.name]
                self.initial[field.name] = (
                    value if field.many_to_many else field.to_python(value)
                )

    def _show_version(self, historical) -> None:
        """Revert page: the old content, the current workflow fields, and the
        old values of the many-to-many fields history keeps."""
        for name in WORKFLOW_FIELDS:
            if name in self.fields:
                self.initial[name] = getattr(self.current, name)
        for field in historical._history_m2m_fields:
            if field.name in self.fields:
                target = field.m2m_reverse_field_name()
                self.initial[field.name] = [
                    getattr(row, f"{target}_id")
                    for row in getattr(historical, field.name).all()
                ]

    def _limit_publishing(self) -> None:
        if "state" not in self.fields or may_publish(self.user, self._meta.model):
            return
        saved_state = self.current.state if self.instance.pk is not None else None
        if saved_state == State.PUBLISHED:
            for name in WORKFLOW_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _(
                        "The item is published: only a publisher can change this."
                    )
            return
        state = self.fields["state"]
        state.choices = [
            (value, label) for value, label in state.choices if value != State.PUBLISHED
        ]
        state.error_messages["invalid_choice"] = _(
            "Only a publisher can publish: choose “Draft” or “In review”, and a "
            "publisher will publish it."
        )
        state.help_text = _(
            "Draft: being written. In review: ready for a publisher, who publishes it."
        )

    def clean(self):
        cleaned_data = super().clean()
        self._check_publishing(cleaned_data)
        self._refuse_stale_revision(cleaned_data.get(REVISION_FIELD))
        self._refuse_stale_pending(cleaned_data.get(PENDING_FIELD))
        return cleaned_data

    def _pending(self):
        if self.pending_by_pk is not None:
            return self.pending_by_pk.get(self.current.pk)
        return pending_revision(self.current)

    def _refuse_stale_pending(self, loaded) -> None:
        """Two editors' changes for review of one item: the second, begun from
        an older pending revision (or none), would replace the first's work."""
        if loaded is None or not self.needs_review:
            return
        pending = self._pending()
        if (pending.pk if pending else 0) == loaded:
            return
        raise ValidationError(
            _(
                "%(who)s saved a change of “%(item)s” for review after you opened "
                "it. Nothing was saved, so that their change is not lost. Copy "
                "what you need, reload the page (it shows their change), and make "
                "yours again."
            )
            % {
                "who": (pending.author if pending else None) or _("Someone else"),
                "item": self.current,
            },
            code="stale_pending_revision",
        )

    def _check_publishing(self, cleaned_data) -> None:
        changes = {
            name: cleaned_data[name] for name in WORKFLOW_FIELDS if name in cleaned_data
        }
        if not changes:
            return
        try:
            check_publishing(
                user=self.user,
                model=self._meta.model,
                current=self.current if self.instance.pk is not None else None,
                changes=changes,
            )
        except PublishingRefused as refusal:
            field = refusal.field if refusal.field in self.fields else None
            self.add_error(field, refusal.message)

    def _refuse_stale_revision(self, loaded) -> None:
        if loaded is None or self.instance.pk is None:
            return  # a new item, or a client that sends no stamp
        current = locked_current(self.instance)
        if current is None or current.revision == loaded:
            return  # deleted meanwhile: the admin says so itself
        changes = []
        for name in changed_since(current, loaded, fields=self._model_fields()):
            field = current._meta.get_field(name)
            changes.append(
                _("%(field)s: yours “%(yours)s”, now “%(now)s”.")
                % {
                    "field": capfirst(field.verbose_name),
                    "yours": describe(field, self._submitted(name)),
                    "now": describe(field, current_value(current, name)),
                }
            )
        raise ValidationError(
            [
                self._saved_meanwhile(current),
                *(changes or [_("None of the fields of this form changed.")]),
                _(
                    "Copy what you need, reload the page to see the current "
                    "version, and make your changes again."
                ),
            ],
            code="stale_revision",
        )

    def _model_fields(self) -> list[str]:
        names = {field.name for field in self.instance._meta.get_fields()}
        return [name for name in self.fields if name in names]

    def _submitted(self, name):
        """What the editor sent for ``name`` (a disabled field's cleaned value
        is the current one, not what their page showed)."""
        field = self.fields[name]
        if name in self.cleaned_data and not field.disabled:
            return self.cleaned_data[name]
        raw = self[name].data
        try:
            return field.clean(raw)
        except ValidationError:
            return raw

    def _saved_meanwhile(self, current) -> str:
        record = current.history.order_by("-history_id").first()
        who = getattr(record, "history_user", None) or _("Someone else")
        when = (
            formats.localize(timezone.localtime(record.history_date))
            if record is not None
            else _("a moment ago")
        )
        return _(
            "%(who)s saved “%(item)s” (%(when)s) after you opened it. Nothing was "
            "saved, so that their changes are not lost. Changed meanwhile:"
        ) % {"who": who, "item": current, "when": when}


def changed_since(current, revision: int, *, fields) -> list[str]:
    """Of ``fields``, those whose value in ``current`` differs from the saved
    ``revision`` of the same row, in form order.

    The revision's own values come from its history record; without one (a row
    older than its history), every field counts as changed.
    """
    history = current.history
    then = history.filter(revision=revision).order_by("-history_id").first()
    now = history.order_by("-history_id").first()
    if then is None or now is None:
        return list(fields)
    kept = {field.name for field in then.tracked_fields} | {
        field.name for field in then._history_m2m_fields
    }
    delta = now.diff_against(
        then, included_fields=[name for name in fields if name in kept]
    )
    changed = set(delta.changed_fields)
    return [name for name in fields if name in changed]


def current_value(instance, name: str):
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return list(getattr(instance, name).all())
    return getattr(instance, name)


def describe(field, value, limit: int | None = 120) -> str:
    """``value`` of ``field`` as an editor reads it: labels for choices, names
    for related rows, dates in the local time, texts longer than ``limit``
    characters shortened."""
    if isinstance(value, (models.QuerySet, list, tuple)):
        value = ", ".join(str(item) for item in value)
    elif isinstance(value, bool):
        value = _("yes") if value else _("no")
    elif field.choices and not isinstance(value, models.Model):
        value = dict(field.flatchoices).get(value, value)
    elif hasattr(value, "tzinfo") and hasattr(value, "hour"):
        value = formats.localize(
            timezone.localtime(value) if timezone.is_aware(value) else value
        )
    if value is None or value == "":
        return _("(empty)")
    return Truncator(str(value)).chars(limit) if limit else str(value)
