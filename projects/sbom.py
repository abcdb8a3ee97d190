"""The published catalogue as a software bill of materials: CycloneDX 1.6 JSON at
``/api/v1/sbom/cyclonedx.json`` and SPDX 2.3 JSON at ``/api/v1/sbom/spdx.json``
(docs/api.md, "SBOM").

Both describe the same rows, read once: every published project and, under it,
every published release (``published()``, as everywhere else), each with its
Package URL and its declared SPDX license expression, exactly as stored. A
release under a source-available license also says when and into what it
converts (``converts_on``, ``converts_to``) and, for each source-available license
its expression names, the terms of that license's conversion: its change date
and change license (``licenses.conversion``, through ``Release.conversion_grant``).

- CycloneDX: the projects are the BOM's components, each release a component
  nested in its project's (``components``). A component's ``licenses`` holds the
  expression; the schema allows nothing beside an ``expression`` (it is one or
  the other), so a source-available license's terms go in the component's
  ``evidence.licenses``: one ``license`` entry per source-available license,
  whose ``licensing`` says who grants it (``licensor``) and when the grant
  expires (``expiration``: the change date), and whose ``properties`` name the
  change license (``portal:change_license``). The component's own properties
  give the whole release's ``portal:converts_on`` and ``portal:converts_to``.
  The document is built as plain data, like the SPDX one: cyclonedx-python-lib's
  model costs 2-3 ms per component and checks its references in quadratic time
  (14 s for 1,000 projects, minutes for 10,000), and has no ``licensing``. The
  library still decides which license ids are CycloneDX's (``is_supported_id``),
  and its strict validator and schemas check every document the tests build.
- SPDX: one package per project and per release; the document DESCRIBES each
  project, which CONTAINS its releases; a release's conversion is an annotation
  (OTHER) on its package.

A document is computed once per content version (``remembered``) and is the same
for every reader of that version: its timestamp is the version's time (the
``Last-Modified`` of the answer) and its serial number (CycloneDX) or namespace
(SPDX) a UUID derived from the version, so a repeated read is byte for byte the
same (and its ETag too) until the content changes.
"""

import datetime
import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from packageurl import PackageURL
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from licenses import spdx
from licenses.conversion import source_available_conversion
from licenses.expressions import expression_tree
from licenses.models import Family, License
from portal.http.caching import content_version, remembered
from portal.models import SiteSettings
from projects.models import Project, Release

CYCLONEDX_MEDIA_TYPE = "application/vnd.cyclonedx+json"
CYCLONEDX_CONTENT_TYPE = f"{CYCLONEDX_MEDIA_TYPE}; version=1.6"
SPDX_MEDIA_TYPE = "application/spdx+json"
NOASSERTION = "NOASSERTION"
# The portal's own names, in component and license properties.
CONVERTS_ON = "portal:converts_on"
CONVERTS_TO = "portal:converts_to"
CHANGE_LICENSE = "portal:change_license"
RELEASED_ON = "portal:released_on"
STATUS = "portal:status"
# A namespace of our own for the UUIDs derived from a content version.
SBOM_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "portal:sbom")
# Hosts whose repository URLs become ``pkg:github`` / ``pkg:gitlab`` purls.
PURL_HOSTS = {"github.com": "github", "gitlab.com": "gitlab"}


# ------------------------------------------------------------------ the rows

# What the documents show of a project (not its long description).
PROJECT_FIELDS = (
    "slug",
    "name",
    "summary",
    "license_expression",
    "status",
    "repository_url",
    "homepage_url",
    "docs_url",
)


@dataclass(frozen=True)
class Catalogue:
    """What both documents describe, read in a fixed number of queries."""

    projects: list  # published, each with ``public_releases`` and its history
    licenses: dict  # License records of the ids named, by lower-cased id
    site_name: str


