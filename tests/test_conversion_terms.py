"""Releases of source-available code know when, and into what, they convert."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from licenses.conversion import (
    NEVER,
    OPEN,
    Grant,
    add_months,
    expression_conversion,
    source_available_conversion,
)
from licenses.expressions import expression_is_open_source, osi_lookup
from licenses.models import Family, License
from licenses.services import license_save
from projects.models import LicenseChange, Release
from projects.services import project_set_terms
from tests.helpers import admin_form_data

D = datetime.date


@pytest.fixture
def busl(make_license):
    """BUSL-1.1 as its text reads: a cap of 48 months, nothing else fixed."""
    make_license("Apache-2.0")
    return make_license(
        "BUSL-1.1", family=Family.SOURCE_AVAILABLE, change_cap_months=48
    )


@pytest.fixture
def fsl(make_license):
    mit = make_license("MIT")
    apache = License.objects.filter(spdx_id="Apache-2.0").first() or make_license(
        "Apache-2.0"
    )
    make_license(
        "FSL-1.1-ALv2",
        family=Family.SOURCE_AVAILABLE,
        change_license=apache,
        change_period_months=24,
    )
    return make_license(
        "FSL-1.1-MIT",
        family=Family.SOURCE_AVAILABLE,
        change_license=mit,
        change_period_months=24,
    )


SNUBA_TERMS = {
    "licensor": "Functional Software, Inc.",
    "licensed_work": "Sentry",
    "change_license": "Apache-2.0",
    "change_after_months": 36,
}
TERRAFORM_TERMS = {
    "licensor": "HashiCorp, Inc.",
    "licensed_work": "Terraform",
    "change_license": "MPL-2.0",
    "change_after_months": 48,
}


def test_snuba_23_11_0_converts_to_apache_on_2026_11_15(
    busl, make_project, make_release
):
    snuba = make_project("Snuba", license_expression="BUSL-1.1", terms=SNUBA_TERMS)
    release = make_release(snuba, "23.11.0", released_on=D(2023, 11, 15))
    assert (release.converts_on, release.converts_to) == (D(2026, 11, 15), "Apache-2.0")


def test_terraform_like_terms_convert_to_mpl_four_years_after_each_release(
    busl, make_project, make_release
):
    terraform = make_project(
        "Terraform", license_expression="BUSL-1.1", terms=TERRAFORM_TERMS
    )
    release = make_release(terraform, "1.6.0", released_on=D(2023, 10, 4))
    assert (release.converts_on, release.converts_to) == (D(2027, 10, 4), "MPL-2.0")


def test_maxscale_like_stated_dates_per_series(busl, make_project, make_release):
    # The licensor states a change date per release series, in each release's
    # own license file; the project's terms give the change license.
    maxscale = make_project(
        "MaxScale",
        license_expression="BUSL-1.1",
        terms={"licensor": "MariaDB plc", "change_license": "GPL-2.0-or-later"},
    )
    series_2 = make_release(
        maxscale, "2.5.0", released_on=D(2020, 6, 22), change_date=D(2024, 6, 1)
    )
    series_22 = make_release(
        maxscale, "22.08.0", released_on=D(2022, 8, 11), change_date=D(2026, 8, 1)
    )
    assert (series_2.converts_on, series_2.converts_to) == (
        D(2024, 6, 1),
        "GPL-2.0-or-later",
    )
    assert series_22.converts_on == D(2026, 8, 1)


def test_busl_without_a_stated_date_converts_on_its_fourth_anniversary(
    busl, make_project, make_release
):
    project = make_project(
        "Relay", license_expression="BUSL-1.1", terms={"change_license": "MIT"}
    )
    release = make_release(project, "1.0", released_on=D(2024, 2, 29))
    assert release.converts_on == D(2028, 2, 29)


@pytest.mark.parametrize(
    ("expression", "change"), [("FSL-1.1-MIT", "MIT"), ("FSL-1.1-ALv2", "Apache-2.0")]
)
def test_fsl_releases_convert_on_their_second_anniversary_into_the_id_s_license(
    fsl, make_project, make_release, expression, change
):
    project = make_project("Symbolicator", license_expression=expression)
    release = make_release(project, "25.12.0", released_on=D(2025, 12, 15))
    assert (release.converts_on, release.converts_to) == (D(2027, 12, 15), change)


def test_fsl_refuses_a_stated_change_date_citing_its_fixed_period(fsl, make_project):
    project = make_project("Symbolicator", license_expression="FSL-1.1-ALv2")
    release = Release(
        project=project,
        version="1.0",
        released_on=D(2024, 1, 31),
        license_expression="FSL-1.1-ALv2",
        change_date=D(2030, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        release.full_clean()
    message = " ".join(error.value.message_dict["change_date"])
    assert "FSL-1.1-ALv2" in message and "24 months" in message


def test_fsl_grant_refuses_a_stated_change_date(fsl, make_project):
    project = make_project("Symbolicator", license_expression="FSL-1.1-MIT")
    grant = LicenseChange(
        project=project, license_expression="FSL-1.1-MIT", change_date=D(2030, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        grant.full_clean()
    assert "it takes no stated change date" in " ".join(
        error.value.message_dict["change_date"]
    )


def test_open_source_release_has_no_conversion(busl, make_project, make_release):
    project = make_project("SDK", license_expression="MIT")
    release = make_release(project, "1.0.0")
    assert release.converts_on is None and release.converts_to == ""


def test_explicit_change_date_within_cap_is_used(busl, make_project, make_release):
    project = make_project("Relay", license_expression="BUSL-1.1", terms=SNUBA_TERMS)
    release = make_release(
        project, "1.0", released_on=D(2023, 1, 10), change_date=D(2026, 1, 1)
    )
    assert release.converts_on == D(2026, 1, 1)


def test_explicit_change_date_beyond_the_cap_is_refused(busl, make_project):
    project = make_project("Relay", license_expression="BUSL-1.1", terms=SNUBA_TERMS)
    release = Release(
        project=project,
        version="1.0",
        released_on=D(2023, 1, 10),
        license_expression="BUSL-1.1",
        change_date=D(2027, 1, 11),
    )
    with pytest.raises(ValidationError) as error:
        release.full_clean()
    message = " ".join(error.value.message_dict["change_date"])
    assert "2027-01-10" in message and "at most 48 months" in message


def test_grant_months_beyond_the_cap_are_refused(busl, make_project):
    project = make_project("Relay", license_expression="BUSL-1.1")
    grant = LicenseChange(
        project=project,
        license_expression="BUSL-1.1",
        change_license="Apache-2.0",
        change_after_months=60,
    )
    with pytest.raises(ValidationError) as error:
        grant.full_clean()
    assert "at most 48 months" in " ".join(
        error.value.message_dict["change_after_months"]
    )


def test_busl_grant_needs_a_change_license(busl, make_project):
    project = make_project("Relay", license_expression="BUSL-1.1")
    grant = LicenseChange(project=project, license_expression="BUSL-1.1")
    with pytest.raises(ValidationError) as error:
        grant.full_clean()
    assert "leaves the change license to the licensor" in " ".join(
        error.value.message_dict["change_license"]
    )


def test_grant_change_license_is_a_checked_spdx_expression(busl, make_project):
    project = make_project("Relay", license_expression="BUSL-1.1")
    grant = LicenseChange(
        project=project, license_expression="BUSL-1.1", change_license="mpl-2.0"
    )
    grant.full_clean()
    assert grant.change_license == "MPL-2.0"
    grant.change_license = "Apache 2"
    with pytest.raises(ValidationError) as error:
        grant.full_clean()
    assert "change_license" in error.value.message_dict


@pytest.mark.parametrize(
    "expression", ["FSL-1.1-ALv2 AND BUSL-1.1", "BUSL-1.1 AND FSL-1.1-ALv2"]
)
def test_and_converts_with_its_last_part_whatever_the_order(
    busl, fsl, make_project, make_release, expression
):
    project = make_project("Mixed", license_expression=expression, terms=SNUBA_TERMS)
    release = make_release(project, "1.0", released_on=D(2024, 1, 31))
    assert release.converts_on == D(2027, 1, 31)
    assert not release.is_open_source(D(2026, 6, 1))


@pytest.mark.parametrize(
    "expression", ["BUSL-1.1 OR FSL-1.1-ALv2", "FSL-1.1-ALv2 OR BUSL-1.1"]
)
def test_or_converts_with_its_first_alternative_whatever_the_order(
    busl, fsl, make_project, make_release, expression
):
    project = make_project("Mixed", license_expression=expression, terms=SNUBA_TERMS)
    release = make_release(project, "1.0", released_on=D(2024, 1, 31))
    assert release.converts_on == D(2026, 1, 31)


def test_converts_to_replaces_the_source_available_part_only(
    busl, make_project, make_release
):
    project = make_project(
        "Terraform", license_expression="BUSL-1.1 AND MIT", terms=TERRAFORM_TERMS
    )
    release = make_release(project, "1.9.0", released_on=D(2024, 6, 26))
    assert (release.converts_on, release.converts_to) == (
        D(2028, 6, 26),
        "MPL-2.0 AND MIT",
    )


def test_change_date_on_an_open_source_release_is_refused(busl, make_project):
    project = make_project("SDK", license_expression="MIT")
    release = Release(
        project=project,
        version="1.0",
        released_on=D(2023, 1, 10),
        license_expression="MIT",
        change_date=D(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        release.full_clean()
    assert "change_date" in error.value.message_dict


def test_a_relicensing_brings_new_terms(busl, fsl, make_project, make_release):
    project = make_project("Snuba", license_expression="BUSL-1.1", terms=SNUBA_TERMS)
    LicenseChange.objects.create(
        project=project, effective_on=D(2024, 2, 27), license_expression="FSL-1.1-ALv2"
    )
    old = make_release(project, "23.11.0", released_on=D(2023, 11, 15))
    new = make_release(
        project,
        "24.3.0",
        released_on=D(2024, 3, 15),
        license_expression="FSL-1.1-ALv2",
    )
    assert (old.converts_on, new.converts_on) == (D(2026, 11, 15), D(2026, 3, 15))


def test_changing_the_terms_moves_the_releases_dates(busl, make_project, make_release):
    project = make_project("Snuba", license_expression="BUSL-1.1", terms=SNUBA_TERMS)
    release = make_release(project, "23.11.0", released_on=D(2023, 11, 15))
    project_set_terms(
        project=project, terms={**SNUBA_TERMS, "change_license": "MPL-2.0"}
    )
    release.refresh_from_db()
    assert (release.converts_on, release.converts_to) == (D(2026, 11, 15), "MPL-2.0")


def test_terms_refused_by_a_release_name_it(busl, make_project, make_release):
    project = make_project("Snuba", license_expression="BUSL-1.1", terms=SNUBA_TERMS)
    make_release(project, "23.11.0", released_on=D(2023, 11, 15))
    with pytest.raises(ValidationError) as error:
        project_set_terms(
            project=project,
            terms={
                **SNUBA_TERMS,
                "change_after_months": None,
                "change_date": D(2030, 1, 1),
            },
        )
    assert "23.11.0" in " ".join(error.value.message_dict["terms"])


def test_a_summary_edit_recomputes_no_release(busl, make_project, make_release):
    project = make_project("Snuba", license_expression="BUSL-1.1", terms=SNUBA_TERMS)
    release = make_release(project, "23.11.0", released_on=D(2023, 11, 15))
    busl.summary = "All of Sentry's self-hosted services."

    with CaptureQueriesContext(connection) as queries:
        license_save(license_=busl)

    # No release is read to be recomputed, none written (the content version's
    # one query over every table reads no release's expression).
    assert not [
        query["sql"]
        for query in queries
        if '"projects_release"."license_expression"' in query["sql"]
        or query["sql"].startswith('UPDATE "projects_release"')
    ]
    stored = Release.objects.get(pk=release.pk)
    assert stored.updated_at == release.updated_at
    assert License.objects.get(pk=busl.pk).summary.startswith("All of Sentry")


def test_a_change_of_period_in_the_admin_moves_the_release_dates(
    busl, make_project, make_release, login_as
):
    # A period fixed by the license's text overrides the grant's months.
    project = make_project("Snuba", license_expression="BUSL-1.1", terms=SNUBA_TERMS)
    release = make_release(project, "23.11.0", released_on=D(2023, 11, 15))
    publisher = login_as("Publisher")
    url = f"/admin/licenses/license/{busl.pk}/change/"
    form = publisher.get(url).context["adminform"].form

    response = publisher.post(
        url, {**admin_form_data(form), "change_period_months": "12"}
    )

    assert response.status_code == 302
    release.refresh_from_db()
    assert release.converts_on == D(2024, 11, 15)


def test_conversion_terms_only_on_source_available_licenses(make_license):
    apache = make_license("Apache-2.0")
    mit = License(spdx_id="MIT", change_license=apache, change_period_months=12)
    with pytest.raises(ValidationError) as error:
        mit.full_clean()
    assert "change_license" in error.value.message_dict


def test_period_longer_than_the_cap_is_refused(make_license):
    busl = License(
        spdx_id="BUSL-1.1",
        family=Family.SOURCE_AVAILABLE,
        change_period_months=60,
        change_cap_months=48,
    )
    with pytest.raises(ValidationError) as error:
        busl.full_clean()
    assert "change_period_months" in error.value.message_dict


def test_unknown_rule_key_is_refused_with_the_known_ones(db):
    license_ = License(spdx_id="MIT", permissions=["commercial-use", "teleport"])
    with pytest.raises(ValidationError) as error:
        license_.full_clean()
    message = " ".join(error.value.message_dict["permissions"])
    assert "teleport" in message and "private-use" in message


def test_license_history_is_ordered_from_the_beginning(make_project, make_license):
    project = make_project("Snuba", license_expression="MIT")
    for day, expression in [
        (D(2024, 2, 27), "FSL-1.1-ALv2"),
        (None, "BSD-3-Clause"),
        (D(2019, 11, 6), "BUSL-1.1"),
    ]:
        change = LicenseChange(
            project=project, effective_on=day, license_expression=expression
        )
        change.full_clean()
        change.save()
    assert [c.license_expression for c in project.license_changes.all()] == [
        "BSD-3-Clause",
        "BUSL-1.1",
        "FSL-1.1-ALv2",
    ]


def test_only_one_license_from_the_beginning(make_project):
    project = make_project("Snuba", license_expression="MIT")
    LicenseChange.objects.create(project=project, license_expression="MIT")
    second = LicenseChange(project=project, license_expression="BSD-3-Clause")
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "effective_on" in error.value.message_dict


@pytest.mark.parametrize(
    ("expression", "open_source"),
    [
        ("MIT", True),
        ("BUSL-1.1", False),
        ("BUSL-1.1 OR MIT", True),
        ("BUSL-1.1 AND MIT", False),
        ("Apache-2.0 AND MIT", True),
        ("GPL-2.0-or-later WITH Classpath-exception-2.0", True),
        ("LicenseRef-Ours", False),
    ],
)
def test_an_expression_is_open_source_when_what_you_must_accept_is(
    expression, open_source
):
    assert expression_is_open_source(expression, osi_lookup()) is open_source


def test_release_is_open_source_once_converted_or_by_its_own_expression(
    busl, make_project, make_release
):
    project = make_project("Sentry", license_expression="BUSL-1.1", terms=SNUBA_TERMS)
    old = make_release(project, "9.1.2", license_expression="BSD-3-Clause")
    busl_release = make_release(project, "23.11.0", released_on=D(2023, 11, 15))

    assert old.is_open_source(D(2026, 1, 1))  # BSD-3-Clause, whatever the project
    assert not busl_release.is_open_source(D(2026, 11, 14))
    assert busl_release.is_open_source(D(2026, 11, 15))


# ---------------------------------------------------------------- the rule on its own
#
# The conversion rule of source-available licenses, on its own: one license's
# terms (``source_available_conversion``) and compound expressions
# (``expression_conversion``), with no database.

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


def test_the_rule_alone_converts_terraform_like_terms_to_mpl_after_four_years():
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
