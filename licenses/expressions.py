"""SPDX license expressions: parse, validate, normalise, name the licenses used.

One function, :func:`check_expression`, is the single door for every expression the
portal accepts (model validation, admin, API, import): it never raises on bad input;
it returns what is wrong, naming the bad token and suggesting the nearest valid ids.

The SPDX index is the one bundled with the ``license-expression`` package, so
nothing is fetched at run time. ``LicenseRef-...`` ids (an organisation's own
licenses) are accepted as the SPDX specification allows.
"""

import difflib
import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache

from license_expression import (
    OR,
    LicenseSymbol,
    LicenseWithExceptionSymbol,
    Licensing,
    get_spdx_licensing,
)

MAX_LENGTH = 500
LICENSE_REF = re.compile(r"(?<![\w.-])(?:DocumentRef-[\w.-]+:)?LicenseRef-[\w.-]+")
TOKEN = re.compile(r"[A-Za-z0-9.+:-]+")
OPERATORS = {"AND", "OR", "WITH"}


@dataclass(frozen=True)
class ExpressionCheck:
    """The verdict on one expression."""

    expression: str
    normalized: str = ""
    license_ids: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    suggestions: dict[str, list[str]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors


@lru_cache(maxsize=1)
def spdx_licensing() -> Licensing:
    return get_spdx_licensing()


@lru_cache(maxsize=1)
def _known_ids() -> dict[str, str]:
    """Lower-case key -> canonical SPDX id, for suggestions."""
    return {key.lower(): key for key in spdx_licensing().known_symbols}


def suggest_ids(token: str, limit: int = 3) -> list[str]:
    """The nearest valid SPDX ids to a token that is not one, best first."""
    token = token.strip().lower()
    if not token:
        return []
    known = _known_ids()
    # Long, specific ids (FSL-1.1-Apache-2.0) are far from their true name
    # (FSL-1.1-ALv2) as a whole string, and nearer to an unrelated one
    # (Apache-2.0): the ids of the same license and version ("fsl-1.1-...") come
    # first, nearest first.
    parts = token.split("-")
    family = []
    if len(parts) > 2 and parts[1][:1].isdigit():
        stem = "-".join(parts[:2])
        family = sorted(
            (key for key in known if key == stem or key.startswith(stem + "-")),
            key=lambda key: -difflib.SequenceMatcher(None, token, key).ratio(),
        )
    close = difflib.get_close_matches(token, known, n=limit, cutoff=0.6)
    matches = list(dict.fromkeys([*family, *close]))[:limit]
    return [known[m] for m in matches]


def _is_exception(key: str) -> bool:
    symbol = spdx_licensing().known_symbols.get(_known_ids().get(key.lower(), ""))
    return bool(getattr(symbol, "is_exception", False))


def _licensing_for(text: str) -> Licensing:
    known = spdx_licensing().known_symbols_lowercase
    # The bundled index already has some LicenseRef-scancode-... ids.
    # Keys are case-insensitive: one symbol per spelling-insensitive ref.
    refs = {
        ref.lower(): ref
        for ref in sorted(LICENSE_REF.findall(text), reverse=True)
        if ref.lower() not in known
    }
    if not refs:
        return spdx_licensing()
    symbols = list(spdx_licensing().known_symbols.values())
    return Licensing(symbols + [LicenseSymbol(ref) for ref in refs.values()])


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
    licensing = _licensing_for(text)
    try:
        info = licensing.validate(text)
        parsed = licensing.parse(text) if not info.errors else None
    except Exception:
        # The parser fails on some malformed input (a dangling operator, empty
        # parentheses, "(AND MIT)") with an exception of its own instead of an
        # error entry: ExpressionError, but also AttributeError, IndexError and
        # even a bare AssertionError. A typo must never become a server error.
        return _explain_malformed(text)
    if info.errors:
        return _explain(text, info)
    if parsed is None:
        return _explain_malformed(text)
    return ExpressionCheck(
        text,
        normalized=str(parsed),
        license_ids=tuple(dict.fromkeys(licensing.license_keys(parsed))),
    )


def _quote(token: str, limit: int = 40) -> str:
    """A token for a message, shortened so junk does not flood the form."""
    return f"'{token[:limit]}...'" if len(token) > limit else f"'{token}'"


def _explain(text: str, info) -> ExpressionCheck:
    symbols = [
        symbol
        for symbol in dict.fromkeys(info.invalid_symbols)
        if symbol and symbol.upper() not in OPERATORS and TOKEN.fullmatch(symbol)
    ]
    misplaced = [
        s for s in symbols if s.lower() in _known_ids() or LICENSE_REF.fullmatch(s)
    ]
    unknown = [s for s in symbols if s not in misplaced]
    suggestions = {symbol: suggest_ids(symbol) for symbol in unknown}
    errors = []
    for symbol in unknown:
        message = f"{_quote(symbol)} is not a known SPDX license id."
        operator = difflib.get_close_matches(symbol.upper(), OPERATORS, n=1)
        if operator and symbol.isalpha():
            message += f" Did you mean the operator '{operator[0]}'?"
        elif suggestions[symbol]:
            message += " Did you mean " + " or ".join(
                f"'{s}'" for s in suggestions[symbol]
            )
            message += "?"
        errors.append(message)
    if text.count("(") != text.count(")"):
        # Unbalanced parentheses make the parser blame ids that are fine.
        errors.append(_syntax_message(text))
    else:
        errors.extend(_misplaced_message(text, symbol) for symbol in misplaced)
    if not errors:
        errors.append(_syntax_message(text))
    return ExpressionCheck(text, errors=tuple(errors), suggestions=suggestions)


def _tokens(text: str) -> list[str]:
    return text.replace("(", " ( ").replace(")", " ) ").split()


def _misplaced_message(text: str, symbol: str) -> str:
    """A valid id in the wrong place: an exception outside WITH, a license after
    WITH, or two ids with no operator between them."""
    if _is_exception(symbol):
        return (
            f"{_quote(symbol)} is a license exception: it can only follow WITH, "
            f"e.g. 'Apache-2.0 WITH {symbol}'."
        )
    tokens = [token.upper() for token in _tokens(text)]
    upper = symbol.upper()
    if any(
        before == "WITH" and token == upper
        for before, token in itertools.pairwise(tokens)
    ):
        return (
            f"{_quote(symbol)} is a license, not an exception: WITH must be "
            "followed by a license exception, e.g. 'Apache-2.0 WITH LLVM-exception'."
        )
    return (
        f"{_quote(symbol)} must be joined to the license next to it with AND, OR "
        "or WITH, e.g. 'Apache-2.0 OR MIT'."
    )


def _dangling_operator(text: str) -> str | None:
    """The first operator with a missing operand on either side, if any."""
    tokens = ["(", *_tokens(text), ")"]
    for before, token, after in zip(tokens, tokens[1:], tokens[2:], strict=False):
        upper = token.upper()
        if upper in OPERATORS and (
            before == "("
            or before.upper() in OPERATORS
            or after == ")"
            or after.upper() in OPERATORS
        ):
            return upper
    return None


def _syntax_message(text: str) -> str:
    if text.count("(") != text.count(")"):
        return "The parentheses are not balanced."
    operator = _dangling_operator(text)
    if operator:
        return f"'{operator}' must have a license id on each side."
    return (
        "This is not a valid SPDX expression: combine license ids with AND, OR "
        "and WITH, e.g. 'Apache-2.0 OR MIT'."
    )


def _explain_malformed(text: str) -> ExpressionCheck:
    return ExpressionCheck(text, errors=(_syntax_message(text),))


@lru_cache(maxsize=1024)
def _parsed(expression: str):
    # Stored expressions are already validated and normalised: a plain parser,
    # which accepts any id, is enough to see their structure.
    return Licensing().parse(expression)


def expression_is_open_source(expression: str, osi_approved) -> bool:
    """Whether code under ``expression`` is open source.

    It is when what a user must accept is OSI approved: one alternative of an OR
    is enough, every part of an AND is needed, an exception (WITH) only adds
    permissions. ``osi_approved(spdx_id)`` gives the flag of one license (see
    :func:`osi_lookup`).
    """
    try:
        tree = _parsed(expression)
    except Exception:  # a malformed stored value: not known to be open source
        return False
    return tree is not None and _is_open(tree, osi_approved)


def _is_open(node, osi_approved) -> bool:
    if isinstance(node, LicenseWithExceptionSymbol):
        return osi_approved(node.license_symbol.key)
    if isinstance(node, LicenseSymbol):
        return osi_approved(node.key)
    parts = [_is_open(arg, osi_approved) for arg in node.args]
    return any(parts) if isinstance(node, OR) else all(parts)


def osi_lookup(licenses=()):
    """``osi_approved(spdx_id)``: the flag of the given license records (the
    portal's) when they hold the id, else the bundled SPDX list's. No query."""
    from licenses import spdx

    known = {license_.spdx_id.lower(): license_.osi_approved for license_ in licenses}

    def osi_approved(spdx_id: str) -> bool:
        if spdx_id.lower() in known:
            return known[spdx_id.lower()]
        entry = spdx.lookup(spdx_id)
        return bool(entry and entry.osi_approved)

    return osi_approved
