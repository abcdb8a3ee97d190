"""Which published projects use each published license: the license section of
the philosophy page answers "what is each license for, and where is it used?".
"""

from django.db.models import Count, Prefetch

from licenses.models import License
from portal.publishing import published_q

PROJECTS_PER_LICENSE = 8


def project_model():
    """The model of the projects under a license, reached through the reverse
    relation: projects depend on licenses, never the other way round."""
    return License._meta.get_field("projects").related_model


def licenses_with_projects(*, at=None, per_license: int = PROJECTS_PER_LICENSE):
    """Published licenses in their order, each with ``project_count`` (its
    published projects) and ``listed_projects`` (the first ``per_license`` of
    them, featured first). Two queries, however many licenses and projects."""
    project = project_model()
    return (
        License.objects.published(at)
        .annotate(
            project_count=Count(
                "projects",
                filter=published_q(project, at, prefix="projects__"),
                distinct=True,
            )
        )
        .prefetch_related(
            Prefetch(
                "projects",
                # Only what the list shows: the window over every project
                # under a license then moves no descriptions around.
                queryset=project.objects.published(at)
                .only("name", "slug", "featured", "position")
                .order_by(*project._meta.ordering)[:per_license],
                to_attr="listed_projects",
            )
        )
    )
