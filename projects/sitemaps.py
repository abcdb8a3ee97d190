"""The sitemap of the published project pages."""

from portal.publishing.sitemaps import PublishedSitemap
from projects.models import Project


class ProjectSitemap(PublishedSitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Project.objects.published().only("slug", "updated_at").order_by("pk")
