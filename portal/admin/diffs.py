"""How a change between two versions reads: each field's old and new value as
an editor reads it, and long texts as a word-level diff.

Used by the history page (each version against the one before) and the compare
page (any two versions). Texts are compared word by word with ``difflib``: the
old value marks what went (``<del>``), the new one what came (``<ins>``); on the
history page, long unchanged stretches are elided around the changes. HTML is
built with ``format_html`` only.
"""

import re
from difflib import SequenceMatcher

from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.models import DeletedObject

from portal.admin.forms import describe

# Texts at least this long (or any TextField) are shown as a word diff.
DIFF_FROM_LENGTH = 60
# A word and the spaces after it: a change of several words reads as one.
WORDS = re.compile(r"\s*\S+\s*")
ELLIPSIS = " … "


def readable_value(field, value):
    """The value simple-history gives for ``field``, as ``describe`` takes it:
    related rows rather than their through rows, no "Deleted … (pk=None)"."""
    if field.many_to_many:
        target = field.m2m_reverse_field_name()
        return [row[target] for row in value]
    if isinstance(value, DeletedObject) and value.pk is None:
        return None
    return value


def is_text(field, old, new) -> bool:
    if not isinstance(field, (models.CharField, models.TextField)) or field.choices:
        return False
    texts = [v for v in (old, new) if isinstance(v, str)]
    return bool(texts) and (
        isinstance(field, models.TextField)
        or any(len(text) >= DIFF_FROM_LENGTH for text in texts)
    )


def field_change(field, old, new, *, context: int | None = None) -> dict:
    """``{"field", "old", "new"}`` for one changed field: readable values, or for
    texts the old one with its deletions marked and the new one with its
    insertions marked (unchanged stretches elided to ``context`` words)."""
    old, new = readable_value(field, old), readable_value(field, new)
    if is_text(field, old, new):
        old_html, new_html = word_diff(old or "", new or "", context=context)
    else:
        old_html, new_html = describe_value(field, old), describe_value(field, new)
    return {"field": capfirst(field.verbose_name), "old": old_html, "new": new_html}


def describe_value(field, value) -> str:
    if value is None and field.is_relation:
        return _("(none)")
    return describe(field, value, limit=None)


def word_diff(old: str, new: str, *, context: int | None = None):
    """``(old, new)`` as HTML: ``old`` with the words it lost in ``<del>``,
    ``new`` with the words it gained in ``<ins>``. With ``context``, unchanged
    runs keep that many words each side of a change and are elided between."""
    if not old and not new:
        return _("(empty)"), _("(empty)")
    a, b = WORDS.findall(old), WORDS.findall(new)
    old_parts: list[SafeString] = []
    new_parts: list[SafeString] = []
    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            same = _elide(
                a[i1:i2],
                context,
                first=index == 0,
                last=index == len(opcodes) - 1,
            )
            old_parts.append(format_html("{}", same))
            new_parts.append(format_html("{}", same))
            continue
        if i2 > i1:
            old_parts.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if j2 > j1:
            new_parts.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    return _join(old_parts) if old else _("(empty)"), (
        _join(new_parts) if new else _("(empty)")
    )


def _elide(tokens: list[str], context: int | None, *, first: bool, last: bool):
    """The unchanged ``tokens`` (words and the spaces between), shortened to
    ``context`` words next to each change."""
    if context is None:
        return "".join(tokens)
    keep = context
    head = [] if first else tokens[:keep]
    tail = [] if last else tokens[-keep:]
    if len(head) + len(tail) >= len(tokens):
        return "".join(tokens)
    return "".join(head) + ELLIPSIS + "".join(tail)


def _join(parts):
    return format_html_join("", "{}", ((part,) for part in parts))
