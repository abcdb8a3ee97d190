"""Keep each license's usage (``LicenseUsage``) in step with its projects.

The usage is derived data, like the content version (``portal.http.caching``):
any write that changes a project's state, schedule, place in the directory's
order or licenses changes it, whatever door it came through (the write
services, the admin's publish actions, which save the state alone, a delete, a
revert). These receivers are the one place that hears every such write; the
work is done by ``projects.services.license_usage_refresh``.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from projects.models import Project
from projects.services import license_usage_refresh


@receiver(post_save, sender=Project, dispatch_uid="projects.usage_on_save")
def project_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    license_usage_refresh(license_ids=instance.licenses.values_list("pk", flat=True))


@receiver(pre_delete, sender=Project, dispatch_uid="projects.usage_before_delete")
def project_deleting(sender, instance, **kwargs):
    # Its links are gone by post_delete: note its licenses now.
    instance.usage_license_ids = list(instance.licenses.values_list("pk", flat=True))


@receiver(post_delete, sender=Project, dispatch_uid="projects.usage_on_delete")
def project_deleted(sender, instance, **kwargs):
    license_usage_refresh(license_ids=getattr(instance, "usage_license_ids", ()))


@receiver(
    m2m_changed, sender=Project.licenses.through, dispatch_uid="projects.usage_links"
)
def project_licenses_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear":
        # A clear names no licenses: note them while the links exist.
        instance.usage_cleared_ids = (
            [instance.pk]
            if reverse
            else list(instance.licenses.values_list("pk", flat=True))
        )
    elif action in ("post_add", "post_remove"):
        license_usage_refresh(license_ids=[instance.pk] if reverse else pk_set)
    elif action == "post_clear":
        license_usage_refresh(license_ids=getattr(instance, "usage_cleared_ids", ()))
