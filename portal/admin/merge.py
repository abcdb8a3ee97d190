"""Concurrent edits that merge instead of refusing.

When an editor saves a change form (or an inline row) that someone else saved
after they opened it, the revision check (``portal.admin.forms``) finds the
stamp out of date. Rather than refusing and leaving the editor to start again,
the form is merged three ways, field by field:

* *base*: the version the editor opened, read from the item's history at the
  revision the form carries (one history record per save; nothing about it is
  taken from the client but that number, which the check trusts already);
* *mine*: what the editor submitted;
* *theirs*: what is stored now.

A field only the editor changed keeps the editor's value ("applied"); a field
only the others changed takes theirs ("kept"); choices of several values (a
project's languages, a license's rules) take both sides' additions and
removals ("combined"); a field both changed differently is a *conflict*: the
form keeps the editor's value in the field and shows both side by side with a
choice, keep theirs or use mine. A change the publish policy no longer allows
(the item was published meanwhile and the editor may not change its state or
schedule) is "not applied", with the policy's reason. Nothing is saved in that
round: the form comes back holding the merged values and a fresh revision stamp,
with a summary of what was merged above the fields; one click on *Save*
confirms, through the same save code and publish policy as any save.

Between the two rounds the form carries a signed token (``MERGE_TOKEN``,
``django.core.signing``) naming the item, the revision it was merged with and
the fields that conflicted, so that the confirming save knows which choices it
needs; a token that does not verify, or was made for another revision, is
ignored. Were the item saved again before the confirmation, the merge is made
again, from the version the merge showed.

The merge is a mixin of the forms ``ContentAdmin`` and ``ContentInline`` build
(``merging_form``); ``change_form_context`` gives the change page what it shows.
The revert page (an old version's content) keeps the plain refusal.
"""

import dataclasses
import datetime

from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.datastructures import MultiValueDict
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from portal.admin.diffs import describe_value, is_text, word_diff
from portal.admin.forms import REVISION_FIELD, current_value
from portal.publishing.policy import (
    WORKFLOW_FIELDS,
    PublishingRefused,
    check_publishing,
)
from portal.publishing.versioning import locked_current

MERGE_TOKEN = "merge_token"  # noqa: S105 (a field name)
SALT = "portal.admin.merge"
THEIRS, MINE = "theirs", "mine"
# The error codes of a merge waiting for its confirmation.
MERGE_CODES = frozenset({"merge_pending", "merge_choice"})
# A field whose value in the opened version is not known (no history record).
UNKNOWN = object()


@dataclasses.dataclass
class FieldMerge:
    """What the merge did with one field."""

    name: str
    label: str
    # Where the field is in the form (for a link to it).
    field_id: str
    # "applied", "kept", "combined", "conflict" or "refused".
    outcome: str
    theirs: str = ""
    mine: str = ""
    # Why a change was not applied.
    note: str = ""
    # A conflict's choice: the radio buttons' name, the choice posted.
    choice_name: str = ""
    choice: str = ""
    error: str = ""
    # A conflict where who changed what is not known (the opened version is not
    # in the history).
    unknown_base: bool = False


@dataclasses.dataclass
class Merge:
    """A merged form waiting for its confirmation, as the change page shows it."""

    item: str
    message: str
    by: str
    fields: list[FieldMerge]
    token_name: str
    token: str
    # Unique per form on the page: the prefix of the ids of its elements.
    html_id: str

    def of(self, outcome: str) -> list[FieldMerge]:
        return [field for field in self.fields if field.outcome == outcome]

    @property
    def applied(self):
        return self.of("applied")

    @property
    def kept(self):
        return self.of("kept")

    @property
    def combined(self):
        return self.of("combined")

    @property
    def refused(self):
        return self.of("refused")

    @property
    def conflicts(self):
        return self.of("conflict")


