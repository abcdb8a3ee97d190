from django.utils.functional import SimpleLazyObject

from portal.http.caching import remembered
from portal.models import SiteSettings


def site_settings(request):
    """The organisation's name and footer, for every page, read when a template
    first uses them: once per content version on the public site (saving the
    settings makes a new one), afresh where no content version is at hand (the
    admin and its previews, which the HTTP caching leaves alone)."""

    def load():
        if getattr(request, "content_version", None) is None:
            return SiteSettings.load()
        return remembered(
            request, "portal:site-settings", SiteSettings.load, local=True
        )

    return {"site": SimpleLazyObject(load)}
