from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from portal import caching

        # Every write to public content changes the content version that HTTP
        # caching (ETag, Last-Modified, the page cache) is keyed on.
        caching.connect_signals()
