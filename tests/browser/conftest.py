"""Browser tests: Playwright driving the system's Chromium against a live server.

They need ``/usr/bin/chromium`` (Debian's ``chromium`` package) and, for the checks,
the npm packages of ``package.json`` (``npm install``): axe-core for accessibility
and vnu-jar for HTML validity, which runs on Java. ``.ci/run`` installs all of
them. Where a piece is missing, every browser test is skipped with one reason
naming what is missing (one line in pytest's summary); with ``REQUIRE_BROWSER=1``
(``.ci/run`` sets it) each of them fails with that reason instead, so the checks
can never silently not run there.

One browser per test session (per worker with pytest-xdist); each test gets a
fresh context of it.
"""

import functools
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@functools.cache
def missing_tools() -> tuple[str, ...]:
    """What the browser tests need and this machine lacks."""
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    if not AXE.exists() or not VNU.exists():
        missing.append("no axe-core or vnu-jar in node_modules (npm install)")
    if shutil.which("java") is None:
        missing.append("no Java runtime for vnu-jar (apt-get install default-jre)")
    return tuple(missing)


def pytest_runtest_setup(item):
    """Skip every browser test when a tool is missing, from this one place, so
    that pytest's summary folds them into one line; fail them instead under
    ``REQUIRE_BROWSER=1``."""
    if missing := missing_tools():
        reason = "browser tests cannot run: " + "; ".join(missing)
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the live server's
    # database setup would otherwise be refused as async-unsafe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db, live_server, demo_rows):
    """The demo content behind a live server; returns the server's base URL."""
    demo_rows.restore()
    return live_server.url


@pytest.fixture
def screenshots(request, tmp_path) -> Path:
    """Where screenshots go: a temporary folder, or the README's
    ``docs/screenshots`` when pytest runs with ``--screenshots``."""
    if request.config.getoption("screenshots"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path


@pytest.fixture(scope="session")
def axe_source():
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source):
    """Run axe-core (WCAG 2.2 A/AA) in ``page``; return its violations."""

    def run(page, rules: list[str] | None = None) -> list[dict]:
        """All of WCAG 2.2 A and AA's rules, or only ``rules`` (axe's ids)."""
        # Evaluated through the DevTools protocol: the page's Content Security
        # Policy refuses inline scripts, so a <script> tag would not run.
        if not page.evaluate("() => typeof axe !== 'undefined'"):
            page.evaluate(axe_source)
        only = (
            {"type": "rule", "values": rules}
            if rules
            else {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
            }
        )
        result = page.evaluate("(only) => axe.run(document, {runOnly: only})", only)
        return [
            {
                "id": v["id"],
                "help": v["help"],
                "targets": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
        ]

    return run


@pytest.fixture(scope="session")
def vnu():
    """Check HTML documents with the Nu HTML Checker; return errors per name."""

    def run(documents: dict[str, str]) -> dict[str, list[str]]:
        with tempfile.TemporaryDirectory() as folder:
            paths = {}
            for number, (name, html) in enumerate(documents.items()):
                path = Path(folder) / f"page{number}.html"
                path.write_text(html, encoding="utf-8")
                paths[str(path)] = name
            completed = subprocess.run(  # noqa: S603
                ["java", "-jar", str(VNU), "--format", "json", *paths],  # noqa: S607
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        messages = json.loads(completed.stderr or completed.stdout or "{}")
        errors = {name: [] for name in documents}
        for message in messages.get("messages", []):
            if message.get("type") == "error":
                name = paths.get(message.get("url", "").removeprefix("file:"), "?")
                errors.setdefault(name, []).append(
                    f"line {message.get('lastLine')}: {message.get('message')}"
                )
        return errors

    return run
