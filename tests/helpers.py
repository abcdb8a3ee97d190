"""Helpers the test modules share: reading a page as a reader sees it, freezing
the day, a catalogue of converting releases, the demo content written in one go,
and running the portal (or a database) as real processes.

Fixtures live in ``conftest.py``; this module holds what they and the tests call.
"""

import contextlib
import datetime
import importlib
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.forms import MultiWidget
from django.utils import timezone

from licenses.models import Family
from portal.http import caching

# ---------------------------------------------------------------- HTML helpers

VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "source", "track", "wbr",
}  # fmt: skip


@dataclass
class Node:
    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text a reader sees, whitespace collapsed."""
        return " ".join(self._raw_text().split())

    def _raw_text(self) -> str:
        return "".join(
            child if isinstance(child, str) else child._raw_text()
            for child in self.children
        )

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def find_all(self, tag: str, class_: str | None = None, **attrs) -> list["Node"]:
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if (
                child.tag == tag
                and (class_ is None or class_ in child.classes)
                and all(child.attrs.get(k) == v for k, v in attrs.items())
            ):
                found.append(child)
            found.extend(child.find_all(tag, class_, **attrs))
        return found

    def find(self, tag: str, class_: str | None = None, **attrs) -> "Node":
        found = self.find_all(tag, class_, **attrs)
        assert found, f"no <{tag}> {class_ or ''} {attrs or ''} in the page"
        return found[0]

    def elements(self) -> list["Node"]:
        return [child for child in self.children if isinstance(child, Node)]

    def hrefs(self) -> list[str]:
        return [a.attrs.get("href") for a in self.find_all("a")]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID_ELEMENTS:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(response) -> Node:
    builder = _TreeBuilder()
    builder.feed(response.content.decode())
    builder.close()
    return builder.root


def main_of(response) -> Node:
    return parse(response).find("main")


def card_titles(response) -> list[str]:
    """The names of the items listed as cards in the page's main content."""
    return [title.text for title in main_of(response).find_all("h3", "card__title")]


def section(html: str, section_id: str) -> str:
    """The inside of the page's ``<section id=section_id>`` (not nested)."""
    match = re.search(
        rf'<section [^>]*id="{section_id}">(.*?)</section>', html, re.DOTALL
    )
    assert match, f"no {section_id} on the page"
    return match.group(1)


def get_ok(client, url) -> Node:
    response = client.get(url)
    assert response.status_code == 200, url
    return parse(response)


# ---------------------------------------------------------------- conversions

D = datetime.date


def freeze_today(monkeypatch, day: datetime.date) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def make_busl_catalogue(make_license, make_project, make_release):
    """Apache-2.0, MIT, BUSL-1.1 (cap 48; Snuba's terms: Apache-2.0 after 36
    months) and
    FSL-1.1-MIT (-> MIT after 24 months); Snuba with three releases, Relay with
    one."""
    make_license("Apache-2.0", name="Apache License 2.0")
    mit = make_license("MIT", name="MIT License")
    make_license(
        "BUSL-1.1",
        name="Business Source License 1.1",
        family=Family.SOURCE_AVAILABLE,
        change_cap_months=48,
    )
    make_license(
        "FSL-1.1-MIT",
        name="Functional Source License, MIT Future License",
        family=Family.SOURCE_AVAILABLE,
        change_license=mit,
        change_period_months=24,
    )
    snuba = make_project(
        "Snuba",
        license_expression="BUSL-1.1",
        terms={
            "licensor": "Functional Software, Inc.",
            "licensed_work": "Sentry",
            "additional_use_grant": "Any use except an Application Monitoring Service.",
            "change_license": "Apache-2.0",
            "change_after_months": 36,
        },
    )
    make_release(snuba, "9.1.2", released_on=D(2019, 7, 2), license_expression="MIT")
    make_release(snuba, "23.11.0", released_on=D(2023, 11, 15))
    make_release(snuba, "24.3.0", released_on=D(2024, 3, 15))
    relay = make_project("Relay", license_expression="FSL-1.1-MIT")
    make_release(relay, "25.1.0", released_on=D(2025, 1, 15))
    return {"snuba": snuba, "relay": relay}


