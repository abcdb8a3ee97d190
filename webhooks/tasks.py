"""The webhooks' background tasks (Django's tasks framework; see docs/deploy.md)."""

from django.tasks import task


@task()
def deliver(
    delivery_id: int, attempts: int | None = None, series: int | None = None
) -> None:
    """Send one delivery's next attempt (a retry queues this task again, to run
    after its delay). ``attempts`` and ``series``: the delivery's count of
    attempts and its series when this task was queued; a task that finds
    others is out of date (another worker made the attempt, or a redelivery
    started a new series) and sends nothing."""
    from webhooks.services import delivery_attempt

    delivery_attempt(delivery_id=delivery_id, attempts=attempts, series=series)


@task()
def sync_content(project_ids: list[int], license_ids: list[int]) -> int:
    """Announce what changed for the public in these projects and licenses."""
    from webhooks.events import content_sync

    return content_sync(project_ids=project_ids, license_ids=license_ids)


@task()
def announce(full: bool = True) -> int:
    """The periodic run: every project and license compared with what was
    announced (scheduled moments that passed), then the conversions due."""
    from webhooks.events import announce_conversions, content_sync

    return content_sync(full=full) + announce_conversions()
