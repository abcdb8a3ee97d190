"""An editor imports a large generated catalogue from the admin: the upload
answers at once, the job's page shows the rows done while a worker runs the
import, then the report, from which the same file runs for real.

The worker is ``manage.py db_worker`` in a process of its own, as in
production; on SQLite, whose test database is in memory, a thread of the test
process (``run_queued_tasks`` in a loop) on its own connection. The file has
``BROWSER_IMPORT_ROWS`` rows, 5,000 by default: on the suite's busy 2-core
machine each 1,000 rows cost about 1.2 s (the dry run and the real run
together), on top of about 25 s for the rest of the test, so the default keeps
the suite quick; the figures of larger files are in docs/performance.md.
"""

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from playwright.sync_api import Error as PlaywrightError

from licenses.models import License
from portal.management.commands.quickstart import Command as QuickstartCommand
from tests.helpers import run_queued_tasks

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"
PASSWORD = "a long enough password for the importer"
ROWS = int(os.environ.get("BROWSER_IMPORT_ROWS", "5000"))
PROGRESS = re.compile(rf"[\d,]+ of {ROWS:,} rows done")


@pytest.fixture
def worker(transactional_db):
    """A worker running every queued task until the test ends: ``manage.py
    db_worker`` in a process of its own, as in production, on the test's
    database. Only on SQLite, whose test database is in memory where no other
    process can open it, is it a thread of this process. Yields a check that
    fails the test at once if the worker has stopped."""
    if connection.vendor == "sqlite":
        yield from worker_thread()
    else:
        yield from worker_process()


def worker_thread():
    stop = threading.Event()

    def work():
        try:
            while not stop.is_set():
                if not run_queued_tasks():
                    stop.wait(0.1)
        finally:
            connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()

    def check():
        assert thread.is_alive(), "the worker thread stopped"

    yield check
    stop.set()
    thread.join(timeout=120)


def worker_process():
    """The import's CPU time would otherwise be taken from the live server
    serving the job's page (one interpreter, one thread at a time), and under a
    busy machine's load a page then took longer than the browser waits."""
    url = urlsplit(os.environ["DATABASE_URL"])
    test_url = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    command = [sys.executable, str(MANAGE), "db_worker"]
    command += ["--interval", "0.2", "--no-startup-delay", "--no-reload"]
    process = subprocess.Popen(  # noqa: S603 (our own command)
        command, env={**os.environ, "DATABASE_URL": test_url, "LOG_LEVEL": "WARNING"}
    )

    def check():
        assert process.poll() is None, f"db_worker exited ({process.returncode})"

    yield check
    # Idle, the worker exits at once; one still importing (a test that failed
    # half-way) would finish first, so it is stopped.
    QuickstartCommand.stop_worker(process)


@pytest.fixture
def import_page(page, transactional_db, live_server, worker):
    if connection.vendor == "sqlite":
        # The test database is in memory, shared by the live server (this
        # connection) and the worker's connection with a lock per table: let
        # the pages read while the import's transaction is open, as SQLite's
        # write-ahead log does for a database file (settings).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")
    License.objects.create(spdx_id="MIT", state="published")
    get_user_model().objects.create_superuser("importer", password=PASSWORD)
    page.goto(live_server.url + "/admin/login/?next=/admin/projects/project/import/")
    page.fill("input[name=username]", "importer")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/projects/project/import/")
    return page


def catalogue(rows: int) -> bytes:
    lines = ["slug,name,summary,license_expression,languages"]
    lines += [f"p-{n},Project {n},Sample project {n}.,MIT,python" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def watch_until(page, button: str, worker, timeout: float = 600) -> list[str]:
    """Reload the job's page (more often than its own refresh) until it offers
    ``button`` or says it is done; return every status it showed. ``worker``
    (the fixture's check) fails the test at once if the worker has stopped."""
    shown = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        worker()
        status = page.locator("#import-status").inner_text()
        shown.append(" ".join(status.split()))
        if page.locator(f"input[value='{button}'], a:text('{button}')").count():
            return shown
        time.sleep(0.3)
        try:
            page.reload()
        except PlaywrightError:
            # The page's own refresh navigated first: read what it loaded.
            page.wait_for_load_state()
    raise AssertionError(f"no '{button}' after {timeout} s; shown: {shown[-3:]}")


def test_a_large_import_shows_progress_then_its_report(import_page, worker, axe, vnu):
    page = import_page
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "big.csv", "mimeType": "text/csv", "buffer": catalogue(ROWS)}],
    )
    assert page.is_checked("input[name=dry_run]")
    started = time.monotonic()
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/import/\d+/$"))
    assert time.monotonic() - started < 10  # the upload does not wait for the run
    assert page.locator("meta[http-equiv=refresh]").count() == 1

    shown = watch_until(page, "Run for real", worker)

    assert any(PROGRESS.search(status) for status in shown), shown
    report = page.locator("#import-status").inner_text()
    assert f"{ROWS} row(s): {ROWS} project(s) would be created" in report
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    assert axe(page) == []
    assert vnu({"report": page.content()}) == {"report": []}

    page.click("input[value='Run for real']")
    page.wait_for_url(re.compile(r".*/import/\d+/$"))
    watch_until(page, "See the projects", worker)
    assert (
        f"{ROWS} project(s) were created" in page.locator("#import-status").inner_text()
    )