def read_catalogue() -> Catalogue:
    """The published projects, their published releases and license history,
    the licenses their expressions name, and the site's name: five queries."""
    site_name = SiteSettings.load().organisation_name
    projects = list(
        Project.objects.published().only(*PROJECT_FIELDS).with_history().with_releases()
    )
    named = {
        spdx_id
        for project in projects
        for item in (project, *project.public_releases)
        for spdx_id in expression_ids(item.license_expression)
    }
    licenses = License.objects.select_related("change_license").by_spdx_ids(named)
    return Catalogue(projects=projects, licenses=licenses, site_name=site_name)


def expression_ids(expression: str) -> list[str]:
    tree = expression_tree(expression)
    return list(dict.fromkeys(tree.ids())) if tree is not None else []


@dataclass(frozen=True)
class LicenseTerms:
    """The conversion terms of one source-available license of a release."""

    license_id: str
    converts_on: datetime.date | None
    change_license: str
    licensor: str


def source_available_terms(release: Release, licenses: dict) -> list[LicenseTerms]:
    """For each source-available license ``release``'s expression names: its
    change date and change license for this version, and the licensor of the
    grant, as the release's own conversion was computed."""
    terms = []
    for spdx_id in expression_ids(release.license_expression):
        license_ = licenses.get(spdx_id.lower())
        if license_ is None or license_.family != Family.SOURCE_AVAILABLE:
            continue
        try:
            converts_on, change_license = source_available_conversion(
                license_, release.released_on, release.conversion_grant()
            )
        except ValidationError:
            continue  # terms the license refuses convert nothing (never saved so)
        granted = release.project.grant_on(release.released_on)
        terms.append(
            LicenseTerms(
                license_id=license_.spdx_id,
                converts_on=converts_on,
                change_license=change_license or "",
                licensor=granted.licensor if granted else "",
            )
        )
    return terms


def repository_coordinates(url: str) -> tuple[str, str, str] | None:
    """``(purl type, namespace, name)`` of a GitHub or GitLab repository URL,
    or None for any other URL."""
    parts = urlsplit(url or "")
    kind = PURL_HOSTS.get((parts.hostname or "").lower().removeprefix("www."))
    if kind is None:
        return None
    # GitLab's pages below a repository start with "/-/"; GitHub's are two
    # segments deep (owner/repo/tree/main).
    segments = [s for s in parts.path.split("/-/")[0].split("/") if s]
    if kind == "github":
        segments = segments[:2]
    if len(segments) < 2:
        return None
    name = segments[-1].removesuffix(".git")
    return kind, "/".join(segments[:-1]), name


def package_url(project: Project, version: str | None = None) -> str:
    """``pkg:github/owner/repo@version`` (or ``pkg:gitlab/...``) for a project
    whose repository is on GitHub or GitLab, else ``pkg:generic/<slug>@version``;
    without ``@version`` for the project itself."""
    coordinates = repository_coordinates(project.repository_url)
    if coordinates is None:
        return PackageURL(
            type="generic", name=project.slug, version=version
        ).to_string()
    kind, namespace, name = coordinates
    return PackageURL(
        type=kind, namespace=namespace, name=name, version=version
    ).to_string()


