"""JSON from outside (API bodies, import files), read with a nesting limit.

Python's ``json`` parser recurses once per nested array or object, so a body of
100,000 ``[`` exhausts the stack: a ``RecursionError``, which no caller expects
and which would be a 500. :func:`loads` refuses such text with
:class:`TooDeep`, a ``ValueError`` with a message for the sender, before parsing.

The check is a scan of the brackets outside strings: strings are removed with
one regular expression, then the remaining ``[``, ``]``, ``{`` and ``}`` are
counted. It runs before the parser, so it also sees brackets of malformed JSON:
too deep is refused as such even when the text would also fail to parse. Nothing
the portal reads comes near the limit (a catalogue file nests 4 levels, an API
body 2).
"""

import json
import re

from django.utils.translation import gettext as _

MAX_DEPTH = 32

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


class TooDeep(ValueError):
    """The JSON nests arrays and objects deeper than :data:`MAX_DEPTH`."""

    def __init__(self, limit: int = MAX_DEPTH):
        super().__init__(
            _("The JSON nests deeper than %(limit)d levels.") % {"limit": limit}
        )


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Raise :class:`TooDeep` when ``text`` nests deeper than ``limit``."""
    if text.count("[") + text.count("{") <= limit:
        return  # cannot nest deeper than it has brackets
    depth = 0
    for bracket in _NOT_A_BRACKET.sub("", _STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                raise TooDeep(limit)
        else:
            depth -= 1


def loads(text: str, **options):
    """``json.loads(text, **options)``, refusing JSON nested deeper than
    :data:`MAX_DEPTH` with :class:`TooDeep` (a ``ValueError``) first."""
    check_depth(text)
    return json.loads(text, **options)
