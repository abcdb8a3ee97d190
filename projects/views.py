"""The public project directory, project pages and badges, and the conversions."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.generic import DetailView, ListView, TemplateView

from licenses.expressions import osi_lookup
from portal.http.caching import remembered
from portal.http.canonical import CanonicalQueryMixin
from portal.publishing.previews import PreviewableMixin
from portal.text.json_ld import NonceFreeETagMixin
from projects import badges
from projects.feeds import conversion_events
from projects.filters import ProjectDirectoryFilter
from projects.license_headers import license_parameters
from projects.models import (
    CARD_COLUMNS,
    Project,
    Release,
    directory_page_rows,
    directory_projects,
    project_facts,
    project_relations,
    with_card_values,
)
from projects.structured_data import software_source_code
from projects.timeline import conversions_timeline, project_timeline


class ProjectListView(CanonicalQueryMixin, ListView):
    template_name = "projects/project_list.html"
    context_object_name = "projects"
    paginate_by = 20

    def get_queryset(self):
        query = self.request.GET
        # Without any filter in the address (a page number, a tracking
        # parameter...), the filters stay unbound: their form is not built.
        filtering = any(name in query for name in ProjectDirectoryFilter.base_filters)
        self.filterset = ProjectDirectoryFilter(
            query if filtering else None,
            queryset=directory_projects(),
            request=self.request,
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            # An unknown filter value shows the form's message and no results.
            return Project.objects.none()
        self.filterset.show_facet_counts()
        # Plain values, not model instances: the cards need a few columns
        # (see paginate_queryset for their relations).
        return self.filterset.qs.values(*CARD_COLUMNS)

    def paginate_queryset(self, queryset, page_size):
        # A malformed or out-of-range ?page= shows the first or last page instead
        # of a 404: a reader following an old link still gets a list.
        paginator = self.get_paginator(queryset, page_size)
        if not self.filterset.has_errors():
            # Like the facet counts: the same for every page of these filters.
            paginator.count = remembered(
                self.request,
                f"projects:count:{self.filterset.facet_key()}",
                queryset.count,
                local=True,
            )
        page = paginator.get_page(self.request.GET.get("page"))
        if self.filterset.is_bound:
            rows = list(page.object_list)
        elif paginator.count:
            # Without filters, the directory's pages read by SQL kept per
            # process: building it cost more than running it.
            rows = directory_page_rows(page.start_index() - 1, page.end_index())
        else:
            rows = []
        page.object_list = with_card_values(rows)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["filter_errors"] = self.filterset.has_errors()
        # The filter form (choices, counts, the reader's values) is the same for
        # everyone with the same filters until the content changes: rendered
        # once per version and filter values, whatever the page or other
        # parameters, and kept by the process too.
        context["filter_form"] = mark_safe(  # noqa: S308 (the template's HTML)
            remembered(
                self.request,
                f"projects:filter-form:{self.filterset.form_key()}",
                lambda: render_to_string(
                    "projects/_directory_filters.html",
                    {"filter": self.filterset},
                    request=self.request,
                ),
                local=True,
            )
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class ProjectDetailView(PreviewableMixin, NonceFreeETagMixin, DetailView):
    """One project; also the admin's preview of a project or a release."""

    template_name = "projects/project_detail.html"
    context_object_name = "project"

    def get_queryset(self):
        # Its licenses and languages are read as plain values, in one query
        # (``project_relations``), not prefetched as model instances.
        return (
            Project.objects.published(preview=self.preview_item)
            .select_related("category")
            .with_releases(preview=self.preview_item)
            .with_history()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.object
        licenses, languages = project_relations(project.pk)
        context["facts"] = project_facts(
            license_expression=project.license_expression,
            licenses=licenses,
            category=project.category.name if project.category else None,
            languages=languages,
            status=project.status,
        )
        today = timezone.localdate()
        osi_approved = osi_lookup(
            flags={
                license_["spdx_id"]: license_["osi_approved"] for license_ in licenses
            }
        )
        releases = project.public_releases
        for release in releases:
            release.open_source_today = release.is_open_source(
                today, osi_approved=osi_approved
            )
        context["open_source_count"] = sum(r.open_source_today for r in releases)
        context["timeline"] = project_timeline(
            project, releases, today=today, osi_approved=osi_approved
        )
        upcoming = [r.converts_on for r in releases if r.converts_on]
        context["next_conversion"] = min(
            (day for day in upcoming if day > today), default=None
        )
        badge_url = self.request.build_absolute_uri(
            reverse("projects:badge", kwargs={"slug": project.slug})
        )
        context["badge_snippets"] = badges.embed_snippets(
            name=project.name,
            badge_url=badge_url,
            page_url=self.request.build_absolute_uri(project.get_absolute_url()),
        )
        context["structured_data"] = software_source_code(
            project,
            licenses=licenses,
            languages=languages,
            absolute=self.request.build_absolute_uri,
        )
        return context


@cache_control(public=True, max_age=3600)
def project_badge(request, slug):
    """``/projects/<slug>/badge.svg``: the project's license, and what converts
    next. Cached an hour: it is embedded in pages we do not control."""
    project = get_object_or_404(Project.objects.published(), slug=slug)
    next_conversion = (
        Release.objects.published()
        .conversions()
        .filter(project=project, converts_on__gt=timezone.localdate())
        .first()
    )
    badge = badges.license_badge(project, next_conversion)
    # Rendered without the request: the site's context processors are for pages.
    svg = render_to_string("projects/badge.svg", {"badge": badge})
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


def release_license_parameters(request, slug, version):
    """``/projects/<slug>/releases/<version>/license-parameters.txt``: the
    release's BUSL "Parameters" block or FSL notice, for its LICENSE file."""
    release = get_object_or_404(
        Release.objects.published().select_related("project"),
        project__slug=slug,
        version=version,
    )
    text = license_parameters(release)
    if text is None:
        raise Http404(
            _("%(version)s is not under a source-available license.")
            % {"version": release.version}
        )
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


# Projects suggested under the conversions' project field: those with a
# converting release, by name. Typing narrows them in the browser.
PROJECT_SUGGESTIONS = 200


class ConversionListView(CanonicalQueryMixin, TemplateView):
    """``/conversions/``: releases by the day they become open source."""

    template_name = "projects/conversion_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = conversion_events(
            self.request.GET, today=timezone.localdate(), request=self.request
        )
        context["events"] = events
        context["timeline"] = conversions_timeline(
            events.upcoming, today=timezone.localdate()
        )
        context["filter"] = events.filterset
        context["project_suggestions"] = (
            Project.objects.published()
            .filter(pk__in=Release.objects.published().conversions().values("project"))
            .order_by("name")
            .values("slug", "name")[:PROJECT_SUGGESTIONS]
        )
        query = events.query_string()
        context["feed_query"] = f"?{query}" if query else ""
        return context
