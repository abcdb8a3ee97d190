"""Read API of the philosophy: sections and statements."""

from rest_framework import viewsets

from portal.filters import StatementFilter
from portal.models import Section, Statement
from portal.serializers import SectionSerializer, StatementSerializer


class SectionViewSet(viewsets.ReadOnlyModelViewSet):
    """Sections of the philosophy page, in page order."""

    serializer_class = SectionSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"  # a slug, or a 404 before any query

    def get_queryset(self):
        return Section.objects.published()


class StatementViewSet(viewsets.ReadOnlyModelViewSet):
    """Statements of the philosophy page; filter by section and kind, sort by
    position."""

    serializer_class = StatementSerializer
    filterset_class = StatementFilter
    ordering_fields = ("position",)

    def get_queryset(self):
        return Statement.objects.published().select_related("section")