def midnight(day: datetime.date) -> datetime.datetime:
    """The start of a UTC calendar day: when a change date takes effect."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


def utc_text(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def conversion_sentence(release: Release, terms: list[LicenseTerms]) -> str:
    """The conversion in words, for the SPDX annotation."""
    if release.converts_on is not None:
        sentence = _("Open source from %(day)s under %(expression)s.") % {
            "day": release.converts_on.isoformat(),
            "expression": release.converts_to,
        }
    else:
        sentence = str(_("No conversion date is known."))
    for term in terms:
        sentence += " " + _(
            "%(license)s: change date %(day)s, change license %(change)s."
        ) % {
            "license": term.license_id,
            "day": term.converts_on.isoformat() if term.converts_on else NOASSERTION,
            "change": term.change_license or NOASSERTION,
        }
    return sentence


# ---------------------------------------------------------------- CycloneDX


def cyclonedx_document(
    catalogue: Catalogue, *, site_url: str, moment: datetime.datetime, serial
) -> dict:
    """The catalogue as a CycloneDX 1.6 BOM (a JSON-ready dict)."""
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial.urn,
        "version": 1,
        "metadata": {
            "timestamp": utc_text(moment),
            "tools": {
                "components": [
                    {
                        "type": "application",
                        "name": catalogue.site_name,
                        "description": str(_("The organisation's open-source portal.")),
                        "externalReferences": [{"type": "website", "url": site_url}],
                    }
                ]
            },
            "supplier": {"name": catalogue.site_name, "url": [site_url]},
        },
        "components": [
            project_component(project, catalogue) for project in catalogue.projects
        ],
    }


def declared_expression(expression: str) -> list[dict]:
    return [{"expression": expression, "acknowledgement": "declared"}]


def project_component(project: Project, catalogue: Catalogue) -> dict:
    component = {
        "type": "application",
        "bom-ref": f"project:{project.slug}",
        "name": project.name,
        "description": project.summary,
        "licenses": declared_expression(project.license_expression),
        "purl": package_url(project),
    }
    references = [
        {"type": kind, "url": url}
        for kind, url in (
            ("vcs", project.repository_url),
            ("website", project.homepage_url),
            ("documentation", project.docs_url),
        )
        if url
    ]
    if references:
        component["externalReferences"] = references
    component["properties"] = [{"name": STATUS, "value": project.status}]
    releases = [
        release_component(project, release, catalogue)
        for release in project.public_releases
    ]
    if releases:
        component["components"] = releases
    return component


def release_component(project: Project, release: Release, catalogue: Catalogue):
    component = {
        "type": "application",
        "bom-ref": f"release:{project.slug}@{release.version}",
        "name": project.name,
        "version": release.version,
        "licenses": declared_expression(release.license_expression),
        "purl": package_url(project, release.version),
    }
    properties = [{"name": RELEASED_ON, "value": release.released_on.isoformat()}]
    if release.converts_on is not None:
        properties += [
            {"name": CONVERTS_ON, "value": release.converts_on.isoformat()},
            {"name": CONVERTS_TO, "value": release.converts_to},
        ]
    component["properties"] = properties
    evidence = [
        {"license": source_available_license(term)}
        for term in source_available_terms(release, catalogue.licenses)
    ]
    if evidence:
        component["evidence"] = {"licenses": evidence}
    return component


def source_available_license(term: LicenseTerms) -> dict:
    """A source-available license of a release with its conversion terms: who
    grants it, when the grant expires (the change date) and the change license.
    An id CycloneDX's list lacks (a ``LicenseRef-``) is given as a name."""
    # Imported here: only a worker that builds this document needs the list.
    from cyclonedx.spdx import is_supported_id

    key = "id" if is_supported_id(term.license_id) else "name"
    license_ = {key: term.license_id, "acknowledgement": "declared"}
    licensing = {}
    if term.licensor:
        licensing["licensor"] = {"organization": {"name": term.licensor}}
    if term.converts_on is not None:
        licensing["expiration"] = utc_text(midnight(term.converts_on))
    if licensing:
        license_["licensing"] = licensing
    if term.change_license:
        license_["properties"] = [
            {"name": CHANGE_LICENSE, "value": term.change_license}
        ]
    return license_


# --------------------------------------------------------------------- SPDX

SPDX_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")
LICENSE_REF = re.compile(r"(?<![\w.:-])LicenseRef-[A-Za-z0-9.-]+")


def spdx_ref(*parts) -> str:
    return "SPDXRef-" + "-".join(SPDX_ID_UNSAFE.sub("-", str(p)) for p in parts)


def download_location(project: Project, version: str | None = None) -> str:
    """Where the source is: ``git+<repository>[@version]`` on GitHub or
    GitLab, the repository URL elsewhere, ``NOASSERTION`` without one."""
    if not project.repository_url:
        return NOASSERTION
    if repository_coordinates(project.repository_url) is None:
        return project.repository_url
    location = f"git+{project.repository_url}"
    return f"{location}@{version}" if version else location


