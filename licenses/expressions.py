"""SPDX license expressions: parse, validate, normalise, name the licenses used.

One function, :func:`check_expression`, is the single door for every expression the
portal accepts (model validation, admin, API, import): it never raises on bad input;
it returns what is wrong, naming the bad token and its position and suggesting what
a person meant (``licenses.suggestions``).

The grammar is the one of SPDX 2.3, Annex D::

    idstring            = 1*(ALPHA / DIGIT / "-" / "." )
    license-ref         = ["DocumentRef-" idstring ":"] "LicenseRef-" idstring
    simple-expression   = license-id / license-id "+" / license-ref
    compound-expression = simple-expression
                        / simple-expression "WITH" license-exception-id
                        / compound-expression "AND" compound-expression
                        / compound-expression "OR" compound-expression
                        / "(" compound-expression ")"

with WITH binding tighter than AND, and AND tighter than OR. The ids are those of
the one SPDX list the portal ships (``licenses.spdx``), matched in any letter case
and written back in the list's. Deprecated ids stay valid and are written as what
replaces them, with a notice. One leniency: operators in lower case ("mit or
apache-2.0"), which people type and which cannot be mistaken for anything else.
"""

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from licenses import spdx
from licenses.suggestions import ascii_twin, describe_character, suggest_ids

MAX_LENGTH = 500
IDSTRING = r"[A-Za-z0-9.-]+"
LICENSE_REF = re.compile(
    rf"(?:DocumentRef-(?P<document>{IDSTRING}):)?LicenseRef-(?P<ref>{IDSTRING})",
    re.IGNORECASE,
)
OPERATORS = ("AND", "OR", "WITH")
NOT_EXPRESSIONS = ("NONE", "NOASSERTION")
ID_CHARACTERS = re.compile(r"[A-Za-z0-9.+:-]")
VERSION = re.compile(r"v?\d+(?:\.\d+)*\+?", re.IGNORECASE)
SEPARATORS = "/,;|&"
MAX_ERRORS = 10

__all__ = [
    "LICENSE_REF",
    "MAX_LENGTH",
    "ExpressionCheck",
    "check_expression",
    "expression_is_open_source",
    "license_ref",
    "osi_lookup",
    "suggest_ids",
]


def names_id_pattern(spdx_id: str) -> str:
    """A regular expression (for a case-insensitive ``iregex`` lookup) matching a
    normalised expression that names ``spdx_id`` whole: ``MIT`` in ``MIT OR
    (Apache-2.0)``, not in ``MIT-0``; ``GPL-2.0`` also as ``GPL-2.0+``."""
    return rf"(^|[\s(]){re.escape(spdx_id)}\+?($|[\s)])"


@dataclass(frozen=True)
class ExpressionCheck:
    """The verdict on one expression."""

    expression: str
    normalized: str = ""
    license_ids: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    #: What normalising changed beyond letter case (a deprecated id replaced).
    notices: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.errors


def license_ref(value: str) -> str | None:
    """``value`` as a ``LicenseRef-``/``DocumentRef-...:LicenseRef-`` id in its
    canonical spelling, or None when it is not one."""
    match = LICENSE_REF.fullmatch(value or "")
    if match is None:
        return None
    ref = f"LicenseRef-{match['ref']}"
    return f"DocumentRef-{match['document']}:{ref}" if match["document"] else ref


# ------------------------------------------------------------------ the tree


@dataclass(frozen=True)
class Term:
    """A license: an id of the list (optionally "+": this version or later) or a
    ``LicenseRef-``."""

    spdx_id: str
    plus: bool = False

    def __str__(self):
        return self.spdx_id + ("+" if self.plus else "")

    def ids(self):
        return [self.spdx_id]


@dataclass(frozen=True)
class WithException:
    license: Term
    exception: str

    def __str__(self):
        return f"{self.license} WITH {self.exception}"

    def ids(self):
        return [self.license.spdx_id, self.exception]


@dataclass(frozen=True)
class Compound:
    operator: str  # "AND" or "OR"
    parts: tuple

    def __str__(self):
        return f" {self.operator} ".join(
            f"({part})"
            if isinstance(part, Compound) and part.operator != self.operator
            else str(part)
            for part in self.parts
        )

    def ids(self):
        return [i for part in self.parts for i in part.ids()]


