"""Facet counts of the project directory: how many projects each choice shows.

For each facet (license, license family, category, language, status) the
projects counted are those the *other* active filters and the search select, so
the number next to "MIT" is what choosing MIT would show, whatever license is
chosen now ("disjunctive" facets: a reader sees the alternatives, not only
zeros). One aggregate query per facet, five in all, whatever the catalogue's
size. The projects counted are a subquery of the directory's own queryset, so the
counts follow the same publishing rule; a license is counted only when it is
public itself.
"""

from django.db.models import Count

from licenses.models import License
from portal.publishing.models import published_q
from projects.models import Project


def _by(rows, key: str) -> dict[str, int]:
    return {row[key]: row["count"] for row in rows if row[key] is not None}


def license_counts(projects) -> dict[str, int]:
    """Projects per public license, by SPDX id."""
    rows = (
        Project.licenses.through.objects.filter(
            published_q(License, prefix="license__"),
            project__in=projects.values("pk"),
        )
        .values("license__spdx_id")
        .annotate(count=Count("project_id", distinct=True))
        .order_by()
    )
    return _by(rows, "license__spdx_id")


def family_counts(projects) -> dict[str, int]:
    """Projects per family of their public licenses (a project under two
    permissive licenses counts once)."""
    rows = (
        Project.licenses.through.objects.filter(
            published_q(License, prefix="license__"),
            project__in=projects.values("pk"),
        )
        .values("license__family")
        .annotate(count=Count("project_id", distinct=True))
        .order_by()
    )
    return _by(rows, "license__family")


def category_counts(projects) -> dict[str, int]:
    rows = (
        Project.objects.filter(pk__in=projects.values("pk"))
        .values("category__slug")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return _by(rows, "category__slug")


def language_counts(projects) -> dict[str, int]:
    rows = (
        Project.languages.through.objects.filter(project__in=projects.values("pk"))
        .values("language__slug")
        .annotate(count=Count("project_id", distinct=True))
        .order_by()
    )
    return _by(rows, "language__slug")


def status_counts(projects) -> dict[str, int]:
    rows = (
        Project.objects.filter(pk__in=projects.values("pk"))
        .values("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return _by(rows, "status")


COUNTERS = {
    "license": license_counts,
    "family": family_counts,
    "category": category_counts,
    "language": language_counts,
    "status": status_counts,
}


def facet_counts(filterset) -> dict[str, dict[str, int]]:
    """For each facet of ``filterset`` (a ``ProjectDirectoryFilter``), the number
    of projects per choice value, among those its other filters select."""
    return {
        name: count(filterset.filtered_without(name))
        for name, count in COUNTERS.items()
    }
