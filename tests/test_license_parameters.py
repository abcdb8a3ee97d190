"""A release's license header, for its LICENSE file: the BUSL "Parameters"
block or the FSL notice, filled in from the portal's record."""

import datetime

import pytest

from licenses.models import Family
from portal.publishing.models import State

D = datetime.date


@pytest.fixture
def licenses(make_license):
    apache = make_license("Apache-2.0")
    make_license("MIT")
    make_license(
        "BUSL-1.1",
        name="Business Source License 1.1",
        family=Family.SOURCE_AVAILABLE,
        change_cap_months=48,
    )
    make_license(
        "FSL-1.1-ALv2",
        name="Functional Source License, Version 1.1",
        family=Family.SOURCE_AVAILABLE,
        change_license=apache,
        change_period_months=24,
    )


def header(client, slug, version):
    response = client.get(f"/projects/{slug}/releases/{version}/license-parameters.txt")
    if response.status_code == 200:
        assert response["Content-Type"] == "text/plain; charset=utf-8"
    return response


def test_busl_release_gets_its_parameters_block(
    client, licenses, make_project, make_release
):
    terraform = make_project(
        "Terraform",
        license_expression="BUSL-1.1",
        terms={
            "licensor": "HashiCorp, Inc.",
            "licensed_work": "Terraform",
            "change_license": "MPL-2.0",
            "change_after_months": 48,
        },
    )
    make_release(terraform, "1.6.0", released_on=D(2023, 10, 4))

    response = header(client, "terraform", "1.6.0")

    assert response.status_code == 200
    assert response.content.decode() == (
        "Parameters\n"
        "\n"
        "Licensor:             HashiCorp, Inc.\n"
        "Licensed Work:        Terraform 1.6.0\n"
        "Additional Use Grant: None\n"
        "Change Date:          2027-10-04\n"
        "Change License:       MPL-2.0\n"
    )


def test_fsl_release_gets_its_notice(client, licenses, make_project, make_release):
    snuba = make_project(
        "Snuba",
        license_expression="FSL-1.1-ALv2",
        terms={"licensor": "Functional Software, Inc.", "licensed_work": "Snuba"},
    )
    make_release(snuba, "24.3.0", released_on=D(2024, 3, 15))

    text = header(client, "snuba", "24.3.0").content.decode()

    assert text.startswith(
        "Functional Source License, Version 1.1, ALv2 Future License\n"
    )
    assert "Notice:               Copyright 2024 Functional Software, Inc.\n" in text
    assert "Change Date:          2026-03-15\n" in text
    assert "Change License:       Apache-2.0\n" in text


def test_open_source_or_draft_releases_have_no_header(
    client, licenses, make_project, make_release
):
    sdk = make_project("SDK", license_expression="MIT")
    make_release(sdk, "1.0.0")
    make_release(sdk, "2.0.0", state=State.DRAFT)

    assert header(client, "sdk", "1.0.0").status_code == 404
    assert header(client, "sdk", "2.0.0").status_code == 404
