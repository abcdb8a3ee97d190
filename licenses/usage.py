"""Licenses with the first of the projects under each: the philosophy page and a
license's page answer "where is it used?".

The projects come from the caller, a published queryset of the projects app:
projects depend on licenses, never the other way round.
"""

from django.db.models import Count, Prefetch

from portal.publishing.models import published_q


def with_project_count(licenses, project_model, *, at=None):
    """``licenses``, each with ``project_count``: its published projects."""
    return licenses.annotate(
        project_count=Count(
            "projects",
            filter=published_q(project_model, at, prefix="projects__"),
            distinct=True,
        )
    )


def with_first_projects(licenses, projects, *, limit: int, at=None):
    """``licenses`` each with ``project_count`` (its published projects) and
    ``listed_projects`` (the first ``limit`` of ``projects``, a published
    queryset, under it, featured first). Two queries, however many licenses and
    projects: the count, and one window over the projects."""
    return with_project_count(licenses, projects.model, at=at).prefetch_related(
        Prefetch(
            "projects",
            queryset=projects.order_by(*projects.model._meta.ordering)[:limit],
            to_attr="listed_projects",
        )
    )
