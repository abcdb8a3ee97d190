"""Import projects from a CSV or JSON file; see projects/catalogue_format.py."""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.publishing.history import acting_as
from projects.imports import (
    IMPORT_PERMISSIONS,
    ImportFileError,
    import_catalogue,
    read_file,
)


class Command(BaseCommand):
    help = (
        "Import projects (with languages, releases and license history) from a CSV "
        "or JSON file. All-or-nothing; idempotent by slug; --dry-run reports every "
        "error without writing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv or .json file ('-' for stdin).")
        parser.add_argument(
            "--format",
            choices=["csv", "json"],
            help="The file's format (default: from its extension).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every row and report, writing nothing.",
        )
        parser.add_argument(
            "--user",
            required=True,
            help=(
                "The user the import acts as: the author of the changes in "
                "history, whose permissions decide what the file may publish."
            ),
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )

    def handle(self, *args, file, format=None, dry_run=False, user=None, **options):
        fmt = format or Path(file).suffix.lower().lstrip(".")
        if fmt not in {"csv", "json"}:
            raise CommandError(
                f"Cannot tell the format of '{file}': name it .csv or .json, or "
                "give --format."
            )
        author = get_user_model().objects.filter(username=user).first()
        if author is None or not author.is_active:
            raise CommandError(f"No active user named '{user}'.")
        if not author.has_perms(IMPORT_PERMISSIONS):
            raise CommandError(
                f"'{user}' may not import projects: the import needs the "
                "permissions to add and to change projects."
            )
        try:
            content = (
                sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
            )
        except OSError as error:
            raise CommandError(f"Cannot read '{file}': {error.strerror}.") from None
        try:
            rows = read_file(content, fmt)
        except ImportFileError as error:
            raise CommandError(str(error)) from None

        show_progress = not options["no_progress"] and len(rows) >= 200
        with acting_as(author):
            report = import_catalogue(
                rows,
                fmt=fmt,
                dry_run=dry_run,
                user=author,
                progress=self.progress if show_progress else None,
            )
        if show_progress:
            self.stderr.write("")
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))

    def progress(self, done: int, total: int, errors: int = 0) -> None:
        if done % 100 and done != total:
            return
        width = 30
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total}", ending="")
        self.stderr.flush()
