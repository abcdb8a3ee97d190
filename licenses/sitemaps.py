"""The sitemap of the published license pages."""

from licenses.models import License
from portal.publishing.sitemaps import PublishedSitemap


class LicenseSitemap(PublishedSitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return License.objects.published().only("spdx_id", "updated_at").order_by("pk")