class MergeOnConflict:
    """Mixin (before ``ContentAdminForm``): a save based on an older revision is
    merged (see the module docstring) instead of refused outright."""

    merge: Merge | None = None

    def clean(self):
        # The choices posted for the conflicts of the merge shown, and the
        # conflicts left without one.
        self._choices: dict[str, str] = {}
        self._unresolved: set[str] = set()
        token = self._read_token()
        if token is not None:
            self._resume(token)
        return super().clean()

    # -- the confirming round ------------------------------------------------

    def _item_key(self) -> str:
        return f"{self._meta.model._meta.label_lower}:{self.instance.pk}"

    def _read_token(self) -> dict | None:
        raw = self.data.get(self.add_prefix(MERGE_TOKEN))
        if not raw or self.instance.pk is None or self._reverting():
            return None
        try:
            token = signing.loads(raw, salt=SALT)
        except signing.BadSignature:
            return None
        if token.get("item") != self._item_key():
            return None
        if token.get("revision") != self.cleaned_data.get(REVISION_FIELD):
            return None
        return token

    def _resume(self, token: dict) -> None:
        """The merge shown is being confirmed: take the choices made, and keep
        the summary in case the form is shown again."""
        stale = self.current.revision != token["revision"]
        notes = token.get("notes", {})
        fields = [
            self._field_merge(name, outcome, note=notes.get(name, ""))
            for outcome in ("applied", "kept", "combined", "refused")
            for name in token.get(outcome, [])
            if name in self.fields
        ]
        missing = self._unresolved
        for name in token.get("conflicts", []):
            if name not in self.fields:
                continue
            choice = self.data.get(self._choice_name(name))
            field = self._conflict(
                name,
                theirs=current_value(self.current, name),
                mine=self._mine_value(name),
            )
            field.unknown_base = name in token.get("unknown", [])
            if choice in (THEIRS, MINE):
                self._choices[name] = field.choice = choice
            else:
                missing.add(name)
                field.error = _("Choose whether to keep theirs or use yours.")
            fields.append(field)
        if stale:
            # Saved once more: the merge is made again (_refuse_stale_revision),
            # from the version this one showed.
            return
        for name in sorted(missing):
            self.add_error(
                name,
                ValidationError(
                    _(
                        "Changed by you and by %(by)s: choose above whether to keep "
                        "theirs or use yours."
                    )
                    % {"by": token.get("by", "")},
                    code="merge_choice",
                ),
            )
        for name, choice in self._choices.items():
            if (
                choice == THEIRS
                and name in self.cleaned_data
                and not self.fields[name].disabled
            ):
                self.cleaned_data[name] = current_value(self.current, name)
        self.merge = self._summary(
            by=token.get("by", ""),
            message=token.get("message", ""),
            fields=fields,
            token=self.data.get(self.add_prefix(MERGE_TOKEN)),
        )

    # -- the refused round ---------------------------------------------------

    def _reverting(self) -> bool:
        return (
            getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) is not None
        )

    def _refuse_stale_revision(self, loaded) -> None:
        if self._reverting():
            super()._refuse_stale_revision(loaded)
            return
        if loaded is None or self.instance.pk is None:
            return
        current = locked_current(self.instance)
        if current is None or current.revision == loaded:
            return
        self.merge = self._merge_with(current, loaded)
        raise ValidationError(self.merge.message, code="merge_pending")

    def _merge_with(self, current, loaded: int) -> Merge:
        history = current.history
        base = history.filter(revision=loaded).order_by("-history_id").first()
        later = list(
            history.filter(revision__gt=loaded)
            .select_related("history_user")
            .order_by("history_id")
        )
        by = _authors(later)
        data = self.data.copy()
        fields = []
        for name in self._model_fields():
            field = self._merge_field(current, base, name, data)
            if field is not None:
                fields.append(field)
        _set(data, self.add_prefix(REVISION_FIELD), str(current.revision))
        message = self._merged_message(current, by, later)
        token = signing.dumps(
            {
                "item": self._item_key(),
                "revision": current.revision,
                "by": by,
                "message": message,
                "notes": {f.name: f.note for f in fields if f.note},
                "unknown": [f.name for f in fields if f.unknown_base],
                **{
                    outcome: [f.name for f in fields if f.outcome == key]
                    for outcome, key in (
                        ("applied", "applied"),
                        ("kept", "kept"),
                        ("combined", "combined"),
                        ("refused", "refused"),
                        ("conflicts", "conflict"),
                    )
                },
            },
            salt=SALT,
            compress=True,
        )
        _set(data, self.add_prefix(MERGE_TOKEN), token)
        # The form shown again holds the merged values and the new stamp.
        self.data = data
        return self._summary(by=by, message=message, fields=fields, token=token)

    def _merge_field(self, current, base, name: str, data) -> FieldMerge | None:
        model_field = current._meta.get_field(name)
        form_field = self.fields[name]
        theirs_value = current_value(current, name)
        theirs = _key(model_field, form_field, theirs_value)
        base_key = _base_key(base, model_field, form_field)
        if name in self._errors:
            # The editor's value does not validate: it stays in the field with
            # its error; a choice only if they changed it too.
            if base_key is not UNKNOWN and theirs == base_key:
                return None
            return self._conflict(name, theirs=theirs_value, mine=self[name].data)
        if self._choices.get(name) == THEIRS:
            # Theirs was chosen in the merge shown: the editor's value is that.
            mine_value = UNKNOWN
        else:
            mine_value = self._mine_value(name)
        if mine_value is not UNKNOWN:
            mine = _key(model_field, form_field, mine_value)
        else:
            mine = theirs if base_key is UNKNOWN else base_key
        if mine == theirs:
            if self._choices.get(name) == THEIRS and not form_field.disabled:
                _write(data, form_field, self.add_prefix(name), theirs_value)
            return None
        if base_key is UNKNOWN or name in self._unresolved:
            outcome = "conflict"
        elif mine == base_key:
            outcome = "kept"
        elif theirs == base_key:
            outcome = "applied"
        elif isinstance(mine, frozenset):
            outcome = "combined"
        else:
            outcome = "conflict"
        if outcome in ("applied", "conflict") and form_field.disabled:
            # Disabled fields show (and save) the stored value whatever is sent.
            return self._field_merge(
                name, "refused", note=self._refusal(current, name, mine_value)
            )
        if outcome == "kept" and not form_field.disabled:
            _write(data, form_field, self.add_prefix(name), theirs_value)
        elif outcome == "combined":
            both = (theirs | (mine - base_key)) - (base_key - mine)
            _write(data, form_field, self.add_prefix(name), _ordered(form_field, both))
        if outcome == "conflict":
            field = self._conflict(name, theirs=theirs_value, mine=mine_value)
            field.unknown_base = base_key is UNKNOWN
            return field
        return self._field_merge(name, outcome)

    def _mine_value(self, name: str):
        """What the editor sent for ``name`` (``UNKNOWN``: nothing, as for a
        field their page showed disabled)."""
        field = self.fields[name]
        if not field.disabled:
            if name in self.cleaned_data:
                return self.cleaned_data[name]
            return self[name].data
        prefix = self.add_prefix(name)
        if not any(key == prefix or key.startswith(f"{prefix}_") for key in self.data):
            return UNKNOWN
        try:
            return field.clean(self[name].data)
        except ValidationError:
            return UNKNOWN

    def _refusal(self, current, name: str, value) -> str:
        if name in WORKFLOW_FIELDS and value is not UNKNOWN:
            try:
                check_publishing(
                    user=self.user,
                    model=type(current),
                    current=current,
                    changes={name: value},
                )
            except PublishingRefused as refusal:
                return refusal.message
        return str(self.fields[name].help_text or _("You may not change this field."))

    def _merged_message(self, current, by: str, later) -> str:
        when = (
            formats.localize(timezone.localtime(later[-1].history_date))
            if later
            else _("a moment ago")
        )
        return _(
            "%(by)s saved %(item)s (%(when)s) after you opened it. Nothing is saved "
            "yet: the form now holds their version with your changes merged in. "
            "Check the merge and save again."
        ) % {"by": by, "item": _item_label(current), "when": when}

    # -- what the page shows -----------------------------------------------

    def _choice_name(self, name: str) -> str:
        return self.add_prefix(f"merge-{name}")

    def _label(self, name: str) -> str:
        return str(capfirst(self.fields[name].label or name))

    def _field_merge(self, name: str, outcome: str, **extra) -> FieldMerge:
        return FieldMerge(
            name=name,
            label=self._label(name),
            field_id=self[name].id_for_label or "",
            outcome=outcome,
            **extra,
        )

    def _conflict(self, name: str, *, theirs, mine) -> FieldMerge:
        model_field = self._meta.model._meta.get_field(name)
        theirs_html, mine_html = _sides(model_field, theirs, mine)
        return self._field_merge(
            name,
            "conflict",
            theirs=theirs_html,
            mine=mine_html,
            choice_name=self._choice_name(name),
            choice=self.data.get(self._choice_name(name), ""),
        )

    def _summary(self, *, by: str, message: str, fields, token: str) -> Merge:
        return Merge(
            item=_item_label(self.current),
            message=message,
            by=by,
            fields=fields,
            token_name=self.add_prefix(MERGE_TOKEN),
            token=token,
            html_id=self.add_prefix("merge"),
        )


