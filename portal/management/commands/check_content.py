"""List the stored content that today's text rules would refuse."""

from django.core.management.base import BaseCommand, CommandError

from portal.text.fields import render_stored_markdown
from portal.text.hygiene import CHECKED_MODELS, stored_problems


class Command(BaseCommand):
    help = (
        "List every stored value the text rules refuse (control characters, "
        "line breaks in single-line fields, lengths over the limit, stored HTML "
        "that is not its Markdown's rendering): model, primary key, field, "
        "problem. Exits with status 1 when there is any."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--render",
            action="store_true",
            help=(
                "First render every Markdown field again and store its HTML (after "
                "an upgrade of the renderer, or rows changed outside the models)."
            ),
        )

    def handle(self, *args, render=False, **options):
        if render:
            for model in CHECKED_MODELS:
                count = render_stored_markdown(model)
                if count:
                    self.stderr.write(f"{model._meta.label}: {count} rows rendered.")
        problems = 0
        for problem in stored_problems():
            self.stdout.write(str(problem))
            problems += 1
        if problems:
            counted = (
                "1 stored value breaks"
                if problems == 1
                else f"{problems} stored values break"
            )
            raise CommandError(
                f"{counted} the text rules: correct them in the admin (or the API, "
                "or an import)."
            )
        self.stdout.write("No stored value breaks the text rules.")
