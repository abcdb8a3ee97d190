"""Catalogue imports as background jobs: the admin's import page stores the file as
an :class:`~projects.models.ImportJob` and queues a task; a worker
(``manage.py db_worker``) runs it and writes the report. See docs/import-export.md.

Progress while the import runs. A real import is one transaction, so what it
writes is invisible to every other connection until it commits, and so would be
a progress counter written through its own connection. The counters are written
instead through a second connection to the same database, in autocommit, that
touches nothing but the job's row (the import itself never writes that row
while its transaction is open, so the two never wait for each other). On
PostgreSQL every page and every machine sees them at once.

SQLite allows one writer at a time, and the import holds that lock from its
first write until it ends: there the counters cannot be written while it runs,
and the job page shows them when it ends. SQLite is for a local run.
"""

import datetime
import logging
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from portal.publishing.history import acting_as
from projects.imports import (
    IMPORT_PERMISSIONS,
    ImportFileError,
    import_catalogue,
    read_file,
)
from projects.models import ImportJob

logger = logging.getLogger(__name__)

FORMATS = {"csv", "json"}


def max_bytes() -> int:
    return settings.IMPORT_MAX_MB * 1024 * 1024


def import_job_create(
    *, user, file_name: str, content: bytes, fmt: str, dry_run: bool
) -> ImportJob:
    """Store an uploaded file as a job and queue its run (after the commit).

    Raises ``PermissionDenied`` if ``user`` may not import, ``ImportFileError``
    for a file refused before it is read (format, size)."""
    if not user.has_perms(IMPORT_PERMISSIONS):
        raise PermissionDenied
    if fmt not in FORMATS:
        raise ImportFileError("Choose a .csv or .json file.")
    if len(content) > max_bytes():
        raise ImportFileError(
            f"The file is larger than {settings.IMPORT_MAX_MB} MB "
            f"({len(content) / 1024 / 1024:.1f} MB): split it into smaller files."
        )
    import_jobs_prune()
    job = ImportJob.objects.create(
        user=user,
        file_name=file_name[:255],
        format=fmt,
        content=content,
        dry_run=dry_run,
    )
    _enqueue(job)
    return job


def import_job_run_for_real(*, job: ImportJob, user) -> ImportJob:
    """Queue the real import of a dry run's file, as ``user`` (the person who
    asks: their rights are checked now and again when it runs, and the publish
    policy decides each row for them). The file is the one stored; every row is
    validated again."""
    if not user.has_perms(IMPORT_PERMISSIONS):
        raise PermissionDenied
    if not job.dry_run or job.status != ImportJob.Status.DONE:
        raise ImportFileError("Only a finished dry run can be run for real.")
    content = (
        ImportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get()
    )
    real = ImportJob.objects.create(
        user=user,
        source=job,
        file_name=job.file_name,
        format=job.format,
        content=content,
        dry_run=False,
    )
    _enqueue(real)
    return real


def import_job_stalled(job: ImportJob, *, now: datetime.datetime | None = None) -> bool:
    """Whether ``job`` runs without a sign of life for longer than a worker
    would be silent: the worker running it stopped (killed, restarted) and left
    it "running" for ever."""
    if job.status != ImportJob.Status.RUNNING:
        return False
    seconds = settings.IMPORT_STALLED_SECONDS
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        seconds *= 6  # no counters are written while the import runs
    last = job.progress_at or job.started_at or job.created_at
    return (now or timezone.now()) - last > datetime.timedelta(seconds=seconds)


def import_job_queue_again(*, job: ImportJob, user) -> ImportJob:
    """Queue the file of a stalled job again, as ``user``, and mark the stalled
    one failed: an import is all or nothing, so the stopped run wrote nothing,
    and a run that was only slow and still ends finds the rows done (an
    import by slug is idempotent)."""
    if not user.has_perms(IMPORT_PERMISSIONS):
        raise PermissionDenied
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not import_job_stalled(job):
            raise ImportFileError("Only an import that stopped can be queued again.")
        again = ImportJob.objects.create(
            user=user,
            source=job.source,
            file_name=job.file_name,
            format=job.format,
            content=bytes(job.content),
            dry_run=job.dry_run,
        )
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            message=(
                "Stopped without a report: the worker running it showed no "
                f"progress and was stopped. Queued again as import #{again.pk}."
            ),
        )
        _enqueue(again)
    return again


