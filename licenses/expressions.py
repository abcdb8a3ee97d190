"""SPDX license expressions: parse, validate, normalise, name the licenses used.

One function, :func:`check_expression`, is the single door for every expression the
portal accepts (model validation, admin, API, import): it never raises on bad input;
it returns what is wrong, naming the bad token and suggesting the nearest valid ids.

The SPDX index is the one bundled with the ``license-expression`` package, so
nothing is fetched at run time. ``LicenseRef-...`` ids (an organisation's own
licenses) are accepted as the SPDX specification allows.
"""

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from license_expression import (
    ExpressionError,
    LicenseSymbol,
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
    """The nearest valid SPDX ids to a token that is not one."""
    known = _known_ids()
    matches = difflib.get_close_matches(token.lower(), known, n=limit, cutoff=0.6)
    if not matches:
        # Long, specific ids (FSL-1.1-Apache-2.0) are far from their true name
        # (FSL-1.1-ALv2) as a whole string; compare the leading part too.
        prefix = token.lower().rsplit("-", 1)[0]
        matches = sorted(k for k in known if k.startswith(prefix))[:limit]
    return [known[m] for m in matches]


def _licensing_for(text: str) -> Licensing:
    refs = set(LICENSE_REF.findall(text))
    if not refs:
        return spdx_licensing()
    symbols = list(spdx_licensing().known_symbols.values())
    return Licensing(symbols + [LicenseSymbol(ref) for ref in sorted(refs)])


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
    except (ExpressionError, AttributeError, IndexError, TypeError, ValueError):
        # The parser fails on some malformed input (a dangling operator, empty
        # parentheses) with an exception of its own instead of an error entry.
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


def _explain(text: str, info) -> ExpressionCheck:
    unknown = [
        symbol
        for symbol in info.invalid_symbols
        if symbol and symbol.upper() not in OPERATORS and TOKEN.fullmatch(symbol)
    ]
    suggestions = {symbol: suggest_ids(symbol) for symbol in unknown}
    errors = []
    for symbol in unknown:
        message = f"'{symbol}' is not a known SPDX license id."
        if suggestions[symbol]:
            message += " Did you mean " + " or ".join(
                f"'{s}'" for s in suggestions[symbol]
            )
            message += "?"
        errors.append(message)
    if not unknown:
        errors.append(_syntax_message(text, info.invalid_symbols))
    return ExpressionCheck(text, errors=tuple(errors), suggestions=suggestions)


def _syntax_message(text: str, invalid_symbols) -> str:
    operators = [s for s in invalid_symbols if s and s.upper() in OPERATORS]
    if text.count("(") != text.count(")"):
        return "The parentheses are not balanced."
    if operators:
        return f"'{operators[0]}' is not followed or preceded by a license id."
    return (
        "This is not a valid SPDX expression: combine license ids with AND, OR "
        "and WITH, e.g. 'Apache-2.0 OR MIT'."
    )


def _explain_malformed(text: str) -> ExpressionCheck:
    return ExpressionCheck(text, errors=(_syntax_message(text, text.split()),))