def _combine(operator: str, parts: list):
    """``A AND (B AND C)`` is ``A AND B AND C``: one level per operator."""
    flat = []
    for part in parts:
        if isinstance(part, Compound) and part.operator == operator:
            flat.extend(part.parts)
        else:
            flat.append(part)
    return flat[0] if len(flat) == 1 else Compound(operator, tuple(flat))


# ------------------------------------------------------------------ tokens


@dataclass(frozen=True)
class Token:
    text: str
    position: int  # 1-based, in the stripped expression
    kind: str  # "(", ")", "operator", "id" or "ref"
    value: str = ""  # the canonical spelling
    entry: spdx.SpdxLicense | None = None
    plus: bool = False

    @property
    def is_exception(self) -> bool:
        return self.entry is not None and self.entry.is_exception


class _Unknown(Exception):
    """A word that is no id of the list (the caller explains it)."""


class _Refused(Exception):
    def __init__(self, message: str, suggestions: dict | None = None):
        super().__init__(message)
        self.message = message
        self.suggestions = suggestions or {}


def _quote(token: str, limit: int = 40) -> str:
    """A token for a message, shortened so junk does not flood the form."""
    return f"'{token[:limit]}...'" if len(token) > limit else f"'{token}'"


def _choices(ids: list[str]) -> str:
    quoted = [f"'{i}'" for i in ids]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _words(text: str):
    """(word, 1-based position) of each word and parenthesis."""
    for match in re.finditer(r"[()]|[^ \t\r\n()]+", text):
        yield match.group(), match.start() + 1


def _lex(text: str):
    """The tokens of ``text``, and what is wrong with its words."""
    tokens, errors, suggestions = [], [], {}
    words = list(_words(text))
    skip = False
    for index, (word, position) in enumerate(words):
        if skip:
            skip = False
            continue
        if word in "()":
            tokens.append(Token(word, position, word))
            continue
        if word in OPERATORS or (word.upper() in OPERATORS and word.islower()):
            tokens.append(Token(word, position, "operator", word.upper()))
            continue
        after_with = bool(tokens) and tokens[-1].value == "WITH"
        try:
            tokens.append(_word(word, position, after_with))
        except _Refused as refused:
            errors.append(refused.message)
            suggestions.update(refused.suggestions)
            continue
        except _Unknown:
            following = words[index + 1][0] if index + 1 < len(words) else ""
            if VERSION.fullmatch(following) and not after_with:
                # "GPL 2.0", "Apache 2.0": one id written as two words.
                joined = f"{word} {following}"
                ids = suggest_ids(f"{word}-{following}")
                if ids:
                    skip = True
                    suggestions[joined] = ids
                    errors.append(
                        f"{_quote(joined)} at position {position} is not an SPDX "
                        "license id: an id has no spaces. "
                        f"Did you mean {_choices(ids)}?"
                    )
                    continue
            errors.append(_unknown(word, position, after_with, suggestions))
    return tokens, errors, suggestions


def _word(word: str, position: int, after_with: bool) -> Token:
    bad = [(i, c) for i, c in enumerate(word) if not ID_CHARACTERS.fullmatch(c)]
    if bad:
        message, ids = _bad_characters(word, position, bad, after_with)
        raise _Refused(message, {word: ids} if ids else None)
    base, plus = word, False
    if "+" in word:
        if word == "+":
            raise _Refused(
                f"'+' at position {position} must follow a license id directly, "
                "with no space, e.g. 'Apache-2.0+'."
            )
        if word.endswith("+") and word.count("+") == 1:
            base, plus = word[:-1], True
            if spdx.lookup_any(word):  # GPL-2.0+ is an id of its own
                base, plus = word, False
        else:
            offset = word.index("+")
            raise _Refused(
                f"'+' at position {position + offset} can only end a license id, "
                "e.g. 'Apache-2.0+'."
            )
    if base.lower().startswith(("licenseref-", "documentref-")) or ":" in base:
        ref = license_ref(base)
        if base.lower().endswith("licenseref-"):
            raise _Refused(
                f"{_quote(word)} at position {position} needs an id after "
                "'LicenseRef-', e.g. 'LicenseRef-Acme-1.0'."
            )
        if ref is None:
            raise _Refused(
                f"{_quote(word)} at position {position} is not a license reference: "
                "write 'LicenseRef-' and an id of letters, digits, '-' and '.', "
                "optionally after 'DocumentRef-...:'."
            )
        if plus:
            raise _Refused(
                f"'+' at position {position + len(base)} can only follow an SPDX "
                "license id, not a LicenseRef-."
            )
        return Token(word, position, "ref", ref)
    entry = spdx.lookup_any(base)
    if entry is None:
        if base.upper() in NOT_EXPRESSIONS:
            raise _Refused(
                f"'{word}' at position {position} is not a license expression: "
                "use it in an SBOM field, not here."
            )
        raise _Unknown()
    if plus and entry.is_exception:
        raise _Refused(
            f"'+' at position {position + len(base)} can only follow a license "
            f"id; {_quote(entry.spdx_id)} is a license exception."
        )
    return Token(word, position, "id", entry.spdx_id, entry, plus)


