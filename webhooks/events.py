"""What is announced, and when: the public content compared with what was last
announced of it.

Events are not taken from the writes themselves but from what the public can
see, through the one public rule (``published()``): after a write commits, the
items it touched are looked at again (``content_sync``), and the periodic
command looks at everything (``content_sync(full=True)``). Compared with its
``PublicSnapshot``:

* a project that is public now and was not: ``project.published``; one that was
  and is not: ``project.unpublished``; one whose public representation (the
  API's, less ``updated_at`` and ``open_source_today``) changed:
  ``project.updated``;
* a release that is public now and was not: ``release.published`` (its changes
  show in its project's representation, hence in ``project.updated``);
* a public license whose representation changed: ``license.updated``.

So whatever door wrote (the admin's form or actions, the API, the import, a
revert), and also when nothing wrote but time passed (a ``publish_at`` or
``unpublish_at`` moment), the event follows what readers see, once: each
snapshot is changed by a conditional write, and only the writer that changed it
creates the event. A draft, an item in review, a pending change or a preview is
invisible to ``published()`` and so can produce no event.

Conversions (``announce_conversions``): the public releases whose ``converts_on``
has come (in the site's time zone), announced once each (``AnnouncedConversion``
is unique per release and day); a late run announces every conversion due since
the last run.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from licenses.models import License
from licenses.serializers import LicenseSerializer
from projects.models import Project, Release
from projects.serializers import (
    ConversionSerializer,
    ProjectDetailSerializer,
    ReleaseSerializer,
)
from webhooks.models import (
    AnnouncedConversion,
    EventType,
    PublicSnapshot,
    SnapshotKind,
    Watermark,
)
from webhooks.services import event_create

# Fields whose value changes with time or with any save, not with what an editor
# changed: left out of the comparison.
VOLATILE_FIELDS = {"updated_at", "open_source_today"}
CHUNK = 500


class SiteRequest:
    """What the API serializers need of a request outside one: absolute URLs
    on the site's address (``SITE_URL``)."""

    def build_absolute_uri(self, location: str) -> str:
        return settings.SITE_URL + location


def serializer_context() -> dict:
    return {"request": SiteRequest()}


def digest(representation) -> str:
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in VOLATILE_FIELDS}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    text = json.dumps(strip(representation), sort_keys=True, cls=JSONEncoder)
    return hashlib.sha256(text.encode()).hexdigest()


def _watermark() -> Watermark:
    mark = Watermark.objects.select_for_update().filter(pk=1).first()
    if mark is None:
        Watermark.objects.get_or_create(pk=1)
        mark = Watermark.objects.select_for_update().get(pk=1)
    return mark


# -- snapshots -------------------------------------------------------------------


def _appeared(kind, obj_id, *, key, value, parent_id=None) -> bool:
    """Record a newly public item; False if another run recorded it first."""
    try:
        with transaction.atomic():
            PublicSnapshot.objects.create(
                kind=kind,
                object_id=obj_id,
                parent_id=parent_id,
                key=key,
                digest=value,
            )
    except IntegrityError:
        return False
    return True


def _changed(snapshot: PublicSnapshot, value: str) -> bool:
    """Move the snapshot's digest on; False if another run already did."""
    return bool(
        PublicSnapshot.objects.filter(pk=snapshot.pk, digest=snapshot.digest).update(
            digest=value
        )
    )


def _gone(snapshot: PublicSnapshot) -> bool:
    return bool(PublicSnapshot.objects.filter(pk=snapshot.pk).delete()[0])


def _sync_projects(project_ids, at, announce: bool) -> int:
    """Compare these projects (and their releases) with their snapshots."""
    sent = 0
    context = serializer_context()
    # The snapshots first, locked: a concurrent run over the same items waits,
    # then reads the content as it is after this one (never older).
    snapshots = {
        s.object_id: s
        for s in PublicSnapshot.objects.select_for_update().filter(
            kind=SnapshotKind.PROJECT, object_id__in=project_ids
        )
    }
    release_snapshots = {
        s.object_id: s
        for s in PublicSnapshot.objects.select_for_update().filter(
            kind=SnapshotKind.RELEASE, parent_id__in=project_ids
        )
    }
    public = {
        project.pk: project
        for project in Project.objects.published(at)
        .filter(pk__in=project_ids)
        .for_listing(at)
        .with_history()
        .with_releases(at)
    }
    for pk in project_ids:
        project, snapshot = public.get(pk), snapshots.get(pk)
        if project is None:
            if snapshot is not None and _gone(snapshot) and announce:
                sent += event_create(
                    type=EventType.PROJECT_UNPUBLISHED,
                    subject=snapshot.key,
                    data={"slug": snapshot.key},
                )
            continue
        representation = ProjectDetailSerializer(project, context=context).data
        value = digest(representation)
        if snapshot is None:
            if _appeared(SnapshotKind.PROJECT, pk, key=project.slug, value=value):
                sent += announce and event_create(
                    type=EventType.PROJECT_PUBLISHED,
                    subject=project.slug,
                    data=representation,
                )
        elif snapshot.digest != value and _changed(snapshot, value):
            sent += announce and event_create(
                type=EventType.PROJECT_UPDATED,
                subject=project.slug,
                data=representation,
            )
        for release in project.public_releases:
            release_value = digest(ReleaseSerializer(release).data)
            snapshot = release_snapshots.pop(release.pk, None)
            if snapshot is None:
                if _appeared(
                    SnapshotKind.RELEASE,
                    release.pk,
                    key=f"{project.slug}/{release.version}",
                    value=release_value,
                    parent_id=pk,
                ):
                    sent += announce and event_create(
                        type=EventType.RELEASE_PUBLISHED,
                        subject=f"{project.slug} {release.version}",
                        data={
                            "project": project.slug,
                            **ReleaseSerializer(release).data,
                        },
                    )
            elif snapshot.digest != release_value:
                _changed(snapshot, release_value)
    # Releases no longer public (their project's change is announced).
    for snapshot in release_snapshots.values():
        _gone(snapshot)
    return sent