def declared_license(expression: str) -> str:
    """The expression, unless it names another document's license (SPDX needs
    that document among the external references, which the portal has not)."""
    return NOASSERTION if "DocumentRef-" in expression else expression


def spdx_document(
    catalogue: Catalogue, *, site_url: str, moment: datetime.datetime, serial
) -> dict:
    """The catalogue as an SPDX 2.3 document (a JSON-ready dict)."""
    created = utc_text(moment)
    tool = f"Tool: {catalogue.site_name}"
    supplier = f"Organization: {catalogue.site_name}"
    packages, relationships, refs = [], [], set()
    for project in catalogue.projects:
        project_id = spdx_ref("Project", project.pk, project.slug)
        packages.append(
            {
                "name": project.name,
                "SPDXID": project_id,
                "downloadLocation": download_location(project),
                "filesAnalyzed": False,
                **({"homepage": project.homepage_url} if project.homepage_url else {}),
                "licenseConcluded": NOASSERTION,
                "licenseDeclared": declared_license(project.license_expression),
                "copyrightText": NOASSERTION,
                "summary": project.summary,
                "supplier": supplier,
                "externalRefs": [purl_reference(package_url(project))],
            }
        )
        relationships.append(relationship("SPDXRef-DOCUMENT", "DESCRIBES", project_id))
        refs.update(LICENSE_REF.findall(project.license_expression))
        for release in project.public_releases:
            release_id = spdx_ref("Release", release.pk, project.slug, release.version)
            package = {
                "name": project.name,
                "SPDXID": release_id,
                "versionInfo": release.version,
                "downloadLocation": download_location(project, release.version),
                "filesAnalyzed": False,
                "licenseConcluded": NOASSERTION,
                "licenseDeclared": declared_license(release.license_expression),
                "copyrightText": NOASSERTION,
                "supplier": supplier,
                "releaseDate": utc_text(midnight(release.released_on)),
                "externalRefs": [purl_reference(package_url(project, release.version))],
            }
            terms = source_available_terms(release, catalogue.licenses)
            if release.converts_on is not None or terms:
                package["annotations"] = [
                    {
                        "annotationType": "OTHER",
                        "annotator": tool,
                        "annotationDate": created,
                        "comment": conversion_sentence(release, terms),
                    }
                ]
            packages.append(package)
            relationships.append(relationship(project_id, "CONTAINS", release_id))
            refs.update(LICENSE_REF.findall(release.license_expression))
    document = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": str(
            _("%(name)s: published open-source catalogue")
            % {"name": catalogue.site_name}
        ),
        "documentNamespace": f"{site_url}api/v1/sbom/spdx/catalogue-{serial}",
        "creationInfo": {
            "created": created,
            "creators": [tool, supplier],
            "licenseListVersion": spdx.LIST_VERSION,
        },
        "packages": packages,
        "relationships": relationships,
    }
    if refs:
        document["hasExtractedLicensingInfos"] = [
            extracted_license(ref, catalogue.licenses.get(ref.lower()), site_url)
            for ref in sorted(refs)
        ]
    return document


def purl_reference(purl: str) -> dict:
    return {
        "referenceCategory": "PACKAGE-MANAGER",
        "referenceType": "purl",
        "referenceLocator": purl,
    }


def relationship(element: str, kind: str, related: str) -> dict:
    return {
        "spdxElementId": element,
        "relationshipType": kind,
        "relatedSpdxElement": related,
    }


def extracted_license(ref: str, license_: License | None, site_url: str) -> dict:
    """A ``LicenseRef-`` of the organisation's own: SPDX requires its text, which
    the portal does not keep; the entry says where it is published. A license
    record still in draft lends nothing: only the id is known."""
    if license_ is not None and not license_.is_published():
        license_ = None
    where = [
        url
        for url in (
            license_ and license_.text_url,
            license_ and f"{site_url.rstrip('/')}{license_.get_absolute_url()}",
        )
        if url
    ]
    text = (
        _("The text of %(ref)s is published by the licensor: %(where)s.")
        if where
        else _("The text of %(ref)s is not included in this document.")
    )
    entry = {
        "licenseId": ref,
        "name": (license_.name if license_ else "") or ref,
        "extractedText": str(text % {"ref": ref, "where": ", ".join(where)}),
    }
    if where:
        entry["seeAlsos"] = where
    return entry