def _bad_characters(word, position, bad, after_with) -> str:
    messages = []
    for offset, char in bad[:3]:
        at = f"at position {position + offset}"
        twin = ascii_twin(char)
        if twin == " ":
            messages.append(f"{describe_character(char)} {at}: use a plain space.")
        elif twin:
            messages.append(f"{describe_character(char)} {at}: use '{twin}'.")
        elif char in SEPARATORS:
            messages.append(
                f"'{char}' {at} is not part of an SPDX expression: join license "
                "ids with AND or OR, e.g. 'Apache-2.0 OR MIT'."
            )
        elif char.isascii() and char.isprintable():
            messages.append(
                f"'{char}' {at} is not part of an SPDX expression: ids are made "
                "of letters, digits, '-' and '.'."
            )
        else:
            messages.append(
                f"{describe_character(char)} {at} is not part of an SPDX "
                "expression: ids are made of ASCII letters, digits, '-' and '.'."
            )
    twins = "".join(ascii_twin(c) or c for c in word)
    ids = []
    if all(ascii_twin(c) for _, c in bad) and spdx.lookup_any(twins):
        ids = suggest_ids(word, exception=after_with)
        if ids:
            messages.append(f"Did you mean {_choices(ids)}?")
    return " ".join(messages), ids


def _unknown(word, position, after_with, suggestions) -> str:
    kind = "license exception id" if after_with else "license id"
    message = f"{_quote(word)} at position {position} is not a known SPDX {kind}."
    ids = suggest_ids(word, exception=after_with)
    suggestions[word] = ids
    operator = difflib.get_close_matches(word.upper(), OPERATORS, n=1)
    if operator and word.isalpha():
        return message + f" Did you mean the operator '{operator[0]}'?"
    if ids:
        return message + f" Did you mean {_choices(ids)}?"
    return message


def _unbalanced(tokens) -> str | None:
    opened = []
    for token in tokens:
        if token.kind == "(":
            opened.append(token.position)
        elif token.kind == ")":
            if not opened:
                return (
                    "The parentheses are not balanced. The ')' at position "
                    f"{token.position} closes nothing."
                )
            opened.pop()
    if opened:
        return (
            f"The parentheses are not balanced. The '(' at position {opened[-1]} "
            "is never closed."
        )
    return None


# ------------------------------------------------------------------ the parser


