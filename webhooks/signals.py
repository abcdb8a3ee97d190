"""After a write to public content commits, look at what it touched again.

Every door's write (the services, the admin's actions, which save the state
alone, a revert, a delete) sends ``post_save``/``post_delete``/``m2m_changed``:
these receivers note the projects and licenses concerned, and once the
transaction commits one ``sync_content`` task compares them with what was
announced (``webhooks.events``). The work, and any event, happens in that task,
never in the request. Nothing is queued while no subscription exists.

The bulk import's inserts send no ``post_save``: the import says which projects
it created (``projects.imports.catalogue_imported``). Not heard here, and caught
by the periodic ``announce_conversions`` run instead: other writes that send no
signal (the import's new releases and links, ``update()``), renamed
categories and languages, and scheduled moments that pass without a write.
"""

from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from licenses.models import License
from portal.publishing.transactions import gathered
from projects.imports import catalogue_imported
from projects.models import LicenseChange, Project, Release


class PendingSync:
    """The projects and licenses one transaction touched."""

    def __init__(self):
        self.project_ids: set[int] = set()
        self.license_ids: set[int] = set()

    def run(self) -> None:
        from webhooks.models import Subscription
        from webhooks.tasks import sync_content

        if Subscription.objects.exists():
            sync_content.enqueue(sorted(self.project_ids), sorted(self.license_ids))


def _note(using, *, project_ids=(), license_ids=()) -> None:
    """Add to the current transaction's pending sync (one per transaction,
    queued when it commits; at once outside a transaction)."""
    pending = gathered("webhooks.sync", PendingSync, using=using)
    now = pending is None
    if now:
        pending = PendingSync()
    pending.project_ids.update(project_ids)
    pending.license_ids.update(license_ids)
    if now:
        pending.run()


def _touched(instance, using):
    if isinstance(instance, Project):
        _note(using, project_ids=[instance.pk])
    elif isinstance(instance, Release | LicenseChange):
        _note(using, project_ids=[instance.project_id])
    elif isinstance(instance, License):
        # Its projects, which list the public licenses they name, are looked up
        # by the task (no query here).
        _note(using, license_ids=[instance.pk])


@receiver(post_save, dispatch_uid="webhooks.saved")
@receiver(post_delete, dispatch_uid="webhooks.deleted")
def content_written(sender, instance, using=DEFAULT_DB_ALIAS, raw=False, **kwargs):
    if raw or sender not in (Project, Release, LicenseChange, License):
        return
    _touched(instance, using)


@receiver(m2m_changed, dispatch_uid="webhooks.links")
def links_changed(sender, instance, action, using=DEFAULT_DB_ALIAS, **kwargs):
    if action.startswith("post_") and sender in (
        Project.licenses.through,
        Project.languages.through,
    ):
        _touched(instance, using)


@receiver(catalogue_imported, dispatch_uid="webhooks.imported")
def projects_imported(sender, project_ids, using=DEFAULT_DB_ALIAS, **kwargs):
    _note(using, project_ids=project_ids)
