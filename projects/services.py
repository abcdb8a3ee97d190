"""Writes that touch several models. Called by the admin, the API and imports alike."""

from django.db import transaction
from django.db.models.functions import Lower

from licenses.expressions import check_expression
from licenses.models import License
from projects.models import Project


def project_link_licenses(*, project: Project) -> list[License]:
    """Link ``project`` to the portal's licenses that its expression names.

    Ids the portal has no record of stay in the expression text but are not linked.
    """
    ids = {i.lower() for i in check_expression(project.license_expression).license_ids}
    licenses = list(License.objects.annotate(key=Lower("spdx_id")).filter(key__in=ids))
    project.licenses.set(licenses)
    return licenses


@transaction.atomic
def project_save(*, project: Project) -> Project:
    """Validate, save and link a project in one transaction."""
    project.full_clean()
    project.save()
    project_link_licenses(project=project)
    return project
