"""The plain project's pages, written the way the Django and DRF tutorials teach:
a constant response, a template list of 50 projects with ``select_related`` (also
under ``cache_page``), and a ``ListAPIView`` with a nested serializer."""

from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.cache import cache_page
from django.views.generic import ListView
from rest_framework import generics, pagination

from bench.plain.models import Project
from bench.plain.serializers import ProjectSerializer


def constant(request):
    return HttpResponse(b"ok", content_type="text/plain")


def published_projects():
    now = timezone.now()
    return Project.objects.filter(
        Q(state="published"),
        Q(publish_at__isnull=True) | Q(publish_at__lte=now),
        Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=now),
    )


class ProjectListView(ListView):
    template_name = "plain/project_list.html"
    paginate_by = 50

    def get_queryset(self):
        return published_projects().select_related("category")


class PageOfFifty(pagination.PageNumberPagination):
    page_size = 50


class ProjectListAPIView(generics.ListAPIView):
    serializer_class = ProjectSerializer
    pagination_class = PageOfFifty

    def get_queryset(self):
        return (
            published_projects().select_related("category").prefetch_related("licenses")
        )


project_list = ProjectListView.as_view()
# Ten minutes: longer than the run, so every cached request is a hit.
project_list_cached = cache_page(60 * 10)(ProjectListView.as_view())
project_list_api = ProjectListAPIView.as_view()
