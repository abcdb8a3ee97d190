"""The site layer's pages: the philosophy page (published sections with their
published statements, and the licenses in use with their projects), the site's
search, and the files crawlers and browsers ask for at the site's root:
robots.txt and favicon.ico."""

from collections import Counter

from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from licenses.expressions import check_expression
from licenses.models import License
from portal.brand import accent_stylesheet
from portal.forms import SearchForm
from portal.http.caching import remembered
from portal.models import Section, SiteSettings, Statement
from portal.publishing.previews import PreviewableMixin
from portal.search import search_site
from projects.models import LicenseUsage, Project, Release

# Projects listed under each license on the philosophy page (as many as each
# license's usage keeps); a link leads to the directory for the others.
PROJECTS_PER_LICENSE = LicenseUsage.KEPT_FIRST


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


def licenses_in_use(*, at=None) -> list[License]:
    """The published licenses in use, in their order: those a published project
    is under or turns into (a change license), and the default license. Each
    has ``project_count`` (its published projects), ``converting_count`` (the
    published projects whose published releases turn into it) and the first
    ``PROJECTS_PER_LICENSE`` of its projects (featured first) as
    ``listed_projects``.

    Read without going through the catalogue: each license's usage
    (``projects.models.LicenseUsage``, kept when projects change) holds the
    count and the first ids of its published projects without a schedule, and
    the count of those turning into it (none of whose releases has a schedule
    either); the published projects with one, few, are read here, so that the
    answer at ``at`` is exact. Four queries: the licenses with their usage, the
    scheduled projects and their licenses, the conversions of the projects
    with a schedule (or a release with one) per change license, and the listed
    projects (a window over the candidates only: the kept ids and the
    scheduled projects)."""
    # In their position, then as they were added (what the page showed when
    # its counts were an aggregate, which Django does not order by
    # ``Meta.ordering``).
    licenses = list(
        License.objects.published(at).select_related("usage").order_by("position", "pk")
    )
    # (project, license) of each published project with a schedule.
    scheduled = list(
        Project.objects.published(at)
        .filter(Q(publish_at__isnull=False) | Q(unpublish_at__isnull=False))
        .filter(licenses__in=[license_.pk for license_ in licenses])
        .values_list("pk", "licenses")
    )
    scheduled_counts = Counter(license_id for _pk, license_id in scheduled)
    candidates = {pk for pk, _license_id in scheduled}
    for license_ in licenses:
        usage = getattr(license_, "usage", None)
        candidates.update(usage.first_unscheduled if usage else ())
        license_.project_count = (
            usage.unscheduled_count if usage else 0
        ) + scheduled_counts[license_.pk]
    # The projects with a release that turns into each license: kept in the
    # usage for the projects whose view no passing time changes; those with a
    # schedule, or a release with one (few), read here. A release's
    # ``converts_to`` is an expression, parsed once per distinct expression.
    by_id = {license_.spdx_id.lower(): license_.pk for license_ in licenses}
    converting_projects: dict[int, set] = {}
    parsed = {}
    for project_pk, expression in (
        Release.objects.published(at)
        .filter(project__in=Project.objects.published(at).timed().values("pk"))
        .exclude(converts_to="")
        .order_by()
        .values_list("project", "converts_to")
        .distinct()
    ):
        if expression not in parsed:
            parsed[expression] = check_expression(expression).license_ids
        for spdx_id in parsed[expression]:
            if spdx_id.lower() in by_id:
                converting_projects.setdefault(by_id[spdx_id.lower()], set()).add(
                    project_pk
                )
    converting = {}
    for license_ in licenses:
        usage = getattr(license_, "usage", None)
        converting[license_.pk] = len(converting_projects.get(license_.pk, ())) + (
            usage.unscheduled_converting_count if usage else 0
        )
    licenses = [
        license_
        for license_ in licenses
        if license_.project_count or converting.get(license_.pk) or license_.is_default
    ]
    for license_ in licenses:
        license_.converting_count = converting.get(license_.pk, 0)
    listed = (
        Project.objects.published(at)
        .filter(pk__in=candidates)
        # Only what the list shows.
        .only("name", "slug", "featured", "position")
        .order_by(*Project._meta.ordering)
    )
    prefetch_related_objects(
        licenses,
        Prefetch(
            "projects",
            queryset=listed[:PROJECTS_PER_LICENSE],
            to_attr="listed_projects",
        ),
    )
    return licenses


class HomeView(PreviewableMixin, TemplateView):
    """The philosophy page; also the admin's preview of a section or statement.

    A section marked ``shows_licenses`` lists the licenses in use after its
    statements."""

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = published_sections(preview=self.preview_item)
        # Called by the template only if a section shows the licenses.
        context["licenses_in_use"] = self.licenses_in_use_html
        return context

    def licenses_in_use_html(self) -> str:
        """The licenses in use, rendered: the same for every reader until the
        content changes (a scheduled moment passing changes the content
        version too), so rendered once per version and language, whatever the
        address, and kept by the process too. A preview, whose transaction
        is rolled back, renders its own."""

        def render():
            return render_to_string(
                "portal/_licenses_in_use.html", {"licenses": licenses_in_use()}
            )

        if self.preview is not None:
            return mark_safe(render())  # noqa: S308 (the template's HTML)
        return mark_safe(  # noqa: S308 (the template's HTML)
            remembered(
                self.request,
                f"portal:licenses-in-use:{get_language()}",
                render,
                local=True,
            )
        )


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
def contact(request):
    """``/contact/``: the contact address of the site settings, so text can link
    to it ("reach out to us") without naming it. 404 while none is set."""
    address = SiteSettings.load().contact_email
    if not address:
        raise Http404
    return MailtoRedirect(f"mailto:{address}")


@require_safe
def blog(request):
    """``/blog/``: the blog of the site settings; 404 while none is set."""
    address = SiteSettings.load().blog_url
    if not address:
        raise Http404
    return redirect(address)


class MailtoRedirect(HttpResponseRedirect):
    allowed_schemes = ["mailto"]


@require_safe
@cache_control(public=True, max_age=86400)
def brand_css(request):
    """``/brand.css``: the accent colour of the site settings, as the custom
    properties site.css reads, for both schemes. Pages link it with the colour
    in the address, so a new colour is a new address: cached a day."""
    colour = SiteSettings.load().accent_color
    css = accent_stylesheet(colour) if colour else ""
    return HttpResponse(css, content_type="text/css; charset=utf-8")


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
