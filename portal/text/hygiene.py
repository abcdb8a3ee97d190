"""Text hygiene: characters that have no place in what editors write, and length
limits, checked on the model so every door refuses the same text with the same
message.

What is refused, in every text field of a content model:

* C0 control characters (U+0000 to U+001F), DEL (U+007F) and C1 control
  characters (U+0080 to U+009F). They are invisible, XML 1.0 (Atom feeds, SVG
  badges) forbids most of them, and PostgreSQL cannot store U+0000. Multi-line
  fields (``TextField``) keep tab, line feed and carriage return: browsers send a
  textarea's lines as CR LF.
* Unpaired surrogates (U+D800 to U+DFFF): not characters at all, only halves of
  a UTF-16 pair, e.g. from a JSON ``"\\ud800"``. They cannot be encoded as UTF-8,
  so no page, feed or database could take them.
* The 66 Unicode noncharacters (U+FDD0 to U+FDEF, and the last two code points
  of every plane, U+FFFE, U+FFFF, U+1FFFE ... U+10FFFF): reserved for a
  program's internal use, never meant as text; XML forbids U+FFFE and U+FFFF.
* In single-line fields (``CharField`` and its kinds: names, titles, slugs,
  addresses) also tab, line breaks, and the Unicode line and paragraph
  separators (U+2028, U+2029): a break has no place in a heading or a name, and
  these two break lines in some readers without looking like a break in the
  form. Multi-line fields allow the two separators: there they are what they say.

One validator, :class:`TextHygieneValidator`, holds the rule; :func:`text_hygiene`
attaches it to every editable text field of a model, with the field's label, so
the message names the field ("Name contains a control character (U+0001) at
position 5; remove it.") in the admin, the API and imports alike. It also makes a
``TextField``'s ``max_length`` a rule of the model (Django only passes it to the
form's widget), so every multi-line field declares its limit.

Rows stored before these rules may still hold such characters (``manage.py
check_content`` lists them). What the site writes as XML therefore goes through
:func:`xml_safe`, and Atom feeds through :class:`XmlSafeAtom1Feed`, so an old row
never breaks a feed or a badge.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.text.fields import MarkdownHTMLField

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}"
    for plane in range(17)
)
# Refused everywhere: C0 controls but tab, LF and CR; DEL and C1 controls;
# unpaired surrogates; noncharacters.
_REFUSED = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff" + _NONCHARACTERS
MULTI_LINE_REFUSED = re.compile(f"[{_REFUSED}]")
SINGLE_LINE_REFUSED = re.compile(f"[{_REFUSED}\t\n\r\u2028\u2029]")

# What XML 1.0 forbids (its Char production), so an XML document cannot hold it.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT_CHARACTER = "\ufffd"

# Every model made with @text_hygiene, for ``manage.py check_content`` and tests.
CHECKED_MODELS: list[type[models.Model]] = []


def describe_character(char: str) -> str:
    """What ``char`` is, in words: "a control character", "a line break"..."""
    code = ord(char)
    if char in "\n\r":
        return _("a line break")
    if char == "\t":
        return _("a tab")
    if char == "\u2028":
        return _("a line separator")
    if char == "\u2029":
        return _("a paragraph separator")
    if 0xD800 <= code <= 0xDFFF:
        return _("an unpaired surrogate")
    if 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
        return _("a noncharacter")
    return _("a control character")


@deconstructible
class TextHygieneValidator:
    """Refuses the characters listed in this module's docstring; ``label`` names
    the field in the message, ``multiline`` allows tab and line breaks."""

    code = "forbidden_character"

    def __init__(self, label, multiline=False):
        self.label = label
        self.multiline = multiline

    def __call__(self, value):
        if not isinstance(value, str):
            return
        pattern = MULTI_LINE_REFUSED if self.multiline else SINGLE_LINE_REFUSED
        match = pattern.search(value)
        if match is None:
            return
        char = match.group()
        if not self.multiline and char in "\t\n\r\u2028\u2029":
            message = _(
                "%(field)s contains %(what)s (%(code)s) at position %(position)d; "
                "it is a single line: remove it."
            )
        else:
            message = _(
                "%(field)s contains %(what)s (%(code)s) at position %(position)d; "
                "remove it."
            )
        raise ValidationError(
            message,
            code=self.code,
            params={
                "field": capfirst(self.label),
                "what": describe_character(char),
                "code": f"U+{ord(char):04X}",
                # Counted from 1, in characters, as an editor counts.
                "position": match.start() + 1,
            },
        )

    def __eq__(self, other):
        return (
            isinstance(other, TextHygieneValidator)
            and str(self.label) == str(other.label)
            and self.multiline == other.multiline
        )


def text_hygiene(model: type[models.Model]) -> type[models.Model]:
    """Class decorator: the rules of this module on every editable text field of
    ``model`` (fields computed by the model, ``editable=False``, are left alone).

    A ``TextField`` must declare ``max_length``; it becomes a validator of the
    model, as a ``CharField``'s is.
    """
    for field in model._meta.local_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if not field.editable:
            continue
        multiline = isinstance(field, models.TextField)
        added = [TextHygieneValidator(field.verbose_name, multiline=multiline)]
        if multiline:
            if field.max_length is None:
                raise ImproperlyConfigured(
                    f"{model.__name__}.{field.name} needs a max_length: every "
                    "text field an editor writes has a limit."
                )
            added.append(MaxLengthValidator(field.max_length))
        added = [v for v in added if v not in field._validators]
        # ``_validators`` is what migrations record; ``validators`` (cached, and
        # holding a CharField's own MaxLengthValidator) is what validation runs.
        # New lists, not appends: copies of the field made before (the history
        # model's) keep theirs.
        running = field.validators
        field._validators = [*field._validators, *added]
        field.validators = [*running, *added]
    CHECKED_MODELS.append(model)
    return model


def xml_safe(text):
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD; other
    values as they are."""
    if isinstance(text, str):
        return XML_FORBIDDEN.sub(REPLACEMENT_CHARACTER, text)
    return text


