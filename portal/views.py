"""The philosophy page: published sections with their published statements."""

from django.db.models import Prefetch
from django.views.generic import TemplateView

from portal.models import Section, Statement


def published_sections(at=None):
    """Published sections, each with its published statements, in page order."""
    return Section.objects.published(at).prefetch_related(
        Prefetch(
            "statements",
            queryset=Statement.objects.published(at).order_by("position", "id"),
            to_attr="public_statements",
        )
    )


class HomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = published_sections()
        return context
