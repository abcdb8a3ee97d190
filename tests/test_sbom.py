"""The published catalogue as SBOMs: CycloneDX 1.6 and SPDX 2.3 JSON documents
that validate against their official schemas, name each published project and
release with its Package URL and exact license expression, say when
source-available releases convert, and never show a draft."""

import datetime
import hashlib
import importlib.resources
import json

import jsonschema
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from django.utils import timezone
from django.utils.http import parse_http_date
from packageurl import PackageURL

from portal.publishing.models import State
from projects.models import Project
from tests.helpers import make_busl_catalogue

D = datetime.date
CYCLONEDX = "/api/v1/sbom/cyclonedx.json"
SPDX = "/api/v1/sbom/spdx.json"
# The official SPDX 2.3 JSON schema (spdx-spec, tag v2.3,
# schemas/spdx-schema.json), as lib4sbom ships it.
SPDX_SCHEMA_SHA256 = "239208b7ac287b3cf5d9a9af23f9d69863971102a5e1587a27a398b43490b89b"


@pytest.fixture
def catalogue(make_license, make_project, make_release):
    """Snuba (BUSL-1.1, Apache-2.0 after 36 months, on GitHub) with releases under
    MIT, BUSL-1.1 and BUSL-1.1 AND MIT; Relay (FSL-1.1-MIT); a GPL project with
    the Classpath exception on a GitLab subgroup; and the drafts no reader sees."""
    rows = make_busl_catalogue(make_license, make_project, make_release)
    snuba = rows["snuba"]
    Project.objects.filter(pk=snuba.pk).update(
        repository_url="https://github.com/GetSentry/Snuba"
    )
    snuba.refresh_from_db()
    make_release(
        snuba,
        "24.5.0",
        released_on=D(2024, 5, 15),
        license_expression="BUSL-1.1 AND MIT",
    )
    make_release(snuba, "99.0.0", state=State.DRAFT)
    java = make_project(
        "Java Kit",
        license_expression="GPL-2.0-only WITH Classpath-exception-2.0",
        repository_url="https://gitlab.com/Example/Tools/java-kit.git",
    )
    make_release(java, "1.0.0", released_on=D(2024, 2, 1))
    secret = make_project("Secret", state=State.DRAFT)
    make_release(secret, "1.0.0")
    make_project("Later", publish_at=timezone.now() + datetime.timedelta(days=3))
    return {**rows, "java": java, "snuba": snuba}


def cyclonedx(api_client, **headers):
    response = api_client.get(CYCLONEDX, **headers)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def spdx(api_client, **headers):
    response = api_client.get(SPDX, **headers)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def components(bom) -> dict:
    """Every component of the BOM, nested ones included, by bom-ref."""
    found = {}

    def walk(items):
        for item in items:
            found[item["bom-ref"]] = item
            walk(item.get("components", []))

    walk(bom.get("components", []))
    return found


def properties(item) -> dict:
    return {p["name"]: p["value"] for p in item.get("properties", [])}


def spdx_schema() -> dict:
    text = (
        importlib.resources.files("lib4sbom") / "schemas/spdx/2.3-schema.json"
    ).read_bytes()
    assert hashlib.sha256(text).hexdigest() == SPDX_SCHEMA_SHA256
    return json.loads(text)


# ---------------------------------------------------------------- the schemas


def test_cyclonedx_document_is_valid_cyclonedx_1_6(api_client, catalogue):
    response = api_client.get(CYCLONEDX)

    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(
        response.content.decode()
    )
    assert errors is None, errors
    bom = response.json()
    assert bom["bomFormat"] == "CycloneDX"
    assert bom["specVersion"] == "1.6"
    assert bom["serialNumber"].startswith("urn:uuid:")


