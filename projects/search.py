"""The project directory's ``q`` (``ProjectFilter``, which the API shares):
the projects a query finds, by ``portal.text.search``."""

from django.db.models import QuerySet

from portal.text.search import matching
from projects.models import Project


def matching_projects(queryset: QuerySet, text: str) -> QuerySet:
    """The projects of ``queryset`` that ``text`` finds (``ProjectFilter.q``)."""
    return matching(queryset, text, Project.SEARCH_FIELDS)
