"""The site layer's pages: the philosophy page (published sections with their
published statements, and the licenses in use with their projects), the site's
search, and the files crawlers and browsers ask for at the site's root:
robots.txt and favicon.ico."""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from licenses.models import License
from licenses.usage import with_first_projects
from portal.forms import SearchForm
from portal.models import Section, Statement
from portal.publishing.previews import PreviewableMixin
from portal.search import search_site
from projects.models import Project

# Projects listed under each license on the philosophy page; a link leads to the
# directory for the others.
PROJECTS_PER_LICENSE = 8


def published_sections(at=None, *, preview=None):
    """Published sections, each with its published statements, in page order
    (and the previewed section or statement, see ``portal.publishing.previews``)."""
    return Section.objects.published(at, preview=preview).prefetch_related(
        Prefetch(
            "statements",
            queryset=Statement.objects.published(at, preview=preview).order_by(
                "position", "id"
            ),
            to_attr="public_statements",
        )
    )


def licenses_in_use(*, at=None, per_license: int = PROJECTS_PER_LICENSE):
    """Published licenses in their order, each with ``project_count`` and the
    first ``per_license`` published projects as ``listed_projects``. Two queries
    (``licenses.usage.with_first_projects``), run only if a page shows them."""
    return with_first_projects(
        License.objects.published(at),
        # Only what the list shows: the window over every project under a
        # license then moves no descriptions around.
        Project.objects.published(at).only("name", "slug", "featured", "position"),
        limit=per_license,
        at=at,
    )


class HomeView(PreviewableMixin, TemplateView):
    """The philosophy page; also the admin's preview of a section or statement.

    A section marked ``shows_licenses`` lists the licenses in use after its
    statements."""

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = published_sections(preview=self.preview_item)
        context["licenses_in_use"] = licenses_in_use()
        return context


class SearchView(TemplateView):
    """``/search/?q=``: projects, licenses and statements, grouped by kind."""

    template_name = "portal/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None)
        context["form"] = form
        if form.is_valid() and form.cleaned_data["q"]:
            context["results"] = search_site(form.cleaned_data["q"])
        return context


@require_safe
def robots_txt(request):
    """Crawlers may read every public page; the sitemap lists them."""
    text = render_to_string(
        "portal/robots.txt",
        {"sitemap_url": request.build_absolute_uri(reverse("sitemap"))},
    )
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request):
    """Browsers and feed readers that ask for ``/favicon.ico`` get the SVG icon
    (pages link it themselves), instead of a 404 in the log."""
    return redirect(static("portal/favicon.svg"))