class _Parser:
    """Recursive descent over valid tokens: OR of ANDs of (WITH) terms."""

    def __init__(self, tokens):
        self.tokens = tokens
        self.index = 0
        self.notices: list[str] = []

    def peek(self):
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self):
        token = self.peek()
        self.index += 1
        return token

    def parse(self):
        node = self.disjunction()
        extra = self.peek()
        if extra is not None:
            raise _Refused(self.unexpected(extra))
        return node

    def disjunction(self):
        return self.chain("OR", self.conjunction)

    def conjunction(self):
        return self.chain("AND", self.term)

    def chain(self, operator, part):
        parts = [part()]
        while (token := self.peek()) is not None and token.value == operator:
            self.take()
            parts.append(part())
        return _combine(operator, parts)

    def term(self):
        token = self.peek()
        if token is None or token.kind in (")", "operator"):
            raise _Refused(self.missing_operand(token))
        self.take()
        if token.kind == "(":
            if (close := self.peek()) is not None and close.kind == ")":
                raise _Refused(
                    f"The parentheses at position {token.position} hold no expression."
                )
            node = self.disjunction()
            close = self.take()
            if close is None or close.kind != ")":
                raise _Refused(self.unexpected(close))
            following = self.peek()
            if following is not None and following.value == "WITH":
                raise _Refused(
                    f"'WITH' at position {following.position} must follow a single "
                    "license id, not a parenthesised expression."
                )
            return node
        if token.is_exception:
            raise _Refused(_exception_misplaced(token))
        following = self.peek()
        if following is None or following.value != "WITH":
            return self.license(token, with_follows=False)
        self.take()
        exception = self.take()
        if exception is None or exception.kind not in ("id", "ref"):
            raise _Refused(
                f"'WITH' at position {following.position} must have a license id "
                "before it and a license exception after it."
            )
        if not exception.is_exception:
            what = "a license reference" if exception.kind == "ref" else "a license"
            raise _Refused(
                f"{_quote(exception.text)} at position {exception.position} is "
                f"{what}, not an exception: WITH must be followed by a license "
                "exception, e.g. 'Apache-2.0 WITH LLVM-exception'."
            )
        license_ = self.license(token, with_follows=True)
        return WithException(license_, self.exception(exception))

    def license(self, token, *, with_follows: bool):
        if token.kind == "ref":
            return Term(token.value)
        entry = token.entry
        if not entry.deprecated:
            return Term(entry.spdx_id, token.plus)
        written = entry.spdx_id + ("+" if token.plus else "")
        replacement = entry.replacement
        if " WITH " in replacement and (with_follows or token.plus):
            self.notices.append(
                f"{written} is deprecated on the SPDX list: it stands for "
                f"{replacement}, kept as written here."
            )
            return Term(entry.spdx_id, token.plus)
        if not replacement:
            advice = spdx.DEPRECATED_ADVICE.get(entry.spdx_id)
            self.notices.append(
                f"{written} is deprecated on the SPDX list"
                + (f": {advice}." if advice else ".")
            )
            return Term(entry.spdx_id, token.plus)
        plus = token.plus
        if plus and replacement.endswith("-only"):
            later = spdx.lookup(replacement.removesuffix("-only") + "-or-later")
            if later:
                replacement, plus = later.spdx_id, False
        node = (
            WithException(Term(replacement.split(" WITH ")[0]), replacement.split()[-1])
            if " WITH " in replacement
            else Term(replacement, plus)
        )
        self.notices.append(
            f"{written} is deprecated on the SPDX list: written as {node}."
        )
        return node

    def exception(self, token) -> str:
        entry = token.entry
        if entry.deprecated and entry.replacement:
            self.notices.append(
                f"{entry.spdx_id} is deprecated on the SPDX list: written as "
                f"{entry.replacement}."
            )
            return entry.replacement
        if entry.deprecated:
            self.notices.append(f"{entry.spdx_id} is deprecated on the SPDX list.")
        return entry.spdx_id

    def missing_operand(self, token) -> str:
        before = self.tokens[self.index - 1] if self.index > 0 else None
        if before is not None and before.kind == "operator":
            culprit = before
        elif token is not None and token.kind == "operator":
            culprit = token
        else:
            return _generic_message()
        return (
            f"'{culprit.value}' at position {culprit.position} must have a license "
            "id on each side."
        )

    def unexpected(self, token) -> str:
        if token is None:
            return _generic_message()
        if token.is_exception:
            return _exception_misplaced(token)
        if token.kind in ("id", "ref"):
            return (
                f"{_quote(token.text)} at position {token.position} must be joined "
                "to what comes before it with AND or OR, e.g. 'Apache-2.0 OR MIT'."
            )
        if token.kind == "(":
            return (
                f"'(' at position {token.position} must be joined to what comes "
                "before it with AND or OR."
            )
        if token.value == "WITH":
            return (
                f"'WITH' at position {token.position} must follow a single license "
                "id: a license takes one exception."
            )
        return _generic_message()


