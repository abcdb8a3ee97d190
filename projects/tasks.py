"""The projects app's background tasks (Django's tasks framework; run by
``manage.py db_worker``)."""

from django.tasks import task

from projects.import_jobs import import_job_run


@task
def run_import_job(*, job_id: int) -> None:
    """Run a queued catalogue import (projects.import_jobs)."""
    import_job_run(job_id=job_id)
