"""The portal's admin site: Django's, plus the site-wide views editors use.

It is ``admin.site`` (see ``PortalAdminConfig``), so every ``@admin.register`` and
``admin.site.urls`` keep working unchanged.
"""

from django.contrib import admin
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import path
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.admin.dashboard import dashboard, dashboard_counts
from portal.text.markdown import render_markdown

# Longer than any field an editor writes; the preview refuses more rather than
# render megabytes.
MAX_PREVIEW_LENGTH = 100_000


class PortalAdminSite(admin.AdminSite):
    def each_context(self, request):
        context = super().each_context(request)
        if request.user.is_active and request.user.is_staff:
            # Lazy: counted only where a page shows them (the header).
            context["editorial_counts"] = SimpleLazyObject(
                lambda: dashboard_counts(self, request)
            )
        return context

    def index(self, request, extra_context=None):
        lists = dashboard(self, request)
        return super().index(
            request,
            {
                "dashboard": lists,
                "dashboard_reviewer": lists["review"] is not None,
                **(extra_context or {}),
            },
        )

    def get_urls(self):
        return [
            path(
                "markdown-preview/",
                # admin_view: staff only (others are sent to the login page),
                # CSRF-protected, never cached.
                self.admin_view(markdown_preview),
                name="markdown_preview",
            ),
            *super().get_urls(),
        ]


@require_POST
def markdown_preview(request):
    """``POST text=...``: the HTML the site would show for this Markdown, from the
    same sanitising renderer (``portal.text.markdown.render_markdown``), as
    ``{"html": ...}``."""
    text = request.POST.get("text", "")
    if len(text) > MAX_PREVIEW_LENGTH:
        return HttpResponseBadRequest(_("The text is too long to preview."))
    return JsonResponse({"html": render_markdown(text)})
