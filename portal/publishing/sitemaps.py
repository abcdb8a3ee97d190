"""The sitemap of a publishable model's public pages, in parts that stay small
whatever the catalogue's size.

``/sitemap.xml`` is an index (Django's ``sitemaps.views.index``) naming one part
per ``PART_SIZE`` pages of each section; a part costs two queries (its count and
its page) and the index two per section (its count and its latest change).
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max

# Pages per part of a sitemap: a part answers in tens of milliseconds, and
# 100,000 projects make 100 parts (search engines accept 50,000 a part).
PART_SIZE = 1_000


class PublishedSitemap(Sitemap):
    """Base of the sitemaps of records: ``items()`` returns a ``published()``
    queryset in a stable order; each page's last change is its ``updated_at``."""

    limit = PART_SIZE

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item of every part: one
        # aggregate instead.
        return self.items().order_by().aggregate(latest=Max("updated_at"))["latest"]
