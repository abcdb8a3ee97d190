"""Keep projects and releases in step with the licenses they name.

Projects depend on licenses, never the reverse (DESIGN.md), so the licenses app
cannot call into this one when a license is added, renamed or given new conversion
terms, whether in the admin, by ``sync_spdx`` or an import. A post-save receiver is
the one place this app hears of it; the work itself is done by the services
``license_link_projects`` and ``releases_refresh_conversions``.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from licenses.models import License
from projects.services import license_link_projects, releases_refresh_conversions


@receiver(post_save, sender=License, dispatch_uid="projects.refresh_conversions")
def refresh_conversions(sender, instance, raw=False, **kwargs):
    if raw:  # loading fixtures: the releases come with their own dates
        return
    license_link_projects(license_=instance)
    releases_refresh_conversions(license_=instance)