def _xml_safe_values(value):
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe_values(v) for v in value)
    return xml_safe(value)


class XmlSafeAtom1Feed(Atom1Feed):
    """An Atom feed that replaces what XML 1.0 forbids (see :func:`xml_safe`) in
    every value of the feed and its entries, instead of failing."""

    def __init__(self, *args, **kwargs):
        super().__init__(
            *map(_xml_safe_values, args),
            **{name: _xml_safe_values(v) for name, v in kwargs.items()},
        )

    def add_item(self, *args, **kwargs):
        super().add_item(
            *map(_xml_safe_values, args),
            **{name: _xml_safe_values(v) for name, v in kwargs.items()},
        )


@dataclass(frozen=True)
class StoredProblem:
    """A stored value the rules would refuse today."""

    model: type[models.Model]
    pk: object
    field: str
    message: str

    def __str__(self):
        return f"{self.model._meta.label} {self.pk} {self.field}: {self.message}"


def text_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields of ``model`` the rules apply to (see :func:`text_hygiene`)."""
    return [
        field
        for field in model._meta.concrete_fields
        if any(isinstance(v, TextHygieneValidator) for v in field.validators)
    ]


def stored_problems(*, chunk_size: int = 1000) -> Iterator[StoredProblem]:
    """Every stored value of a model made with :func:`text_hygiene` that its
    field's validators refuse, and every stored HTML that is not its Markdown's
    rendering (``MarkdownHTMLField``), model by model in primary key order."""
    for model in CHECKED_MODELS:
        checked = text_fields(model)
        rendered = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, MarkdownHTMLField)
        ]
        names = list(
            dict.fromkeys(
                [
                    *(field.attname for field in checked),
                    *(field.source for field in rendered),
                    *(field.attname for field in rendered),
                ]
            )
        )
        rows = model._base_manager.order_by("pk").values("pk", *names)
        for row in rows.iterator(chunk_size=chunk_size):
            for field in checked:
                try:
                    field.run_validators(row[field.attname])
                except ValidationError as error:
                    for message in error.messages:
                        yield StoredProblem(model, row["pk"], field.name, message)
            for field in rendered:
                if row[field.attname] != field.render_text(row[field.source]):
                    yield StoredProblem(
                        model,
                        row["pk"],
                        field.name,
                        _(
                            "not the rendering of %(source)s as it is now; "
                            "check_content --render stores it."
                        )
                        % {"source": field.source},
                    )
