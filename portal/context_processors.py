from portal.models import SiteSettings


def site_settings(request):
    """The organisation's name and footer, for every page (one cached query)."""
    return {"site": SiteSettings.load()}
