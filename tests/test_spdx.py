"""Licenses filled in and refreshed from the bundled SPDX list."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from licenses import spdx
from licenses.expressions import check_expression
from licenses.models import Family, License


@pytest.mark.django_db
def test_license_added_by_id_gets_name_flags_and_link():
    license_ = License(spdx_id="apache-2.0")
    license_.full_clean()
    assert license_.spdx_id == "Apache-2.0"
    assert license_.name == "Apache License 2.0"
    assert license_.osi_approved and license_.fsf_libre
    assert license_.text_url == "https://spdx.org/licenses/Apache-2.0.html"


@pytest.mark.django_db
def test_editors_wording_of_the_name_is_kept():
    license_ = License(spdx_id="MIT", name="The MIT License")
    license_.full_clean()
    assert license_.name == "The MIT License"


@pytest.mark.django_db
def test_source_available_license_is_not_osi_approved():
    license_ = License(spdx_id="BUSL-1.1", family=Family.SOURCE_AVAILABLE)
    license_.full_clean()
    assert license_.name == "Business Source License 1.1"
    assert not license_.osi_approved


@pytest.mark.django_db
def test_license_ref_needs_a_name():
    with pytest.raises(ValidationError) as error:
        License(spdx_id="LicenseRef-Ours").full_clean()
    assert "name" in error.value.message_dict
    License(spdx_id="LicenseRef-Ours", name="Our license").full_clean()


@pytest.mark.django_db
def test_sync_spdx_reports_and_fixes_drifted_flags(make_license):
    make_license("MIT")
    License.objects.filter(spdx_id="MIT").update(osi_approved=False)
    out = io.StringIO()
    call_command("sync_spdx", stdout=out)
    assert "MIT: osi_approved False -> True" in out.getvalue()
    assert License.objects.get(spdx_id="MIT").osi_approved


@pytest.mark.django_db
def test_sync_spdx_dry_run_saves_nothing(make_license):
    make_license("MIT")
    License.objects.filter(spdx_id="MIT").update(osi_approved=False)
    out = io.StringIO()
    call_command("sync_spdx", "--dry-run", stdout=out)
    assert "would change" in out.getvalue()
    assert not License.objects.get(spdx_id="MIT").osi_approved


@pytest.mark.django_db
def test_sync_spdx_keeps_license_refs(make_license):
    make_license("LicenseRef-Ours", name="Our license")
    out = io.StringIO()
    call_command("sync_spdx", stdout=out)
    assert "LicenseRef-Ours: not on the SPDX list, kept." in out.getvalue()


def test_every_id_and_exception_of_the_bundled_spdx_list_validates():
    licenses = [entry.spdx_id for entry in spdx.all_licenses()]
    exceptions = [entry.spdx_id for entry in spdx.all_exceptions()]
    assert len(licenses) > 700 and len(exceptions) > 80
    assert [i for i in licenses if not check_expression(i).valid] == []
    assert [e for e in exceptions if not check_expression(f"MIT WITH {e}").valid] == []
