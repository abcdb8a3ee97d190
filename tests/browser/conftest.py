"""Browser tests: Playwright driving the system's Chromium against a live server.

Needs ``/usr/bin/chromium`` (Debian's ``chromium`` package) and, for the checks, the
npm packages of ``package.json`` (``npm install``): axe-core for accessibility and
vnu-jar (Java) for HTML validity. ``.ci/run`` installs all three. Where they are
missing on a developer's machine the browser tests are skipped with the reason; in
CI (``CI`` set) a missing piece fails instead, so the checks can never silently not
run there.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser checks)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    require(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}")
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
def demo(transactional_db, live_server):
    """The demo content behind a live server; returns the server's base URL."""
    call_command("load_demo", verbosity=0)
    return live_server.url


@pytest.fixture(scope="session")
def axe_source():
    require(AXE.exists(), "axe-core is not installed (npm install)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source):
    """Run axe-core (WCAG 2.2 A/AA) in ``page``; return its violations."""

    def run(page) -> list[dict]:
        # Evaluated through the DevTools protocol: the page's Content Security
        # Policy refuses inline scripts, so a <script> tag would not run.
        page.evaluate(axe_source)
        result = page.evaluate(
            """() => axe.run(document, {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
        )
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
    require(VNU.exists(), "vnu-jar is not installed (npm install)")
    require(shutil.which("java") is not None, "no Java for the Nu HTML Checker")

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
