"""Export the whole catalogue, drafts included, as CSV or JSON."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.exports import catalogue_rows, export_csv, export_json


class Command(BaseCommand):
    help = (
        "Export every project (drafts included) with its languages, releases and "
        "license history, in the format import_projects reads."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", default="-", help="Where to write ('-': stdout)."
        )
        parser.add_argument(
            "--format",
            choices=["csv", "json"],
            help="The format (default: from the file's extension, else json).",
        )

    def handle(self, *args, file="-", format=None, **options):
        fmt = format or (Path(file).suffix.lower().lstrip(".") if file != "-" else "")
        fmt = fmt or "json"
        if fmt not in {"csv", "json"}:
            raise CommandError(f"Unknown format '{fmt}': use csv or json.")
        rows = catalogue_rows()
        text = export_csv(rows) if fmt == "csv" else export_json(rows)
        if file == "-":
            self.stdout.write(text, ending="")
            return
        try:
            Path(file).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write '{file}': {error.strerror}.") from None
        self.stderr.write(f"{len(rows)} project(s) written to {file}.")