def merging_form(form_class):
    """``form_class`` (a ``ContentAdminForm``) that merges concurrent saves."""
    if issubclass(form_class, MergeOnConflict):
        return form_class
    return type(form_class.__name__, (MergeOnConflict, form_class), {})


def change_form_context(context) -> None:
    """Add to a change page's ``context`` the merges waiting for confirmation
    (``merges``: the item's and its inline rows'), and when they are the only
    errors, drop the generic "Please correct the errors below" for them."""
    adminform = context.get("adminform")
    if adminform is None:
        return
    forms_ = [adminform.form] + [
        form
        for inline in context.get("inline_admin_formsets", [])
        for form in inline.formset.forms
        # A row being deleted is not saved: nothing to merge.
        if not getattr(form, "cleaned_data", {}).get("DELETE")
    ]
    merges = [form.merge for form in forms_ if getattr(form, "merge", None)]
    if not merges:
        return
    context["merges"] = merges
    only_merges = all(
        error.code in MERGE_CODES
        for form in forms_
        if form.is_bound and form._errors
        for errors in form._errors.as_data().values()
        for error in errors
    ) and not any(
        inline.formset.non_form_errors()
        for inline in context.get("inline_admin_formsets", [])
    )
    if only_merges:
        context["errors"] = []


# -- values ------------------------------------------------------------------


