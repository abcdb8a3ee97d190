"""``/statements/feed.atom``: the philosophy's statements as an Atom feed.

Published statements (of published sections), the most recently updated first,
each linking to its place on the philosophy page.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from portal.models import SiteSettings, Statement
from portal.text.hygiene import XmlSafeAtom1Feed

STATEMENT_FEED_LIMIT = 50


class StatementFeed(Feed):
    feed_type = XmlSafeAtom1Feed

    def get_object(self, request, *args, **kwargs):
        return SiteSettings.load()

    def title(self, site):
        return _("%(name)s: our open-source philosophy") % {
            "name": site.organisation_name
        }

    def subtitle(self, site):
        return _("What we believe about open source, statement by statement.")

    def link(self):
        return reverse("portal:home")

    def feed_url(self):
        return reverse("portal:statement-feed")

    def author_name(self, site):
        return site.organisation_name

    def items(self):
        return (
            Statement.objects.published()
            .select_related("section")
            .order_by("-updated_at", "pk")[:STATEMENT_FEED_LIMIT]
        )

    def item_title(self, statement):
        if statement.title:
            return statement.title
        return Truncator(" ".join(statement.body.split())).words(12)

    def item_description(self, statement):
        return statement.body_html

    def item_link(self, statement):
        return statement.get_anchor_url()

    def item_pubdate(self, statement):
        return statement.created_at

    def item_updateddate(self, statement):
        return statement.updated_at

    def item_categories(self, statement):
        return [statement.section.title, str(statement.get_kind_display())]
