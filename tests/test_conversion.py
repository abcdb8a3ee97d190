"""The conversion rule of source-available licenses, on its own: one license's
terms (``source_available_conversion``) and compound expressions
(``expression_conversion``), with no database."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from licenses.conversion import (
    NEVER,
    OPEN,
    Grant,
    add_months,
    expression_conversion,
    source_available_conversion,
)

D = datetime.date


def license_(spdx_id, *, change_license=None, period=None, cap=None):
    """A stand-in for a ``License`` record: only what its text fixes."""
    fixed = SimpleNamespace(spdx_id=change_license) if change_license else None
    return SimpleNamespace(
        spdx_id=spdx_id,
        change_license_id=1 if fixed else None,
        change_license=fixed,
        change_period_months=period,
        change_cap_months=cap,
    )


BUSL = license_("BUSL-1.1", cap=48)
FSL_ALV2 = license_("FSL-1.1-ALv2", change_license="Apache-2.0", period=24)
FSL_MIT = license_("FSL-1.1-MIT", change_license="MIT", period=24)
TERRAFORM = Grant(change_license="MPL-2.0", change_after_months=48)


def convert(license_record, released_on, grant=None):
    grant = grant or Grant()
    return source_available_conversion(license_record, released_on, grant)


def test_busl_release_converts_after_the_months_the_licensor_chose():
    # snuba 23.11.0, released 2023-11-15 under BUSL-1.1, converts on 2026-11-15.
    grant = Grant(change_license="Apache-2.0", change_after_months=36)
    assert convert(BUSL, D(2023, 11, 15), grant) == (D(2026, 11, 15), "Apache-2.0")


def test_terraform_like_terms_convert_to_mpl_four_years_after_each_release():
    assert convert(BUSL, D(2023, 8, 10), TERRAFORM) == (D(2027, 8, 10), "MPL-2.0")


def test_busl_without_a_change_date_converts_on_its_fourth_anniversary():
    grant = Grant(change_license="GPL-2.0-or-later")
    assert convert(BUSL, D(2022, 8, 1), grant) == (D(2026, 8, 1), "GPL-2.0-or-later")


def test_months_beyond_the_busl_cap_are_refused_citing_the_rule():
    with pytest.raises(ValidationError) as error:
        convert(
            BUSL, D(2020, 1, 10), Grant(change_license="MIT", change_after_months=60)
        )
    assert "at most 48 months" in str(error.value.message_dict["change_after_months"])


@pytest.mark.parametrize(
    ("record", "change"), [(FSL_ALV2, "Apache-2.0"), (FSL_MIT, "MIT")]
)
def test_fsl_converts_on_its_second_anniversary_into_the_license_its_id_names(
    record, change
):
    # A change license stated by the licensor cannot override the id's.
    grant = Grant(change_license="GPL-3.0-only")
    assert convert(record, D(2023, 11, 17), grant) == (D(2025, 11, 17), change)


def test_fsl_refuses_any_stated_change_date_citing_its_fixed_period():
    with pytest.raises(ValidationError) as error:
        convert(FSL_ALV2, D(2024, 1, 31), Grant(change_date=D(2030, 1, 1)))
    message = str(error.value.message_dict["change_date"])
    assert "FSL-1.1-ALv2" in message and "24 months" in message


def test_month_end_clamps_to_the_last_day_of_a_shorter_month():
    assert add_months(D(2023, 8, 31), 1) == D(2023, 9, 30)
    assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)


def test_29_february_converts_on_28_february_of_a_common_year():
    assert convert(FSL_MIT, D(2024, 2, 29))[0] == D(2026, 2, 28)


def test_29_february_converts_on_29_february_of_a_leap_year():
    assert convert(BUSL, D(2024, 2, 29), TERRAFORM)[0] == D(2028, 2, 29)


def test_explicit_change_date_within_the_cap_is_kept():
    grant = Grant(change_license="Apache-2.0", change_date=D(2025, 1, 1))
    assert convert(BUSL, D(2023, 11, 15), grant)[0] == D(2025, 1, 1)


def test_explicit_change_date_beyond_the_cap_is_refused_citing_the_rule():
    with pytest.raises(ValidationError) as error:
        convert(BUSL, D(2023, 11, 15), Grant(change_date=D(2027, 11, 16)))
    message = str(error.value.message_dict["change_date"])
    assert "2027-11-15" in message and "BUSL-1.1 allows at most 48 months" in message


def test_explicit_change_date_on_the_cap_is_accepted():
    grant = Grant(change_date=D(2027, 11, 15))
    assert convert(BUSL, D(2023, 11, 15), grant)[0] == D(2027, 11, 15)


def test_explicit_change_date_before_the_release_is_rejected():
    with pytest.raises(ValidationError) as error:
        convert(BUSL, D(2023, 11, 15), Grant(change_date=D(2023, 11, 14)))
    assert "before the release" in str(error.value.message_dict["change_date"])


# -- compound expressions ------------------------------------------------------

RELEASED = D(2024, 1, 31)
RECORDS = {
    "BUSL-1.1": BUSL,
    "FSL-1.1-ALv2": FSL_ALV2,
    "FSL-1.1-MIT": FSL_MIT,
}


def leaf(grant):
    def outcome(spdx_id):
        if spdx_id in RECORDS:
            return source_available_conversion(RECORDS[spdx_id], RELEASED, grant)
        return OPEN if spdx_id in {"MIT", "Apache-2.0", "MPL-2.0"} else NEVER

    return outcome


def compound(expression, grant=TERRAFORM):
    conversion = expression_conversion(expression, RELEASED, leaf(grant))
    return conversion.converts_on, conversion.converts_to


@pytest.mark.parametrize(
    "expression", ["FSL-1.1-ALv2 AND BUSL-1.1", "BUSL-1.1 AND FSL-1.1-ALv2"]
)
def test_and_converts_when_its_last_part_does_in_either_order(expression):
    day, converted = compound(expression)
    assert day == D(2028, 1, 31)
    assert set(converted.split(" AND ")) == {"Apache-2.0", "MPL-2.0"}


@pytest.mark.parametrize(
    "expression", ["BUSL-1.1 OR FSL-1.1-ALv2", "FSL-1.1-ALv2 OR BUSL-1.1"]
)
def test_or_converts_when_its_first_alternative_does_in_either_order(expression):
    assert compound(expression)[0] == D(2026, 1, 31)


@pytest.mark.parametrize("expression", ["BUSL-1.1 OR MIT", "MIT OR BUSL-1.1"])
def test_an_open_source_alternative_is_open_source_from_the_release(expression):
    assert compound(expression)[0] == RELEASED


def test_converts_to_replaces_each_source_available_part_by_its_change_license():
    assert compound("BUSL-1.1 AND MIT") == (D(2028, 1, 31), "MPL-2.0 AND MIT")


def test_and_with_a_part_that_never_converts_never_converts():
    assert compound("BUSL-1.1 AND LicenseRef-Proprietary") == (None, "")


def test_an_exception_converts_as_its_license():
    assert compound("BUSL-1.1 WITH Classpath-exception-2.0") == (
        D(2028, 1, 31),
        "MPL-2.0",
    )


def test_a_compound_change_license_is_bracketed_where_it_needs_to_be():
    grant = Grant(change_license="GPL-2.0-or-later OR MIT")
    assert compound("BUSL-1.1 AND Apache-2.0", grant)[1] == (
        "(GPL-2.0-or-later OR MIT) AND Apache-2.0"
    )


def test_an_expression_without_source_available_parts_does_not_convert():
    assert expression_conversion("MIT OR Apache-2.0", RELEASED, leaf(TERRAFORM)) is None
