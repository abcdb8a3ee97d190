"""``manage.py quickstart [addrport]``: from a fresh clone to a running portal.

Migrates the database (SQLite by default), loads the demo content, creates an
``editor`` superuser with a random password when there is no superuser yet (the
password is printed once), then starts the development server. For a local run
only: it refuses to run with ``DJANGO_ENV=production``.
"""

import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.commands.runserver import naiveip_re
from django.urls import reverse

EDITOR_USERNAME = "editor"
DEFAULT_ADDRPORT = "127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Set up a local portal in one step: migrate, load the demo content, create "
        "an 'editor' account if there is no superuser, and run the development "
        "server. Not for production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport",
            nargs="?",
            default=DEFAULT_ADDRPORT,
            help=f"Address and port of the development server ({DEFAULT_ADDRPORT}).",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Do everything but starting the development server.",
        )

    def handle(self, *args, addrport, no_serve, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "quickstart is for a local run and refuses DJANGO_ENV=production "
                "(it creates an account and loads demo content). In production, "
                "run 'manage.py migrate' and 'manage.py createsuperuser' instead."
            )
        site_url = self.site_url(addrport)
        verbosity = options["verbosity"]

        self.stdout.write(self.style.MIGRATE_HEADING("Migrating the database"))
        call_command(
            "migrate", interactive=False, verbosity=verbosity, stdout=self.stdout
        )
        self.stdout.write(self.style.MIGRATE_HEADING("Loading the demo content"))
        call_command("load_demo", verbosity=verbosity, stdout=self.stdout)
        self.stdout.write(self.style.MIGRATE_HEADING("Editor account"))
        self.ensure_editor(admin_url=site_url + reverse("admin:index"))

        if no_serve:
            self.stdout.write(
                f"Ready. Start the server with 'manage.py runserver {addrport}' "
                f"and open {site_url}/"
            )
            return
        self.stdout.write(self.style.MIGRATE_HEADING(f"Serving {site_url}/"))
        call_command("runserver", addrport, use_reloader=False)

    def ensure_editor(self, *, admin_url: str) -> None:
        """Create the ``editor`` superuser unless a superuser exists."""
        user_model = get_user_model()
        if user_model.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                f"A superuser exists already: no account created. Admin: {admin_url}"
            )
            return
        if user_model.objects.filter(
            **{user_model.USERNAME_FIELD: EDITOR_USERNAME}
        ).exists():
            raise CommandError(
                f"A user '{EDITOR_USERNAME}' exists but is not a superuser; make it "
                "one with 'manage.py createsuperuser' or the shell, then run "
                "quickstart again."
            )
        password = secrets.token_urlsafe(16)
        user_model.objects.create_superuser(
            **{user_model.USERNAME_FIELD: EDITOR_USERNAME},
            email="",
            password=password,
        )
        self.stdout.write(
            self.style.SUCCESS("Created the editor account (password shown once):")
        )
        self.stdout.write(f"  username: {EDITOR_USERNAME}")
        self.stdout.write(f"  password: {password}")
        self.stdout.write(f"  admin:    {admin_url}")

    @staticmethod
    def site_url(addrport: str) -> str:
        """The address a browser on this machine opens, e.g. http://127.0.0.1:8000."""
        match = re.match(naiveip_re, addrport)
        if match is None:
            raise CommandError(
                f"'{addrport}' is not a port or an address:port, e.g. 127.0.0.1:8000."
            )
        addr, port = match["addr"], match["port"]
        if not addr or addr in {"0", "0.0.0.0"}:  # noqa: S104 (parsing, not binding)
            addr = "127.0.0.1"
        elif match["ipv6"]:
            addr = "[::1]" if addr == "[::]" else addr
        return f"http://{addr}:{port}"