# -------------------------------------------------------------------- views


class CycloneDXRenderer(JSONRenderer):
    media_type = CYCLONEDX_MEDIA_TYPE
    format = "cyclonedx"


class SpdxRenderer(JSONRenderer):
    media_type = SPDX_MEDIA_TYPE
    format = "spdx"


def sbom_schema(title: str, required: list[str], specification: str) -> dict:
    return {
        "type": "object",
        "title": title,
        "description": specification,
        "required": required,
        "additionalProperties": True,
    }


class SbomView(APIView):
    """One SBOM of the published catalogue. Anonymous, throttled like every
    read; the document is computed once per content version."""

    kind = ""  # the document's name in the cache
    # The format's own media type first (what ``Accept: */*`` gets), then plain
    # JSON for clients that ask for it.
    renderer_classes = []

    def get(self, request, *args, **kwargs):
        version = getattr(request, "content_version", None) or content_version()
        site_url = request.build_absolute_uri("/")

        def compute():
            serial = uuid.uuid5(SBOM_NAMESPACE, f"{site_url} {version.key}")
            return self.build(
                read_catalogue(),
                site_url=site_url,
                moment=version.modified.replace(microsecond=0),
                serial=serial,
            )

        document = remembered(request, f"sbom:{self.kind}:{site_url}", compute)
        response = Response(document)
        if isinstance(request.accepted_renderer, CycloneDXRenderer):
            response.content_type = CYCLONEDX_CONTENT_TYPE
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:
            # Errors are the API's error body, in plain JSON, whatever the
            # document's own media type.
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def build(self, catalogue, **kwargs) -> dict:
        raise NotImplementedError


class CycloneDXView(SbomView):
    """The published catalogue as a CycloneDX 1.6 BOM."""

    kind = "cyclonedx"
    renderer_classes = [CycloneDXRenderer, JSONRenderer]

    @extend_schema(
        operation_id="sbom_cyclonedx",
        tags=["sbom"],
        responses={
            200: OpenApiResponse(
                sbom_schema(
                    "CycloneDX 1.6 BOM",
                    ["bomFormat", "specVersion", "serialNumber", "version"],
                    "https://cyclonedx.org/docs/1.6/json/",
                ),
                description=str(
                    _(
                        "Every published project a component, each published "
                        "release a component nested in its project's "
                        "(docs/api.md, 'SBOM')."
                    )
                ),
            )
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def build(self, catalogue, **kwargs) -> dict:
        return cyclonedx_document(catalogue, **kwargs)


class SpdxView(SbomView):
    """The published catalogue as an SPDX 2.3 document."""

    kind = "spdx"
    renderer_classes = [SpdxRenderer, JSONRenderer]

    @extend_schema(
        operation_id="sbom_spdx",
        tags=["sbom"],
        responses={
            200: OpenApiResponse(
                sbom_schema(
                    "SPDX 2.3 document",
                    [
                        "spdxVersion",
                        "dataLicense",
                        "SPDXID",
                        "name",
                        "documentNamespace",
                        "creationInfo",
                    ],
                    "https://spdx.github.io/spdx-spec/v2.3/",
                ),
                description=str(
                    _(
                        "One package per published project and per published "
                        "release (docs/api.md, 'SBOM')."
                    )
                ),
            )
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def build(self, catalogue, **kwargs) -> dict:
        return spdx_document(catalogue, **kwargs)


sbom_patterns = [
    path("cyclonedx.json", CycloneDXView.as_view(), name="sbom-cyclonedx"),
    path("spdx.json", SpdxView.as_view(), name="sbom-spdx"),
]