def _enqueue(job: ImportJob) -> None:
    from projects.tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.enqueue(job_id=job.pk))


def import_jobs_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete finished jobs (and their files) older than ``IMPORT_JOBS_KEEP_DAYS``;
    return how many. Called whenever a job is created."""
    cutoff = (now or timezone.now()) - datetime.timedelta(
        days=settings.IMPORT_JOBS_KEEP_DAYS
    )
    deleted, _per_model = ImportJob.objects.filter(
        created_at__lt=cutoff,
        status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED],
    ).delete()
    return deleted


def import_job_run(*, job_id: int) -> None:
    """The worker's part: read the job's file, import it as the job's user,
    store the report. A job already taken (or deleted) is left alone."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(
        pk=job_id, status=ImportJob.Status.QUEUED
    ).update(status=ImportJob.Status.RUNNING, started_at=now, progress_at=now)
    if not claimed:
        return
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    try:
        _run(job)
    except Exception:
        logger.exception("Import job %s failed", job_id)
        _finish(
            job_id,
            status=ImportJob.Status.FAILED,
            message="The import stopped on an unexpected error; nothing was "
            "written. The error is in the worker's log.",
        )
        raise


def _run(job: ImportJob) -> None:
    user = job.user
    if user is None or not user.is_active or not user.has_perms(IMPORT_PERMISSIONS):
        _finish(
            job.pk,
            status=ImportJob.Status.FAILED,
            message="The user who asked for this import may no longer import "
            "projects: nothing was written.",
        )
        return
    content, job.content = bytes(job.content), None
    try:
        rows = read_file(content, job.format)
    except ImportFileError as error:
        _finish(job.pk, status=ImportJob.Status.FAILED, message=str(error))
        return
    del content
    ImportJob.objects.filter(pk=job.pk).update(rows_total=len(rows))
    progress = ProgressWriter(job.pk)
    try:
        with acting_as(user):
            report = import_catalogue(
                rows, fmt=job.format, dry_run=job.dry_run, user=user, progress=progress
            )
    finally:
        progress.close()
    _finish(
        job.pk,
        status=ImportJob.Status.DONE,
        rows_total=report.rows,
        rows_done=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        pending=report.pending,
        error_count=len(report.errors),
        errors=[
            {
                "line": error.line,
                "slug": error.slug,
                "field": error.field,
                "message": error.message,
                "unit": error.unit,
            }
            for error in report.errors
        ],
    )


def _finish(job_id: int, *, status: str, **values) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=status, finished_at=timezone.now(), **values
    )


class ProgressWriter:
    """Writes a running job's counters through a connection of its own, so that
    they are seen while the import's transaction is still open (see the module
    docstring). At most once per ``every`` seconds, and once at the end.
    On SQLite it writes nothing."""

    def __init__(self, job_id: int, *, every: float = 1.0):
        self.job_id = job_id
        self.every = every
        self.last = 0.0
        default = connections[DEFAULT_DB_ALIAS]
        self.connection = (
            None
            if default.vendor == "sqlite"
            else type(default)(dict(default.settings_dict), DEFAULT_DB_ALIAS)
        )

    def __call__(self, done: int, total: int, errors: int) -> None:
        if self.connection is None:
            return
        now = time.monotonic()
        if done != total and now - self.last < self.every:
            return
        self.last = now
        table = self.connection.ops.quote_name(ImportJob._meta.db_table)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET rows_done = %s, error_count = %s, "  # noqa: S608 (our table's name)
                "progress_at = %s WHERE id = %s",
                [done, errors, timezone.now(), self.job_id],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