# ---------------------------------------------------------------- the seed page

# Every heading of shared/seed/open-source-page.txt, in the page's order: the
# section titles, the license statements, the questions and the comparison titles
# the seed text kept.
SEED_HEADINGS = [
    "What does Open Source actually mean?",
    "Sentry's Open Source Philosophy",
    "Business Source License 1.1 (BSL-1.1)",
    "Apache License, Version 2.0 (Apache-2.0)",
    "The MIT License (MIT)",
    "Why not Open Core? Isn't that the same thing?",
    "Why are we an Open Source company?",
    "More Secure",
    "Platform Extensible",
    "Narrowly Focused",
    "High Friction",
]


# ---------------------------------------------------------------- demo content


class DemoRows:
    """The rows ``load_demo`` writes, captured once and written again with a few
    bulk inserts: the demo content costs a test milliseconds, not a load.

    ``capture`` runs the real loader (in a transaction rolled back after it), so
    the rows are exactly what ``load_demo`` produces, history included.
    """

    def __init__(self, added: list, changed: list):
        self.added = added  # [(model, [row, ...])]: rows the load created
        self.changed = changed  # [(model, [row, ...])]: rows it updated

    @classmethod
    def capture(cls, load, using: str = DEFAULT_DB_ALIAS) -> "DemoRows":
        tables = set(connections[using].introspection.table_names())
        models = [
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.db_table in tables and not model._meta.proxy
        ]
        added, changed = [], []
        with transaction.atomic(using=using):
            before = {model: _rows(model, using) for model in models}
            load()
            for model in models:
                old, new = before[model], _rows(model, using)
                assert old.keys() <= new.keys(), f"the load deleted {model} rows"
                if rows := [row for pk, row in new.items() if pk not in old]:
                    added.append((model, rows))
                if rows := [row for pk, row in old.items() if new[pk] != row]:
                    changed.append((model, [new[row_pk(model, row)] for row in rows]))
            transaction.set_rollback(True, using=using)
        return cls(added, changed)

    def restore(self, using: str = DEFAULT_DB_ALIAS) -> None:
        """Write the rows again: one transaction, so that foreign keys are checked
        once every row is in (they are deferred), even outside a test's own."""
        connection = connections[using]
        with transaction.atomic(using=using):
            for model, rows in self.changed:
                for row in rows:
                    pk = row_pk(model, row)
                    if not model._base_manager.using(using).filter(pk=pk).update(**row):
                        model._base_manager.using(using).create(**row)
            for model, rows in self.added:
                model._base_manager.using(using).bulk_create(
                    [model(**row) for row in rows]
                )
            # Rows written with their own keys leave PostgreSQL's sequences behind.
            models = [model for model, _ in self.added]
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
        # Bulk inserts send no signal: record the change as the loader's saves do.
        caching.mark_content_changed()


def row_pk(model, row: dict):
    return row[model._meta.pk.attname]


def _rows(model, using: str) -> dict:
    fields = [f.attname for f in model._meta.concrete_fields]
    return {
        row_pk(model, row): row
        for row in model._base_manager.using(using).order_by().values(*fields)
    }


# ---------------------------------------------------------------- processes

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, **headers):
    """``(status, headers, body)`` of a GET on a loopback URL, errors included."""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def production_env(folder: Path, **overrides) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CACHE_"))
    }
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        STATIC_ROOT=str(folder / "static"),
        SECURE_SSL_REDIRECT="false",
        WEB_CONCURRENCY="2",
    )
    env.update(overrides)
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )


@contextmanager
def gunicorn(env: dict):
    """Migrate, collect static files and serve with gunicorn; yields the base URL."""
    manage(env, "migrate", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi"],
        cwd=ROOT,
        env={**env, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: fetch(base + "/healthz")[0] == 200, "gunicorn to start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_for(condition, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


class ThrowawayPostgres:
    """A PostgreSQL cluster of the test's own, on a free loopback port, that the
    test may stop and start (never the shared server)."""

    def __init__(self):
        if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None:
            message = "PostgreSQL server binaries or runuser are missing"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        # Its own folder, outside pytest's root-only temporary tree, so that the
        # postgres user can reach it.
        self.folder = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.folder.chmod(0o777)
        self.data = self.folder / "pgdata"
        self.port = free_port()
        self.run(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *command):
        subprocess.run(  # noqa: S603
            ["runuser", "-u", "postgres", "--", *map(str, command)],  # noqa: S607
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}"
        # The server's own output goes to a log file: a server holding this
        # process's pipes open would keep ``run`` waiting for ever.
        log = self.folder / "server.log"
        self.run(
            PG_BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", log, "-w", "start"
        )

    def stop(self):
        self.run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def remove(self):
        """Stop the cluster if it runs, and delete its files."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class ThrowawayRedis:
    """A Redis server of the test's own on a free loopback port, which the test
    may hang (``pause``: stopped, so connections are accepted but never answered)
    and wake again (``resume``)."""

    def __init__(self, folder: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            message = "redis-server is not installed"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603
            [
                binary,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, "redis-server to start", seconds=10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16) == b"+PONG\r\n"

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def remove(self) -> None:
        self.resume()
        self.process.terminate()
        self.process.wait(timeout=10)


def admin_form_data(form) -> dict:
    """The POST data of an unbound admin form, as the browser would send it
    (disabled fields are not sent)."""
    data = {}
    for name, form_field in form.fields.items():
        if form_field.disabled:
            continue
        bound = form[name]
        value = bound.value()
        if isinstance(form_field.widget, MultiWidget):
            for index, part in enumerate(form_field.widget.decompress(value)):
                data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif value is not None:
            data[bound.html_name] = str(value)
    return data


def ensure_role_groups() -> None:
    """Create the role groups with their permissions, as the roles migration
    does, where they are missing (one query when they are there)."""
    from django.contrib.auth.models import Group, Permission

    roles = importlib.import_module(
        "portal.migrations.0003_editor_and_publisher_roles"
    ).ROLES
    if Group.objects.filter(name__in=roles).count() == len(roles):
        return
    for name, wanted in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in wanted
        )


def _content_models() -> list:
    from licenses.models import License
    from portal.models import Section, SiteSettings, Statement
    from projects.models import Category, Language, LicenseChange, Project, Release

    return [
        Section,
        Statement,
        SiteSettings,
        License,
        Project,
        Release,
        LicenseChange,
        Category,
        Language,
    ]


# Every model an editor writes, in the admin's order.
CONTENT_MODELS = _content_models()


def make_busl_with_draft_change_license(make_license):
    """BUSL-1.1 changing into Apache-2.0 after 36 months, Apache-2.0 a draft the
    public cannot see."""
    from licenses.models import Family
    from portal.publishing.models import State

    hidden = make_license("Apache-2.0", state=State.DRAFT)
    return make_license(
        "BUSL-1.1",
        family=Family.SOURCE_AVAILABLE,
        change_license=hidden,
        change_period_months=36,
    )


# ---------------------------------------------------------------- background tasks


@contextmanager
def committing(using: str = DEFAULT_DB_ALIAS):
    """End the block as a commit of everything the test wrote so far would: run
    every commit callback queued (before the block too) once, and start the
    connection's list of callbacks anew, as Django does after a commit (the
    test's own transaction never commits). Callbacks queued by callbacks run
    too."""
    yield
    connection = connections[using]
    while connection.run_on_commit:
        hooks, connection.run_on_commit = connection.run_on_commit, []
        for _savepoints, hook, robust in hooks:
            if not robust:
                hook()
                continue
            try:
                hook()
            except Exception:
                logging.getLogger("django.db.backends.base").exception(
                    "Error calling %s in on_commit() (robust).", hook
                )


def run_queued_tasks() -> int:
    """Run every task waiting in the queue, one after another as ``manage.py
    db_worker`` does, but in this process and inside the test's transaction (the
    command itself closes the connection between tasks); return how many ran."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        with transaction.atomic():
            task_result = DBTaskResult.objects.ready().get_locked()
            if task_result is None:
                return ran
            task_result.claim(worker.worker_id)
        worker.run_task(task_result)
        ran += 1