def _item_label(item) -> str:
    return f"{item._meta.verbose_name} “{item}”"


def _authors(records) -> str:
    names = []
    for record in records:
        name = str(record.history_user) if record.history_user else _("someone else")
        if name not in names:
            names.append(name)
    return ", ".join(names) or _("Someone else")


def _pk(value):
    return value.pk if isinstance(value, models.Model) else value


def _key(model_field, form_field, value):
    """``value`` in a form that compares as the editor means it: related rows
    by key, several choices as a set, no microseconds, no null text."""
    if value is UNKNOWN:
        return UNKNOWN
    if model_field.many_to_many or isinstance(form_field, forms.MultipleChoiceField):
        return frozenset(str(_pk(item)) for item in (value or ()))
    value = _pk(value)
    if isinstance(value, (datetime.datetime, datetime.time)):
        value = value.replace(microsecond=0)
    if value is None and isinstance(model_field, (models.CharField, models.TextField)):
        return ""
    if model_field.is_relation and value is not None:
        return str(value)
    if isinstance(value, str):
        # Browsers send a text area's line breaks as CR LF.
        return value.replace("\r\n", "\n")
    return value


def _base_key(record, model_field, form_field):
    """The value of the field in the history ``record`` (the opened version)."""
    if record is None:
        return UNKNOWN
    if model_field.many_to_many:
        kept = {field.name for field in record._history_m2m_fields}
        if model_field.name not in kept:
            return UNKNOWN
        target = model_field.m2m_reverse_field_name()
        rows = getattr(record, model_field.name).all()
        return frozenset(str(getattr(row, f"{target}_id")) for row in rows)
    tracked = {field.name for field in record.tracked_fields}
    if model_field.name not in tracked:
        return UNKNOWN
    return _key(model_field, form_field, getattr(record, model_field.attname))


def _ordered(form_field, keys: frozenset) -> list:
    """The combined choices in the order the field lists them."""
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return sorted(keys)
    order = [str(value) for value, _label in form_field.choices]
    return sorted(keys, key=lambda key: order.index(key) if key in order else 0)


def _sides(model_field, theirs, mine):
    """Theirs and mine as the editor reads them: texts as a word diff."""
    if isinstance(theirs, models.QuerySet):
        theirs = list(theirs)
    if isinstance(mine, models.QuerySet):
        mine = list(mine)
    if is_text(model_field, theirs, mine) or (
        isinstance(model_field, (models.CharField, models.TextField))
        and not model_field.choices
    ):
        return word_diff(
            theirs if isinstance(theirs, str) else "",
            mine if isinstance(mine, str) else "",
        )
    return describe_value(model_field, theirs), describe_value(model_field, mine)


# -- form data ---------------------------------------------------------------


def _set(data, key: str, value) -> None:
    if isinstance(data, MultiValueDict):
        data.setlist(key, value if isinstance(value, list) else [value])
    else:
        data[key] = value


def _write(data, form_field, html_name: str, value) -> None:
    """Put ``value`` into the posted ``data`` as ``form_field``'s widget would
    have sent it, so the form shown again holds it."""
    _write_widget(data, form_field.widget, html_name, form_field.prepare_value(value))


def _write_widget(data, widget, name: str, value) -> None:
    while isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, (list, tuple)) else widget.decompress(value)
        for suffix, sub, part in zip(
            widget.widgets_names, widget.widgets, parts, strict=False
        ):
            _write_widget(data, sub, name + suffix, part)
        return
    if isinstance(widget, forms.CheckboxInput):
        if widget.check_test(value):
            _set(data, name, "on")
        else:
            data.pop(name, None)
        return
    if getattr(widget, "allow_multiple_selected", False):
        _set(data, name, [str(item) for item in (value or ())])
        return
    formatted = widget.format_value(value)
    if isinstance(formatted, list):
        formatted = formatted[0] if formatted else ""
    _set(data, name, "" if formatted is None else str(formatted))
