"""Writes that touch several models. Called by the admin, the API and imports alike."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower

from licenses.expressions import check_expression
from licenses.models import License
from projects.models import Project, Release


def project_link_licenses(*, project: Project) -> list[License]:
    """Link ``project`` to the portal's licenses that its expression names.

    Ids the portal has no record of stay in the expression text but are not linked.
    """
    ids = {i.lower() for i in check_expression(project.license_expression).license_ids}
    licenses = list(License.objects.annotate(key=Lower("spdx_id")).filter(key__in=ids))
    project.licenses.set(licenses)
    return licenses


def license_link_projects(*, license_: License) -> None:
    """Link ``license_`` to every project whose expression names it.

    A project saved before the portal had this license (or while it had another
    id) names it in its expression without being linked to it; this mends that.
    ``MIT-0`` does not count as naming ``MIT``: ids are compared whole.
    """
    key = license_.spdx_id.lower()
    candidates = Project.objects.filter(
        license_expression__icontains=license_.spdx_id
    ).only("pk", "license_expression")
    license_.projects.set(
        project
        for project in candidates
        if key
        in {i.lower() for i in check_expression(project.license_expression).license_ids}
    )


@transaction.atomic
def project_save(*, project: Project) -> Project:
    """Validate, save and link a project in one transaction."""
    project.full_clean()
    project.save()
    project_link_licenses(project=project)
    return project


def releases_refresh_conversions(*, license_: License) -> int:
    """Recompute ``converts_on``/``converts_to`` of the releases ``license_`` governs.

    Called when a license's conversion terms change, so the stored dates that the
    conversions list, its feeds and the API filter on stay true. Returns how many
    releases changed. A release whose explicit change date the new terms refuse
    (beyond a shortened cap) keeps its date; the admin shows the error on its next
    save.
    """
    named = rf"(^|[\s(]){re.escape(license_.spdx_id)}($|[\s)])"
    releases = Release.objects.filter(
        Q(converts_to__isnull=False) | Q(license_expression__iregex=named)
    ).select_related("converts_to")
    changed = 0
    for release in releases:
        before = (release.converts_on, release.converts_to_id)
        try:
            release.compute_conversion(
                check_expression(release.license_expression).license_ids
            )
        except ValidationError:
            continue
        if (release.converts_on, release.converts_to_id) != before:
            release.save(update_fields=["converts_on", "converts_to", "updated_at"])
            changed += 1
    return changed


@transaction.atomic
def release_save(*, release: Release) -> Release:
    """Validate (conversion date included) and save a release."""
    release.full_clean()
    release.save()
    return release
