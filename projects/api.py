"""Read API of the project catalogue, with the directory's own filters."""

from rest_framework import viewsets

from projects.filters import ProjectFilter
from projects.models import Project
from projects.serializers import ProjectDetailSerializer, ProjectSerializer


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """Published projects; filter as on the site's directory. Lookup by slug."""

    lookup_field = "slug"
    filterset_class = ProjectFilter

    def get_queryset(self):
        queryset = Project.objects.published().for_listing()
        if self.action == "retrieve":
            return queryset.with_releases()
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ProjectDetailSerializer
        return ProjectSerializer
