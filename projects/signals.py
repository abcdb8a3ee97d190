"""Keep releases' stored conversion dates in step with their license's terms.

Projects depend on licenses, never the reverse (DESIGN.md), so the licenses app
cannot call into this one when an editor changes a license's change period or cap.
A post-save receiver is the one place this app hears of it; the work itself is the
service ``releases_refresh_conversions``.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from licenses.models import License
from projects.services import releases_refresh_conversions


@receiver(post_save, sender=License, dispatch_uid="projects.refresh_conversions")
def refresh_conversions(sender, instance, raw=False, **kwargs):
    if raw:  # loading fixtures: the releases come with their own dates
        return
    releases_refresh_conversions(license_=instance)
