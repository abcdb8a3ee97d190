"""Queue the periodic webhook run: conversions due, scheduled moments passed.

Run it from cron or a systemd timer, daily at least (conversions are announced
on their day), more often to announce scheduled publishing close to its time
(every run is idempotent): see docs/deploy.md. ``--now`` runs it in this process
instead of queueing it for ``db_worker``.
"""

from django.core.management.base import BaseCommand

from webhooks.events import announce_conversions, content_sync
from webhooks.tasks import announce


class Command(BaseCommand):
    help = (
        "Queue the announcement of today's conversions and of scheduled publishing "
        "that took effect (webhooks); idempotent, run it at least daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            action="store_true",
            help="Run here and now instead of queueing the task for db_worker.",
        )

    def handle(self, *args, now=False, **options):
        if now:
            queued = content_sync(full=True) + announce_conversions()
            self.stdout.write(f"{queued} webhook deliveries queued.")
        else:
            result = announce.enqueue()
            self.stdout.write(f"Queued the webhook announcements (task {result.id}).")
