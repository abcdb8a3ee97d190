"""The move of the licensor's choices from the License and the Project to each
grant keeps every date and term."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from licenses.models import License
from projects.models import Project, Release

D = datetime.date
BEFORE = [
    ("licenses", "0008_license_is_default"),
    ("projects", "0012_license_usage"),
]
AFTER = [("licenses", "0009_fixed_conversion_terms"), ("projects", "0013_grant_terms")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_migrations():
    """The tests after this one, in the same database, need every table of
    the latest migrations."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_terms_move_to_the_grants_without_loss():
    apps = migrate(BEFORE)
    OldLicense = apps.get_model("licenses", "License")
    OldProject = apps.get_model("projects", "Project")
    OldChange = apps.get_model("projects", "LicenseChange")
    OldRelease = apps.get_model("projects", "Release")
    apache = OldLicense.objects.create(spdx_id="Apache-2.0", name="Apache")
    mit = OldLicense.objects.create(spdx_id="MIT", name="MIT")
    busl = OldLicense.objects.create(
        spdx_id="BUSL-1.1",
        name="BUSL",
        family="source_available",
        change_license=apache,
        change_period_months=36,
        change_cap_months=48,
    )
    OldLicense.objects.create(
        spdx_id="FSL-1.1-MIT",
        name="FSL",
        family="source_available",
        change_license=mit,
        change_period_months=24,
    )
    sentry = OldProject.objects.create(
        name="Sentry",
        slug="sentry",
        summary="S.",
        license_expression="BUSL-1.1",
        licensor="Functional Software, Inc.",
        licensed_work="Sentry",
        additional_use_grant="Any use except a monitoring service.",
    )
    OldChange.objects.create(project=sentry, license_expression="BSD-3-Clause")
    OldChange.objects.create(
        project=sentry, effective_on=D(2019, 11, 6), license_expression="BUSL-1.1"
    )
    OldRelease.objects.create(
        project=sentry,
        version="23.11.0",
        released_on=D(2023, 11, 15),
        license_expression="BUSL-1.1",
        converts_on=D(2026, 11, 15),
        converts_to=apache,
    )
    relay = OldProject.objects.create(
        name="Relay", slug="relay", summary="R.", license_expression="BUSL-1.1"
    )
    assert busl.pk

    migrate(AFTER)

    busl = License.objects.get(spdx_id="BUSL-1.1")
    fsl = License.objects.get(spdx_id="FSL-1.1-MIT")
    assert (busl.change_license, busl.change_period_months) == (None, None)
    assert busl.change_cap_months == 48
    assert (fsl.change_license.spdx_id, fsl.change_period_months) == ("MIT", 24)
    sentry = Project.objects.get(slug="sentry")
    beginning, relicensing = sentry.license_changes.all()
    assert relicensing.terms_dict() == {
        "licensor": "Functional Software, Inc.",
        "licensed_work": "Sentry",
        "additional_use_grant": "Any use except a monitoring service.",
        "change_license": "Apache-2.0",
        "change_date": None,
        "change_after_months": 36,
    }
    assert beginning.change_license == ""
    release = Release.objects.get(version="23.11.0")
    assert (release.converts_on, release.converts_to) == (D(2026, 11, 15), "Apache-2.0")
    release.full_clean()  # the new rules give the same date
    assert (release.converts_on, release.converts_to) == (D(2026, 11, 15), "Apache-2.0")
    # A project without history that uses BUSL-1.1 gets an entry carrying the terms.
    grant = Project.objects.get(pk=relay.pk).license_changes.get()
    assert (grant.effective_on, grant.license_expression) == (None, "BUSL-1.1")
    assert (grant.change_license, grant.change_after_months) == ("Apache-2.0", 36)
