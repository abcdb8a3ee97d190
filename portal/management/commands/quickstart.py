"""``manage.py quickstart [addrport]``: from a fresh clone to a running portal.

Migrates the database (SQLite by default) and loads the demo content, quietly
(one line each), creates the two editing roles' accounts when they do not exist
yet, ``editor`` (Editor group: writes drafts and sends them for review) and
``publisher`` (Publisher group: publishes), each with a random password printed
once, then starts the development server with, beside it, a ``db_worker`` that
runs the background tasks (the admin's imports): a child process that stops with
the server. For a local run only: it refuses to run with
``DJANGO_ENV=production``.
"""

import re
import secrets
import subprocess
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.commands.runserver import naiveip_re
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from portal.demo import load_demo

DEFAULT_ADDRPORT = "127.0.0.1:8000"
# (user name, group, what the role does): one account per editing role, made
# by the Editor and Publisher groups (migration portal 0003).
ACCOUNTS = [
    ("editor", "Editor", "writes drafts and sends them for review"),
    ("publisher", "Publisher", "reviews, publishes and unpublishes"),
]


class Command(BaseCommand):
    help = (
        "Set up a local portal in one step: migrate, load the demo content, create "
        "an 'editor' and a 'publisher' account if they do not exist, and run the "
        "development server. Not for production."
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
                "(it creates accounts and loads demo content). In production, "
                "run 'manage.py migrate' and 'manage.py createsuperuser' instead."
            )
        site_url = self.site_url(addrport)
        self.migrate()
        self.load_demo()
        self.ensure_accounts()
        self.stdout.write(f"Admin:    {site_url}{reverse('admin:index')}")
        if no_serve:
            self.stdout.write(
                f"Ready. Start the server with 'manage.py runserver {addrport}' "
                "and the background tasks' worker with 'manage.py db_worker', "
                f"and open {site_url}/"
            )
            return
        worker = self.start_worker()
        self.stdout.write(
            "Worker:   'manage.py db_worker' runs the background tasks (imports) "
            "beside the server, and stops with it."
        )
        self.stdout.write(f"Serving {site_url}/ (Ctrl+C to stop)")
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            self.stop_worker(worker)

    @staticmethod
    def start_worker() -> subprocess.Popen:
        """The background tasks' worker, as a child process of this one."""
        return subprocess.Popen(  # noqa: S603 (our own manage.py)
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "db_worker"]
        )

    @staticmethod
    def stop_worker(worker: subprocess.Popen) -> None:
        """Stop the worker (it finishes the task it runs, if any, for up to ten
        seconds)."""
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    def migrate(self) -> None:
        """Apply the pending migrations; say how many in one line."""
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        call_command("migrate", interactive=False, verbosity=0)
        if pending:
            self.stdout.write(f"Database: {len(pending)} migrations applied.")
        else:
            self.stdout.write("Database: up to date.")

    def load_demo(self) -> None:
        """Load the demo content; say what changed in one line."""
        try:
            summary = load_demo()
        except ValidationError as error:
            raise CommandError(f"The demo content does not validate: {error}") from None
        created = sum(counts["created"] for counts in summary.counts.values())
        updated = sum(counts["updated"] for counts in summary.counts.values())
        if summary.changed:
            self.stdout.write(
                f"Demo content: {created} rows created, {updated} updated."
            )
        else:
            self.stdout.write("Demo content: up to date.")

    def ensure_accounts(self) -> None:
        """Create each role's account that does not exist yet; print the new
        ones' passwords once, and how to reset a lost one."""
        user_model = get_user_model()
        created = []
        for username, group_name, role in ACCOUNTS:
            if user_model._default_manager.filter(
                **{user_model.USERNAME_FIELD: username}
            ).exists():
                continue
            try:
                group = Group.objects.get(name=group_name)
            except Group.DoesNotExist:
                raise CommandError(
                    f"The '{group_name}' group is missing (the migration portal "
                    "0003 creates it): add it again in the admin, under Groups."
                ) from None
            password = secrets.token_urlsafe(16)
            user = user_model._default_manager.create_user(
                **{user_model.USERNAME_FIELD: username},
                email="",
                password=password,
                is_staff=True,
            )
            user.groups.add(group)
            created.append((username, password, group_name, role))
        if created:
            self.stdout.write(
                self.style.SUCCESS("Accounts created (passwords shown only once):")
            )
            for username, password, group_name, role in created:
                self.stdout.write(
                    f"  {username:<10} password: {password}  ({group_name}: {role})"
                )
        else:
            names = " and ".join(f"'{name}'" for name, _group, _role in ACCOUNTS)
            self.stdout.write(f"Accounts: {names} exist already.")
        self.stdout.write(
            "Lost a password? Set a new one with "
            f"'manage.py changepassword {ACCOUNTS[0][0]}'."
        )

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
