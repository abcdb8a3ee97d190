"""Keep each license's usage (``LicenseUsage``) in step with its projects and
their releases.

The usage is derived data, like the content version (``portal.http.caching``):
any write that changes a project's state, schedule, place in the directory's
order or licenses changes it, whatever door it came through (the write
services, the admin's publish actions, which save the state alone, a delete, a
revert); so does any write of a release (its state, schedule or conversion)
for the count of projects turning into each license, and a license's own save
(a new license, a new id: releases may already turn into it). These receivers
are the one place that hears every such write; the work is done by
``projects.services.license_usage_refresh`` and
``projects.services.license_conversions_refresh``.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from licenses.models import License
from projects.models import Project, Release
from projects.services import (
    license_conversions_refresh,
    license_usage_deferred_now,
    license_usage_refresh,
)


def converts(project) -> bool:
    """Whether a release of ``project`` turns into a license: only then can
    the project's state or schedule change what turns into one. Not asked
    within a bulk write (all is refreshed at its end)."""
    return not license_usage_deferred_now() and (
        project.releases.exclude(converts_to="").exists()
    )


@receiver(post_save, sender=Project, dispatch_uid="projects.usage_on_save")
def project_saved(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    license_usage_refresh(license_ids=instance.licenses.values_list("pk", flat=True))
    if not created and converts(instance):
        license_conversions_refresh()


@receiver(pre_delete, sender=Project, dispatch_uid="projects.usage_before_delete")
def project_deleting(sender, instance, **kwargs):
    # Its links and releases are gone by post_delete: note them now.
    instance.usage_license_ids = list(instance.licenses.values_list("pk", flat=True))
    instance.usage_converted = converts(instance)


@receiver(post_delete, sender=Project, dispatch_uid="projects.usage_on_delete")
def project_deleted(sender, instance, **kwargs):
    license_usage_refresh(license_ids=getattr(instance, "usage_license_ids", ()))
    if getattr(instance, "usage_converted", True):
        license_conversions_refresh()


@receiver(post_save, sender=Release, dispatch_uid="projects.usage_on_release_save")
@receiver(post_delete, sender=Release, dispatch_uid="projects.usage_on_release_delete")
def release_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        license_conversions_refresh()


@receiver(post_save, sender=License, dispatch_uid="projects.usage_on_license_save")
def license_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        license_conversions_refresh()


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