def _exception_misplaced(token) -> str:
    return (
        f"{_quote(token.text)} at position {token.position} is a license exception: "
        f"it can only follow WITH, e.g. 'Apache-2.0 WITH {token.value}'."
    )


def _generic_message() -> str:
    return (
        "This is not a valid SPDX expression: combine license ids with AND, OR "
        "and WITH, e.g. 'Apache-2.0 OR MIT'."
    )


# ------------------------------------------------------------------ the door


def _parse(text: str):
    """(tree or None, ExpressionCheck) for a stripped, non-empty ``text``."""
    tokens, errors, suggestions = _lex(text)
    unbalanced = _unbalanced(tokens)
    if unbalanced:
        errors.append(unbalanced)
    if errors:
        return None, ExpressionCheck(
            text, errors=tuple(errors[:MAX_ERRORS]), suggestions=suggestions
        )
    parser = _Parser(tokens)
    try:
        tree = parser.parse()
        normalized = str(tree)
    except _Refused as refused:
        return None, ExpressionCheck(text, errors=(refused.message,))
    except RecursionError:
        return None, ExpressionCheck(
            text, errors=("This expression nests parentheses too deeply.",)
        )
    return tree, ExpressionCheck(
        text,
        normalized=normalized,
        license_ids=tuple(dict.fromkeys(tree.ids())),
        notices=tuple(dict.fromkeys(parser.notices)),
    )


def check_expression(text: str) -> ExpressionCheck:
    """Validate and normalise an SPDX expression; never raises on bad input."""
    text = (text or "").strip()
    if not text:
        return ExpressionCheck(text, errors=("Enter a license expression.",))
    if len(text) > MAX_LENGTH:
        return ExpressionCheck(
            text[:MAX_LENGTH],
            errors=(f"A license expression has at most {MAX_LENGTH} characters.",),
        )
    return _checked(text)


@lru_cache(maxsize=4096)
def _checked(text: str) -> ExpressionCheck:
    """The verdict on a stripped, non-empty ``text``, kept: an import checks the
    same few expressions for thousands of projects and releases."""
    return _parse(text)[1]


@lru_cache(maxsize=1024)
def _tree(expression: str):
    expression = (expression or "").strip()
    if not expression or len(expression) > MAX_LENGTH:
        return None
    return _parse(expression)[0]


def expression_is_open_source(expression: str, osi_approved) -> bool:
    """Whether code under ``expression`` is open source.

    It is when what a user must accept is OSI approved: one alternative of an OR
    is enough, every part of an AND is needed, an exception (WITH) only adds
    permissions. ``osi_approved(spdx_id)`` gives the flag of one license (see
    :func:`osi_lookup`). A malformed stored value is not known to be open source.
    """
    tree = _tree(expression)
    return tree is not None and _is_open(tree, osi_approved)


def _is_open(node, osi_approved) -> bool:
    if isinstance(node, WithException):
        return osi_approved(node.license.spdx_id)
    if isinstance(node, Term):
        return osi_approved(node.spdx_id)
    parts = [_is_open(part, osi_approved) for part in node.parts]
    return any(parts) if node.operator == "OR" else all(parts)


def osi_lookup(licenses=(), *, flags=None):
    """``osi_approved(spdx_id)``: the flag of the given license records (the
    portal's; or ``flags``, their flags by SPDX id) when they hold the id, else
    the bundled SPDX list's. No query."""
    known = {license_.spdx_id.lower(): license_.osi_approved for license_ in licenses}
    known.update({spdx_id.lower(): flag for spdx_id, flag in (flags or {}).items()})

    def osi_approved(spdx_id: str) -> bool:
        if spdx_id.lower() in known:
            return known[spdx_id.lower()]
        entry = spdx.lookup(spdx_id)
        return bool(entry and entry.osi_approved)

    return osi_approved


def expression_tree(expression: str):
    """The parsed tree of a valid expression (``Term``, ``WithException``,
    ``Compound``), or None; cached."""
    return _tree(expression)


def combine(operator: str, parts: list):
    """``parts`` joined by ``operator`` ("AND"/"OR"), nested levels of the same
    operator flattened."""
    return _combine(operator, parts)
