"""When source-available code becomes open source.

A source-available license (BUSL-1.1, FSL) names a *change license* (Apache-2.0,
MIT) that replaces it for each version after a delay. The rule, for a version
released on day ``R`` under a license with change period ``P`` months and an
optional cap of ``C`` months:

* without an explicit change date: ``converts_on = R + P months``, and never later
  than ``R + C months`` when the license has a cap;
* with an explicit change date ``D`` stated by the licensor: ``converts_on = D``,
  which must not be before the release nor beyond ``R + C months``.

BUSL-1.1's own text caps the delay at the fourth anniversary of each version's
first public distribution (``C = 48``); FSL converts on the second anniversary
(``P = 24``).

Month arithmetic is calendar arithmetic (python-dateutil's ``relativedelta``): the
same day of the month ``N`` months later; when that month is shorter, its last day.
So 2023-11-15 + 36 months is 2026-11-15, 2023-08-31 + 1 month is 2023-09-30, and a
version released on 29 February converts on 28 February of a non-leap year
(2024-02-29 + 24 months is 2026-02-28) and on 29 February of a leap year
(2024-02-29 + 48 months is 2028-02-29). Never a day later than the anniversary,
which keeps the cap a real upper bound.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months, clamped to the end of short months."""
    return day + relativedelta(months=months)


def conversion_date(
    released_on: datetime.date,
    *,
    period_months: int,
    cap_months: int | None = None,
    change_date: datetime.date | None = None,
) -> datetime.date:
    """The day a version released on ``released_on`` turns into its change license.

    Raises ``ValidationError`` (on ``change_date``) when an explicit change date is
    before the release or beyond the license's cap.
    """
    cap = add_months(released_on, cap_months) if cap_months else None
    if change_date is not None:
        if change_date < released_on:
            raise ValidationError(
                {"change_date": _("The change date cannot be before the release date.")}
            )
        if cap is not None and change_date > cap:
            raise ValidationError(
                {
                    "change_date": _(
                        "The license allows at most %(months)d months: the change "
                        "date must be on or before %(cap)s."
                    )
                    % {"months": cap_months, "cap": cap.isoformat()}
                }
            )
        return change_date
    converts_on = add_months(released_on, period_months)
    return min(converts_on, cap) if cap is not None else converts_on
