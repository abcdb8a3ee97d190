"""The root URL map: the site, the admin and the API of every app."""

from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path, re_path

from licenses.sitemaps import LicenseSitemap
from licenses.urls import license_patterns
from portal import views
from portal.api import schema_views
from portal.api.errors import api_not_found
from portal.feeds import StatementFeed
from portal.http import health
from portal.router import router
from portal.sitemaps import PageSitemap
from projects.models import Project
from projects.sbom import sbom_patterns
from projects.sitemaps import ProjectSitemap
from projects.urls import conversion_patterns

SITEMAPS = {
    "pages": PageSitemap,
    "licenses": LicenseSitemap,
    "projects": ProjectSitemap,
}

site_patterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("contact/", views.contact, name="contact"),
    path("blog/", views.blog, name="blog"),
    path("brand.css", views.brand_css, name="brand-css"),
    path("statements/feed.atom", StatementFeed(), name="statement-feed"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include((site_patterns, "portal"))),
    path("robots.txt", views.robots_txt, name="robots"),
    # An index of small parts (portal/publishing/sitemaps.py), so that no
    # answer grows with the catalogue.
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "licenses/",
        include((license_patterns(project_model=Project), "licenses")),
    ),
    path("projects/", include("projects.urls")),
    path("conversions/", include((conversion_patterns, "conversions"))),
    path("admin/", admin.site.urls),
    path("api/v1/sbom/", include(sbom_patterns)),
    path("api/v1/", include(router.urls)),
    # drf-spectacular's views, loaded by their first request (see schema_views).
    path("api/schema/", schema_views.schema, name="api-schema"),
    path("api/docs/", schema_views.docs, name="api-docs"),
    # Last: any other address under /api/ is a JSON 404, not the site's page.
    re_path(r"^api/", api_not_found, name="api-not-found"),
]

# Django's error views: under /api/ in the API's error format, the site's pages
# elsewhere.
handler400 = "portal.api.errors.bad_request"
handler403 = "portal.api.errors.permission_denied"
handler404 = "portal.api.errors.page_not_found"
handler500 = "portal.api.errors.server_error"
