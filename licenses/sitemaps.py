"""The sitemap of the published license pages."""

from django.contrib.sitemaps import Sitemap

from licenses.models import License


class LicenseSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return License.objects.published().only("spdx_id", "updated_at")

    def lastmod(self, license_):
        return license_.updated_at
