"""``manage.py load_demo``: create or update the demo content; safe to run again."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo content (the example organisation's page, licenses, projects "
        "and releases). Idempotent: a second run changes nothing."
    )

    def handle(self, *args, **options):
        try:
            summary = load_demo()
        except ValidationError as error:
            # A demo row an editor changed so that the demo no longer fits (e.g. a
            # renamed SPDX id): nothing was written, the transaction rolled back.
            raise CommandError(f"The demo content does not validate: {error}") from None
        for line in summary.lines():
            self.stdout.write(f"  {line}")
        if summary.changed:
            self.stdout.write(self.style.SUCCESS("Demo content loaded."))
        else:
            self.stdout.write("Demo content already up to date: nothing changed.")
