"""The public project directory and project pages."""

from django.views.generic import DetailView, ListView

from projects.filters import ProjectFilter
from projects.models import Project


class ProjectListView(ListView):
    template_name = "projects/project_list.html"
    context_object_name = "projects"
    paginate_by = 20

    def get_queryset(self):
        self.filterset = ProjectFilter(
            self.request.GET or None,
            queryset=Project.objects.published().for_listing(),
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            # An unknown filter value shows the form's message and no results.
            return Project.objects.none()
        return self.filterset.qs

    def paginate_queryset(self, queryset, page_size):
        # A malformed or out-of-range ?page= shows the first or last page instead
        # of a 404: a reader following an old link still gets a list.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class ProjectDetailView(DetailView):
    template_name = "projects/project_detail.html"
    context_object_name = "project"

    def get_queryset(self):
        return Project.objects.published().for_listing().with_releases()
