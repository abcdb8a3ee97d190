"""The conversion rule of source-available licenses, on its own."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from licenses.conversion import add_months, conversion_date

D = datetime.date


def test_busl_release_converts_after_36_months():
    # snuba 23.11.0, released 2023-11-15 under BUSL-1.1, converts on 2026-11-15.
    assert conversion_date(D(2023, 11, 15), period_months=36, cap_months=48) == D(
        2026, 11, 15
    )


def test_fsl_release_converts_on_second_anniversary():
    assert conversion_date(D(2023, 11, 17), period_months=24) == D(2025, 11, 17)


def test_period_beyond_the_cap_is_capped():
    assert conversion_date(D(2020, 1, 10), period_months=60, cap_months=48) == D(
        2024, 1, 10
    )


def test_month_end_clamps_to_the_last_day_of_a_shorter_month():
    assert add_months(D(2023, 8, 31), 1) == D(2023, 9, 30)
    assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)


def test_29_february_converts_on_28_february_of_a_common_year():
    assert conversion_date(D(2024, 2, 29), period_months=24) == D(2026, 2, 28)


def test_29_february_converts_on_29_february_of_a_leap_year():
    assert conversion_date(D(2024, 2, 29), period_months=48) == D(2028, 2, 29)


def test_explicit_change_date_within_the_cap_is_kept():
    assert conversion_date(
        D(2023, 11, 15), period_months=36, cap_months=48, change_date=D(2025, 1, 1)
    ) == D(2025, 1, 1)


def test_explicit_change_date_beyond_the_cap_is_rejected():
    with pytest.raises(ValidationError) as error:
        conversion_date(
            D(2023, 11, 15),
            period_months=36,
            cap_months=48,
            change_date=D(2027, 11, 16),
        )
    assert "2027-11-15" in str(error.value.message_dict["change_date"])


def test_explicit_change_date_on_the_cap_is_accepted():
    assert conversion_date(
        D(2023, 11, 15), period_months=36, cap_months=48, change_date=D(2027, 11, 15)
    ) == D(2027, 11, 15)


def test_explicit_change_date_before_the_release_is_rejected():
    with pytest.raises(ValidationError) as error:
        conversion_date(D(2023, 11, 15), period_months=36, change_date=D(2023, 11, 14))
    assert "before the release" in str(error.value.message_dict["change_date"])
