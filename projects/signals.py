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


UNKNOWN = object()


def counts_nothing(release, values) -> bool:
    """Whether a release with these values (``Release.kept_as_loaded``: what it
    turns into, its schedule) is outside every count of projects turning into a
    license: it turns into nothing, so it is never counted, and it has no
    schedule, so it does not make its project's count one read live."""
    return all(
        values.get(name, UNKNOWN) in ("", None) for name in release.kept_as_loaded
    )


def release_may_change_conversions(release, *, created: bool) -> bool:
    """Whether a write of ``release`` can change a count: unless the release
    counts nothing both as written and as it was (nothing, when created).
    Unknown values (a release not read from the database) may."""
    now = {name: release.__dict__.get(name, UNKNOWN) for name in release.kept_as_loaded}
    before = (
        {}
        if created
        else {
            name: release.loaded_value(name, UNKNOWN) for name in release.kept_as_loaded
        }
    )
    return not (
        counts_nothing(release, now) and (created or counts_nothing(release, before))
    )


@receiver(post_save, sender=Release, dispatch_uid="projects.usage_on_release_save")
@receiver(post_delete, sender=Release, dispatch_uid="projects.usage_on_release_delete")
def release_changed(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    if release_may_change_conversions(instance, created=created):
        license_conversions_refresh()
    instance.keep_as_loaded()


@receiver(post_save, sender=License, dispatch_uid="projects.usage_on_license_save")
def license_saved(sender, instance, raw=False, created=False, **kwargs):
    """A license's count changes only when its id does, or when a new one is
    named by releases already (they may turn into it before it exists)."""
    if raw:
        return
    before = None if created else instance.loaded_value("spdx_id", UNKNOWN)
    if before != instance.spdx_id and (
        not created
        or Release.objects.filter(converts_to__icontains=instance.spdx_id).exists()
    ):
        license_conversions_refresh()
    instance.keep_as_loaded()


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