def test_spdx_document_is_valid_spdx_2_3(api_client, catalogue):
    document = spdx(api_client)

    errors = [
        f"{list(error.absolute_path)}: {error.message}"
        for error in jsonschema.Draft7Validator(spdx_schema()).iter_errors(document)
    ]
    assert errors == []
    assert document["spdxVersion"] == "SPDX-2.3"
    assert document["dataLicense"] == "CC0-1.0"
    assert document["SPDXID"] == "SPDXRef-DOCUMENT"
    assert document["documentNamespace"].startswith("http://testserver/")
    assert document["creationInfo"]["creators"] == [
        "Tool: Our organisation",
        "Organization: Our organisation",
    ]


def test_an_empty_catalogue_is_still_a_valid_document(api_client, db):
    bom = api_client.get(CYCLONEDX)
    document = spdx(api_client)

    assert (
        JsonStrictValidator(SchemaVersion.V1_6).validate_str(bom.content.decode())
        is None
    )
    assert list(jsonschema.Draft7Validator(spdx_schema()).iter_errors(document)) == []
    assert document["packages"] == []


def test_a_license_of_our_own_is_described_in_spdx(
    api_client, make_license, make_project, make_release
):
    make_license(
        "LicenseRef-Acme-1.0",
        name="Acme License 1.0",
        text_url="https://acme.example/license",
    )
    project = make_project("Acme", license_expression="LicenseRef-Acme-1.0 OR MIT")
    make_release(project, "1.0.0")

    document = spdx(api_client)
    bom = api_client.get(CYCLONEDX)

    assert list(jsonschema.Draft7Validator(spdx_schema()).iter_errors(document)) == []
    assert document["hasExtractedLicensingInfos"] == [
        {
            "licenseId": "LicenseRef-Acme-1.0",
            "name": "Acme License 1.0",
            "extractedText": (
                "The text of LicenseRef-Acme-1.0 is published by the licensor: "
                "https://acme.example/license, "
                "http://testserver/licenses/LicenseRef-Acme-1.0/."
            ),
            "seeAlsos": [
                "https://acme.example/license",
                "http://testserver/licenses/LicenseRef-Acme-1.0/",
            ],
        }
    ]
    assert (
        JsonStrictValidator(SchemaVersion.V1_6).validate_str(bom.content.decode())
        is None
    )
    assert components(bom.json())["project:acme"]["licenses"] == [
        {"acknowledgement": "declared", "expression": "LicenseRef-Acme-1.0 OR MIT"}
    ]


def test_a_draft_license_of_our_own_lends_it_nothing(
    api_client, make_license, make_project
):
    make_license("LicenseRef-Hidden-1.0", name="Hidden Terms", state=State.DRAFT)
    make_project("Acme", license_expression="LicenseRef-Hidden-1.0")

    document = spdx(api_client)

    assert document["hasExtractedLicensingInfos"] == [
        {
            "licenseId": "LicenseRef-Hidden-1.0",
            "name": "LicenseRef-Hidden-1.0",
            "extractedText": (
                "The text of LicenseRef-Hidden-1.0 is not included in this document."
            ),
        }
    ]
    assert "Hidden Terms" not in api_client.get(CYCLONEDX).content.decode()


# ---------------------------------------------------------------- the content


def test_each_published_project_and_release_is_a_component(api_client, catalogue):
    found = components(cyclonedx(api_client))

    assert set(found) == {
        "project:snuba",
        "release:snuba@9.1.2",
        "release:snuba@23.11.0",
        "release:snuba@24.3.0",
        "release:snuba@24.5.0",
        "project:relay",
        "release:relay@25.1.0",
        "project:java-kit",
        "release:java-kit@1.0.0",
    }
    snuba = found["project:snuba"]
    assert {c["bom-ref"] for c in snuba["components"]} == {
        "release:snuba@9.1.2",
        "release:snuba@23.11.0",
        "release:snuba@24.3.0",
        "release:snuba@24.5.0",
    }
    assert snuba["name"] == "Snuba"
    assert snuba["externalReferences"] == [
        {"type": "vcs", "url": "https://github.com/GetSentry/Snuba"}
    ]
    release = found["release:snuba@23.11.0"]
    assert (release["name"], release["version"]) == ("Snuba", "23.11.0")
    assert properties(release)["portal:released_on"] == "2023-11-15"


