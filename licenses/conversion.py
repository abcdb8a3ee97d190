"""When source-available code becomes open source, and under what.

Two sources of terms meet here. What a source-available license's own text fixes
is on its ``License`` record: BUSL-1.1 caps the delay at the fourth anniversary of
each version's first public distribution (``change_cap_months = 48``); FSL
converts on the second anniversary, no other day (``change_period_months = 24``),
and FSL-1.1-ALv2 / FSL-1.1-MIT name their change license in their id
(``change_license``). What the licensor chooses comes with the grant (a project's
terms for a period of its license history, see ``projects.models.LicenseChange``):
the change license as an SPDX expression and the change date, stated as a day or
as months after each release.

For one source-available license, a version released on day ``R`` converts:

* under a fixed period ``P``: on ``R + P months``; a stated date is refused
  (months after each release are for the other licenses of a compound grant);
* with a stated change date ``D``: on ``D``, refused before ``R`` or beyond the cap;
* with ``N`` months after each release: on ``R + N months``, refused beyond the cap;
* with neither: on the cap (BUSL-1.1's own default), else never.

A compound expression converts by meaning, whatever the order it is written in
(:func:`expression_conversion`): ``A OR B`` when the first alternative does (an
alternative already open source: from the release), ``A AND B`` when the last
part does (never, if a part never does), ``X WITH e`` as ``X``.

Month arithmetic is calendar arithmetic (python-dateutil's ``relativedelta``): the
same day of the month ``N`` months later; when that month is shorter, its last day.
So 2023-11-15 + 36 months is 2026-11-15, 2023-08-31 + 1 month is 2023-09-30, and a
version released on 29 February converts on 28 February of a non-leap year
(2024-02-29 + 24 months is 2026-02-28) and on 29 February of a leap year
(2024-02-29 + 48 months is 2028-02-29). Never a day later than the anniversary,
which keeps the cap a real upper bound.

Dates are calendar days in UTC: a version's release date is the UTC date of its
first publication, as the licenses count it.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from licenses.expressions import Term, WithException, combine, expression_tree


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months, clamped to the end of short months."""
    return day + relativedelta(months=months)


@dataclass(frozen=True)
class Grant:
    """What the licensor chose for a version: the change license (an SPDX
    expression, may be empty) and the change date, stated as a day
    (``change_date``) or as months after the release (``change_after_months``)."""

    change_license: str = ""
    change_date: datetime.date | None = None
    change_after_months: int | None = None


def source_available_conversion(
    license_, released_on: datetime.date, grant: Grant
) -> tuple[datetime.date | None, str]:
    """``(converts_on, change license)`` of a version released on ``released_on``
    under the source-available ``license_`` (a ``License``) with ``grant``.

    ``converts_on`` is None when nothing says when it converts. Raises
    ``ValidationError`` on ``change_date`` (or ``change_after_months``) when the
    grant asks what the license's text refuses, citing the rule.
    """
    change_license = license_.change_license_id and license_.change_license.spdx_id
    change_license = change_license or grant.change_license
    fixed = license_.change_period_months
    if fixed:
        if grant.change_date is not None:
            raise ValidationError(
                {
                    "change_date": _(
                        "%(license)s converts on the anniversary its text fixes, "
                        "%(months)d months after each release; it takes no stated "
                        "change date."
                    )
                    % {"license": license_.spdx_id, "months": fixed}
                }
            )
        # Months after each release are for the other licenses of a compound
        # grant (the grant refuses them when it names fixed periods only).
        return add_months(released_on, fixed), change_license
    cap_months = license_.change_cap_months
    cap = add_months(released_on, cap_months) if cap_months else None
    if grant.change_date is not None:
        if grant.change_date < released_on:
            raise ValidationError(
                {"change_date": _("The change date cannot be before the release date.")}
            )
        if cap is not None and grant.change_date > cap:
            raise ValidationError(
                {
                    "change_date": _(
                        "%(license)s allows at most %(months)d months from a "
                        "version's first publication: the change date of a version "
                        "released on %(released)s must be on or before %(cap)s."
                    )
                    % {
                        "license": license_.spdx_id,
                        "months": cap_months,
                        "released": released_on.isoformat(),
                        "cap": cap.isoformat(),
                    }
                }
            )
        return grant.change_date, change_license
    if grant.change_after_months is not None:
        refuse_months_beyond_cap(license_, grant.change_after_months)
        return add_months(released_on, grant.change_after_months), change_license
    return cap, change_license


def refuse_months_beyond_cap(license_, months: int) -> None:
    """Raise (on ``change_after_months``) when ``months`` exceed the license's
    cap."""
    cap = license_.change_cap_months
    if cap and months > cap:
        raise ValidationError(
            {
                "change_after_months": _(
                    "%(license)s allows at most %(cap)d months from a version's "
                    "first publication to its change date."
                )
                % {"license": license_.spdx_id, "cap": cap}
            }
        )


# What one license of an expression does (see ``expression_conversion``).
OPEN = "open"  # open source from the release
NEVER = "never"  # never converts


@dataclass(frozen=True)
class Conversion:
    """When an expression converts (None: never) and what it converts to."""

    converts_on: datetime.date | None
    converts_to: str


def expression_conversion(
    expression: str, released_on: datetime.date, leaf
) -> Conversion | None:
    """How a version under ``expression``, released on ``released_on``, converts.

    ``leaf(spdx_id)`` says what one license does: ``OPEN``, ``NEVER``, or
    ``(converts_on, change_license)`` for a source-available one. ``converts_to``
    is the expression with each source-available part replaced by its change
    license. None when the expression names no source-available license (or is
    malformed).
    """
    tree = expression_tree(expression)
    if tree is None:
        return None
    day, converted, source_available = _convert(tree, released_on, leaf)
    if not source_available:
        return None
    if day is None or converted is None:
        return Conversion(None, "")
    return Conversion(day, str(converted))


def _convert(node, released_on, leaf):
    """``(day or None, converted tree or None, names a source-available part)``."""
    if isinstance(node, WithException):
        day, converted, source_available = _convert(node.license, released_on, leaf)
        return day, (converted if source_available else node), source_available
    if isinstance(node, Term):
        outcome = leaf(node.spdx_id)
        if outcome == OPEN:
            return released_on, node, False
        if outcome == NEVER:
            return None, node, False
        day, change_license = outcome
        return day, (expression_tree(change_license) if change_license else None), True
    results = [_convert(part, released_on, leaf) for part in node.parts]
    source_available = any(r[2] for r in results)
    if any(r[1] is None for r in results):
        converted = None
    else:
        converted = combine(node.operator, [r[1] for r in results])
    days = [r[0] for r in results]
    if node.operator == "OR":
        known = [d for d in days if d is not None]
        day = min(known) if known else None
    else:
        day = None if None in days else max(days)
    return day, converted, source_available


__all__ = [
    "NEVER",
    "OPEN",
    "Conversion",
    "Grant",
    "add_months",
    "expression_conversion",
    "refuse_months_beyond_cap",
    "source_available_conversion",
]
