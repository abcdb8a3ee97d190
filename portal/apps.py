import logging

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        # ``portal.admin`` is the admin kit the apps build on, so the admin's
        # autodiscovery finds no ModelAdmin there: the philosophy content's and
        # the API tokens' admins are registered here.
        from portal import philosophy_admin  # noqa: F401
        from portal.api import token_admin  # noqa: F401
        from portal.http import caching, checks  # noqa: F401 - registers the checks

        # Every write to public content changes the content version that HTTP
        # caching (ETag, Last-Modified, the page cache) is keyed on.
        caching.connect_signals()

        # Notifications of the workflow and the "published content changed"
        # signal follow every save of publishable content.
        from portal.publishing import notifications

        notifications.connect_signals()

        # Python's warnings become log records (``py.warnings``), formatted like
        # every other line (JSON in production) instead of printed as text.
        logging.captureWarnings(True)


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin (``django.contrib.admin``), with
    :class:`portal.admin.site.PortalAdminSite` as ``admin.site``: the site-wide
    admin views of the portal. Named in ``INSTALLED_APPS`` instead of Django's."""

    # Not the configuration of the ``portal`` app itself: that is PortalConfig.
    default = False
    default_site = "portal.admin.site.PortalAdminSite"
