"""The sitemap's pages that are not records: the philosophy page and the lists.

Named by URL name only, so the portal core needs no import of the other apps;
``portal/urls.py`` puts these together with the licenses' and projects' sitemaps.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

PAGES = {
    "portal:home": 1.0,
    "licenses:list": 0.8,
    "projects:list": 0.8,
    "conversions:list": 0.6,
    "licenses:compare": 0.4,
}


class PageSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return list(PAGES)

    def location(self, name):
        return reverse(name)

    def priority(self, name):
        return PAGES[name]