def _sync_licenses(license_ids, at, announce: bool) -> int:
    sent = 0
    context = serializer_context()
    snapshots = {
        s.object_id: s
        for s in PublicSnapshot.objects.select_for_update().filter(
            kind=SnapshotKind.LICENSE, object_id__in=license_ids
        )
    }
    public = {
        license_.pk: license_
        for license_ in License.objects.published(at)
        .filter(pk__in=license_ids)
        .select_related("change_license")
    }
    for pk in license_ids:
        license_, snapshot = public.get(pk), snapshots.get(pk)
        if license_ is None:
            if snapshot is not None:
                _gone(snapshot)
            continue
        representation = LicenseSerializer(license_, context=context).data
        value = digest(representation)
        if snapshot is None:
            _appeared(SnapshotKind.LICENSE, pk, key=license_.spdx_id, value=value)
        elif snapshot.digest != value and _changed(snapshot, value):
            sent += announce and event_create(
                type=EventType.LICENSE_UPDATED,
                subject=license_.spdx_id,
                data=representation,
            )
    return sent


def _chunks(ids):
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def content_sync(*, project_ids=(), license_ids=(), full: bool = False, at=None) -> int:
    """Compare the public content with what was last announced of it, and
    announce the differences (see the module docstring); return how many
    deliveries were queued. ``full``: every project and license (the periodic
    run: scheduled moments that passed since). The very first run records
    what is public without announcing it: it was all there before webhooks."""
    at = at or timezone.now()
    with transaction.atomic():
        mark = _watermark()
        announce = mark.content_baselined_at is not None
        if not announce:
            full = True
            mark.content_baselined_at = at
            mark.save(update_fields=["content_baselined_at"])
    if license_ids and not full:
        # The projects that name these licenses list the public ones.
        project_ids = set(project_ids) | set(
            Project.objects.filter(licenses__in=license_ids).values_list(
                "pk", flat=True
            )
        )
    if full:
        project_ids = set(Project.objects.published(at).values_list("pk", flat=True))
        project_ids |= set(
            PublicSnapshot.objects.filter(kind=SnapshotKind.PROJECT).values_list(
                "object_id", flat=True
            )
        )
        license_ids = set(License.objects.published(at).values_list("pk", flat=True))
        license_ids |= set(
            PublicSnapshot.objects.filter(kind=SnapshotKind.LICENSE).values_list(
                "object_id", flat=True
            )
        )
    sent = 0
    for chunk in _chunks(project_ids):
        with transaction.atomic():
            sent += _sync_projects(chunk, at, announce)
    for chunk in _chunks(license_ids):
        with transaction.atomic():
            sent += _sync_licenses(chunk, at, announce)
    return sent


# -- conversions -----------------------------------------------------------------


def announce_conversions(*, today: datetime.date | None = None) -> int:
    """Announce ``release.converted`` for each public release whose conversion
    day has come and was not announced: those due today on a first run, those
    due from the last run's day on otherwise (that day again: a release
    published after the run that day is announced by the next). Return how
    many deliveries were queued."""
    today = today or timezone.localdate()
    sent = 0
    with transaction.atomic():
        mark = _watermark()
        since = min(mark.conversions_through or today, today)
        due = list(
            Release.objects.published()
            .filter(converts_on__gte=since, converts_on__lte=today)
            .select_related("project")
            .order_by("converts_on", "pk")
        )
        context = serializer_context()
        for release in due:
            try:
                with transaction.atomic():
                    AnnouncedConversion.objects.create(
                        release_id=release.pk, converts_on=release.converts_on
                    )
            except IntegrityError:
                continue  # announced already
            sent += event_create(
                type=EventType.RELEASE_CONVERTED,
                subject=f"{release.project.slug} {release.version}",
                data=ConversionSerializer(release, context=context).data,
            )
        if mark.conversions_through is None or mark.conversions_through < today:
            mark.conversions_through = today
            mark.save(update_fields=["conversions_through"])
    return sent
