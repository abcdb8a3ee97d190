"""Read API of the project catalogue and of the conversions of its releases,
with the same filters as the site."""

from rest_framework import mixins, viewsets

from projects.filters import ConversionFilter, ProjectFilter
from projects.models import Project, Release
from projects.serializers import (
    ConversionSerializer,
    ProjectDetailSerializer,
    ProjectSerializer,
)


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """Published projects; filter as on the site's directory, sort by name or
    update time. Lookup by slug."""

    lookup_field = "slug"
    filterset_class = ProjectFilter
    ordering_fields = ("name", "updated_at")

    def get_queryset(self):
        queryset = Project.objects.published().for_listing().with_history()
        if self.action == "retrieve":
            return queryset.with_releases()
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ProjectDetailSerializer
        return ProjectSerializer


class ConversionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Releases of source-available code by the day they become open source,
    soonest first (``?ordering=-converts_on``: latest first): filter by
    ``after``/``before`` (dates), ``project`` (slug) and ``license`` (an SPDX id
    the release is under or turns into)."""

    serializer_class = ConversionSerializer
    filterset_class = ConversionFilter
    ordering_fields = ("converts_on",)

    def get_queryset(self):
        return Release.objects.published().conversions()
