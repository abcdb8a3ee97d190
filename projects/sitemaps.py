"""The sitemap of the published project pages."""

from django.contrib.sitemaps import Sitemap

from projects.models import Project


class ProjectSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Project.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, project):
        return project.updated_at
