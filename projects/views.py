"""The public project directory, project pages and badges, and the conversions."""

from functools import lru_cache

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.generic import DetailView, ListView, TemplateView
from license_expression import OR, LicenseSymbol, LicenseWithExceptionSymbol, Licensing

from licenses import spdx
from projects import badges
from projects.feeds import conversion_events
from projects.filters import ProjectFilter
from projects.models import Project, Release


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


@lru_cache(maxsize=1024)
def _parsed_expression(expression: str):
    # Stored expressions are already validated and normalised: a plain parser,
    # which accepts any id, is enough to see their structure.
    return Licensing().parse(expression)


def expression_is_open_source(expression: str, osi_approved) -> bool:
    """Whether code under ``expression`` is open source today.

    It is when what a user must accept is OSI approved: one alternative of an
    OR is enough, every part of an AND is needed, an exception (WITH) only adds
    permissions. ``osi_approved(spdx_id)`` gives the flag of one license.
    """
    try:
        tree = _parsed_expression(expression)
    except Exception:
        return False
    return tree is not None and _is_open(tree, osi_approved)


def _is_open(node, osi_approved) -> bool:
    if isinstance(node, LicenseWithExceptionSymbol):
        return osi_approved(node.license_symbol.key)
    if isinstance(node, LicenseSymbol):
        return osi_approved(node.key)
    parts = [_is_open(arg, osi_approved) for arg in node.args]
    return any(parts) if isinstance(node, OR) else all(parts)


def osi_flags(licenses):
    """``osi_approved(spdx_id)``: the portal's record when the project names the
    license, else the SPDX list (which the portal's flag is copied from)."""
    known = {license_.spdx_id.lower(): license_.osi_approved for license_ in licenses}

    def osi_approved(spdx_id: str) -> bool:
        if spdx_id.lower() in known:
            return known[spdx_id.lower()]
        entry = spdx.lookup(spdx_id)
        return bool(entry and entry.osi_approved)

    return osi_approved


def release_is_open_source(release, *, today, osi_approved) -> bool:
    """Whether ``release`` is open source on ``today``: converted already, or
    released under an open-source expression.

    Not ``Release.is_open_source()``: for a release that does not convert, that
    asks the database for the project's licenses once per release, and judges
    an old release by the project's license of today (a BSD-3-Clause release of
    a project now under FSL would count as closed). This uses the release's own
    expression and what the page has already loaded.
    """
    if release.converts_on is not None and release.converts_on <= today:
        return True
    return expression_is_open_source(release.license_expression, osi_approved)


class ProjectDetailView(DetailView):
    template_name = "projects/project_detail.html"
    context_object_name = "project"

    def get_queryset(self):
        return Project.objects.published().for_listing().with_releases().with_history()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.object
        today = timezone.localdate()
        osi_approved = osi_flags(project.public_licenses)
        releases = project.public_releases
        for release in releases:
            release.open_source_today = release_is_open_source(
                release, today=today, osi_approved=osi_approved
            )
        context["open_source_count"] = sum(r.open_source_today for r in releases)
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


class ConversionListView(TemplateView):
    """``/conversions/``: releases by the day they become open source."""

    template_name = "projects/conversion_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = conversion_events(
            self.request.GET, today=timezone.localdate(), request=self.request
        )
        context["events"] = events
        context["filter"] = events.filterset
        query = events.query_string()
        context["feed_query"] = f"?{query}" if query else ""
        return context
