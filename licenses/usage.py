"""Which published projects use each published license: the license section of
the philosophy page answers "what is each license for, and where is it used?".
"""

from django.db.models import Count, Prefetch

from licenses.models import License
from portal.publishing.models import published_q

PROJECTS_PER_LICENSE = 8


def project_model():
    """The model of the projects under a license, reached through the reverse
    relation: projects depend on licenses, never the other way round."""
    return License._meta.get_field("projects").related_model


def with_first_projects(licenses, projects, *, limit: int, at=None):
    """``licenses`` each with ``project_count`` (its published projects) and
    ``listed_projects`` (the first ``limit`` of ``projects``, a published
    queryset, under it, featured first). Two queries, however many licenses and
    projects: the count, and one window over the projects."""
    project = project_model()
    return licenses.annotate(
        project_count=Count(
            "projects",
            filter=published_q(project, at, prefix="projects__"),
            distinct=True,
        )
    ).prefetch_related(
        Prefetch(
            "projects",
            queryset=projects.order_by(*project._meta.ordering)[:limit],
            to_attr="listed_projects",
        )
    )


def licenses_with_projects(*, at=None, per_license: int = PROJECTS_PER_LICENSE):
    """Published licenses in their order, each with ``project_count`` and the
    first ``per_license`` projects as ``listed_projects`` (see
    :func:`with_first_projects`)."""
    return with_first_projects(
        License.objects.published(at),
        # Only what the list shows: the window over every project under a
        # license then moves no descriptions around.
        project_model()
        .objects.published(at)
        .only("name", "slug", "featured", "position"),
        limit=per_license,
        at=at,
    )