def test_each_published_project_and_release_is_a_spdx_package(api_client, catalogue):
    document = spdx(api_client)

    packages = {
        (p["name"], p.get("versionInfo")): p["SPDXID"] for p in document["packages"]
    }
    assert set(packages) == {
        ("Snuba", None),
        ("Snuba", "9.1.2"),
        ("Snuba", "23.11.0"),
        ("Snuba", "24.3.0"),
        ("Snuba", "24.5.0"),
        ("Relay", None),
        ("Relay", "25.1.0"),
        ("Java Kit", None),
        ("Java Kit", "1.0.0"),
    }
    relationships = {
        (r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"])
        for r in document["relationships"]
    }
    for project in ("Snuba", "Relay", "Java Kit"):
        assert ("SPDXRef-DOCUMENT", "DESCRIBES", packages[project, None]) in (
            relationships
        )
    assert (
        packages["Snuba", None],
        "CONTAINS",
        packages["Snuba", "24.5.0"],
    ) in relationships
    assert len(relationships) == 9
    # Every element a relationship names is in the document, once.
    ids = [p["SPDXID"] for p in document["packages"]]
    assert len(set(ids)) == len(ids)
    assert {r[2] for r in relationships} | {r[0] for r in relationships} <= {
        *ids,
        "SPDXRef-DOCUMENT",
    }
    release = next(p for p in document["packages"] if p.get("versionInfo") == "1.0.0")
    assert release["downloadLocation"] == (
        "git+https://gitlab.com/Example/Tools/java-kit.git@1.0.0"
    )
    assert release["releaseDate"] == "2024-02-01T00:00:00Z"
    relay = next(p for p in document["packages"] if p["name"] == "Relay")
    assert relay["downloadLocation"] == "NOASSERTION"
    assert (relay["licenseConcluded"], relay["copyrightText"]) == (
        "NOASSERTION",
        "NOASSERTION",
    )


def test_drafts_and_scheduled_items_are_absent(api_client, catalogue):
    bom = api_client.get(CYCLONEDX).content.decode()
    document = api_client.get(SPDX).content.decode()

    for text in (bom, document):
        assert "99.0.0" not in text
        assert "Secret" not in text
        assert "secret" not in text
        assert "Later" not in text
        assert "later" not in text


def test_expressions_are_exact_spdx_expressions(api_client, catalogue):
    found = components(cyclonedx(api_client))
    packages = {
        (p["name"], p.get("versionInfo")): p for p in spdx(api_client)["packages"]
    }

    expected = {
        ("Snuba", "24.5.0"): "BUSL-1.1 AND MIT",
        ("Snuba", "9.1.2"): "MIT",
        ("Java Kit", None): "GPL-2.0-only WITH Classpath-exception-2.0",
        ("Java Kit", "1.0.0"): "GPL-2.0-only WITH Classpath-exception-2.0",
        ("Relay", "25.1.0"): "FSL-1.1-MIT",
    }
    refs = {
        ("Snuba", "24.5.0"): "release:snuba@24.5.0",
        ("Snuba", "9.1.2"): "release:snuba@9.1.2",
        ("Java Kit", None): "project:java-kit",
        ("Java Kit", "1.0.0"): "release:java-kit@1.0.0",
        ("Relay", "25.1.0"): "release:relay@25.1.0",
    }
    for key, expression in expected.items():
        assert found[refs[key]]["licenses"] == [
            {"acknowledgement": "declared", "expression": expression}
        ]
        assert packages[key]["licenseDeclared"] == expression


def test_a_busl_release_says_when_and_into_what_it_converts(api_client, catalogue):
    release = components(cyclonedx(api_client))["release:snuba@23.11.0"]

    assert properties(release) == {
        "portal:released_on": "2023-11-15",
        "portal:converts_on": "2026-11-15",
        "portal:converts_to": "Apache-2.0",
    }
    assert release["evidence"]["licenses"] == [
        {
            "license": {
                "id": "BUSL-1.1",
                "acknowledgement": "declared",
                "licensing": {
                    "licensor": {"organization": {"name": "Functional Software, Inc."}},
                    "expiration": "2026-11-15T00:00:00Z",
                },
                "properties": [
                    {"name": "portal:change_license", "value": "Apache-2.0"}
                ],
            }
        }
    ]


def test_a_compound_release_converts_by_its_source_available_part(
    api_client, catalogue
):
    release = components(cyclonedx(api_client))["release:snuba@24.5.0"]
    (package,) = [
        p for p in spdx(api_client)["packages"] if p.get("versionInfo") == "24.5.0"
    ]

    assert properties(release)["portal:converts_on"] == "2027-05-15"
    assert properties(release)["portal:converts_to"] == "Apache-2.0 AND MIT"
    # Only the source-available license carries conversion terms.
    assert [e["license"]["id"] for e in release["evidence"]["licenses"]] == ["BUSL-1.1"]
    (annotation,) = package["annotations"]
    assert annotation["annotationType"] == "OTHER"
    assert annotation["annotator"] == "Tool: Our organisation"
    assert annotation["comment"] == (
        "Open source from 2027-05-15 under Apache-2.0 AND MIT. "
        "BUSL-1.1: change date 2027-05-15, change license Apache-2.0."
    )


def test_an_fsl_release_converts_to_the_license_its_id_names(api_client, catalogue):
    release = components(cyclonedx(api_client))["release:relay@25.1.0"]
    (package,) = [
        p for p in spdx(api_client)["packages"] if p.get("versionInfo") == "25.1.0"
    ]

    (evidence,) = release["evidence"]["licenses"]
    assert evidence["license"]["licensing"] == {"expiration": "2027-01-15T00:00:00Z"}
    assert evidence["license"]["properties"] == [
        {"name": "portal:change_license", "value": "MIT"}
    ]
    assert package["annotations"][0]["comment"] == (
        "Open source from 2027-01-15 under MIT. "
        "FSL-1.1-MIT: change date 2027-01-15, change license MIT."
    )


def test_an_open_source_release_has_no_conversion(api_client, catalogue):
    release = components(cyclonedx(api_client))["release:snuba@9.1.2"]
    (package,) = [
        p for p in spdx(api_client)["packages"] if p.get("versionInfo") == "9.1.2"
    ]

    assert "evidence" not in release
    assert "portal:converts_on" not in properties(release)
    assert "annotations" not in package


def test_purls_are_well_formed(api_client, catalogue):
    found = components(cyclonedx(api_client))
    spdx_purls = {
        ref["referenceLocator"]
        for package in spdx(api_client)["packages"]
        for ref in package["externalRefs"]
    }

    purls = {ref: PackageURL.from_string(c["purl"]) for ref, c in found.items()}
    assert purls["release:snuba@23.11.0"] == PackageURL(
        type="github", namespace="getsentry", name="snuba", version="23.11.0"
    )
    assert purls["project:snuba"].to_string() == "pkg:github/getsentry/snuba"
    assert purls["release:java-kit@1.0.0"].to_string() == (
        "pkg:gitlab/example/tools/java-kit@1.0.0"
    )
    assert purls["release:relay@25.1.0"].to_string() == "pkg:generic/relay@25.1.0"
    assert spdx_purls == {c["purl"] for c in found.values()}
    for purl in spdx_purls:
        assert PackageURL.from_string(purl).to_string() == purl


@pytest.mark.parametrize(
    ("url", "purl"),
    [
        (
            "https://github.com/getsentry/sentry/tree/master",
            "pkg:github/getsentry/sentry",
        ),
        ("https://www.github.com/getsentry/sentry.git", "pkg:github/getsentry/sentry"),
        ("https://gitlab.com/group/repo/-/tree/main", "pkg:gitlab/group/repo"),
        ("https://github.com/getsentry", "pkg:generic/thing"),
        ("https://codeberg.org/owner/repo", "pkg:generic/thing"),
    ],
)
def test_purl_of_a_repository_url(url, purl):
    from projects.sbom import package_url

    assert package_url(Project(slug="thing", repository_url=url)) == purl


# ------------------------------------------------------- HTTP: cost and caching


@pytest.mark.parametrize("url", [CYCLONEDX, SPDX])
@pytest.mark.parametrize("size", [2, 12])
def test_a_document_costs_a_fixed_number_of_queries(
    api_client,
    make_license,
    make_project,
    make_release,
    django_assert_num_queries,
    url,
    size,
):
    make_license("MIT")
    for number in range(size):
        project = make_project(f"Project {number}")
        make_release(project, "1.0.0")
        make_release(project, "2.0.0")

    # Site settings, projects, their license history, their releases, licenses.
    with django_assert_num_queries(5):
        response = api_client.get(url)

    assert response.status_code == 200
    assert str(size - 1) in response.content.decode()


@pytest.mark.parametrize("url", [CYCLONEDX, SPDX])
def test_a_document_is_computed_once_per_content_version(
    api_client, catalogue, make_project, django_assert_num_queries, url
):
    first = api_client.get(url)
    with django_assert_num_queries(0):
        second = api_client.get(url)
    revalidated = api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    make_project("Newcomer")
    third = api_client.get(url)

    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert revalidated.status_code == 304
    assert third.content != first.content
    assert "Newcomer" in third.content.decode()


def test_serial_and_timestamp_follow_the_content_version(
    api_client, catalogue, make_project
):
    response = api_client.get(CYCLONEDX)
    bom = response.json()
    document = spdx(api_client)
    make_project("Newcomer")
    later = cyclonedx(api_client)

    modified = datetime.datetime.fromtimestamp(
        parse_http_date(response["Last-Modified"]), datetime.UTC
    )
    assert bom["metadata"]["timestamp"] == modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert document["creationInfo"]["created"] == bom["metadata"]["timestamp"]
    assert later["serialNumber"] != bom["serialNumber"]
    assert (
        bom["serialNumber"].removeprefix("urn:uuid:") in (document["documentNamespace"])
    )
    assert bom["metadata"]["tools"]["components"][0]["name"] == "Our organisation"


def test_media_types(api_client, catalogue):
    assert api_client.get(CYCLONEDX)["Content-Type"] == (
        "application/vnd.cyclonedx+json; version=1.6"
    )
    assert api_client.get(SPDX)["Content-Type"] == "application/spdx+json"
    for url in (CYCLONEDX, SPDX):
        plain = api_client.get(url, HTTP_ACCEPT="application/json")
        assert plain["Content-Type"] == "application/json"
        assert plain.json()
        refused = api_client.get(url, HTTP_ACCEPT="text/html")
        assert refused.status_code == 406
        assert refused["Content-Type"] == "application/json"
        assert refused.json()["detail"]
    assert (
        api_client.get(
            CYCLONEDX, HTTP_ACCEPT="application/vnd.cyclonedx+json"
        ).status_code
        == 200
    )


def test_anonymous_reads_are_throttled_like_every_read(api_client, db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "1000/min"},
    }

    answers = [api_client.get(url).status_code for url in (CYCLONEDX, SPDX, SPDX)]

    assert answers == [200, 200, 429]
    refused = api_client.get(CYCLONEDX)
    assert refused["Content-Type"] == "application/json"
    assert refused["Retry-After"]


def test_both_documents_are_in_the_schema_as_public_reads(api_client, db):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    for path, media_type in (
        (CYCLONEDX, "application/vnd.cyclonedx+json"),
        (SPDX, "application/spdx+json"),
    ):
        operation = schema["paths"][path]["get"]
        assert operation["tags"] == ["sbom"]
        assert operation["security"] == []
        assert set(operation["responses"]["200"]["content"]) == {
            media_type,
            "application/json",
        }
