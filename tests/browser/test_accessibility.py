"""Every page type passes axe-core (WCAG 2.2 A and AA) in the light and the dark
colour scheme (in the dark one, the rules on colours: all the scheme changes),
logs nothing in the console, and the Nu HTML Checker finds no error in its
HTML."""

import urllib.error
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from portal.publishing.models import State
from projects.models import Project

PASSWORD = "a long enough password for the editor"

PAGE_TYPES = {
    "home": "/",
    "license list": "/licenses/",
    "license detail": "/licenses/BUSL-1.1/",
    "license compare": "/licenses/compare/?license=MIT&license=BUSL-1.1",
    "expression check": "/licenses/check/?expression=GPL-2.0%2B+OR+mit",
    "directory (filtered)": "/projects/?license=BUSL-1.1&sort=name",
    "directory (searched)": "/projects/?q=sentry&family=source_available",
    "directory (no result)": "/projects/?license=MIT&status=archived",
    "directory (bad filter)": "/projects/?status=bogus",
    "project detail": "/projects/sentry/",
    "project detail (sample terms)": "/projects/sample-edge-proxy/",
    "conversions": "/conversions/",
    "search": "/search/?q=apache+license",
    "search (nothing found)": "/search/?q=zeppelin",
    "not found (404)": "/no/such/page/",
}


# What the colour scheme changes: colours. The dark scheme's stylesheet
# changes no structure, name or role, so in it only axe's colour rules can find
# something the light scheme's run did not.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def test_axe_finds_no_violation_and_the_console_no_error_on_any_page_type(
    page, demo, axe
):
    """Every WCAG 2.2 A and AA rule in the light scheme, and the colour rules
    again in the dark one, on the same page load. And no CSP refusal, no
    missing favicon or stylesheet: nothing in the console but the 404 page's
    own status."""
    violations, problems = {}, []

    def on_console(message):
        own_status = message.location.get("url") == page.url
        if message.type == "error" and not own_status:
            problems.append(f"{page.url}: {message.text}")

    def on_response(response):
        # A page's own status (the 404) is not a failed request of that page.
        if response.status >= 400 and not response.request.is_navigation_request():
            problems.append(f"{page.url}: {response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    for name, path in PAGE_TYPES.items():
        page.emulate_media(color_scheme="light")
        page.goto(demo + path)
        if found := axe(page):
            violations[name] = found
        page.emulate_media(color_scheme="dark")
        if found := axe(page, rules=COLOUR_RULES):
            violations[f"{name} (dark)"] = found
        # Every request of the page done (the favicon comes after the load).
        page.wait_for_load_state("networkidle")
    assert violations == {}
    assert problems == []


def test_the_dark_scheme_changes_the_colours_axe_checks(page, demo):
    """The dark run above checks something: the scheme does change the page's
    colours (a stylesheet without its dark rules would pass it unchanged)."""
    page.goto(demo + "/")
    colours = {}
    for scheme in ["light", "dark"]:
        page.emulate_media(color_scheme=scheme)
        colours[scheme] = page.evaluate(
            "() => [getComputedStyle(document.body).backgroundColor,"
            " getComputedStyle(document.body).color]"
        )
    assert colours["light"] != colours["dark"]


@pytest.fixture
def preview(page, demo):
    """An editor logged in, and the address of the preview of a draft project."""
    project = Project.objects.get(slug="sentry")
    Project.objects.filter(pk=project.pk).update(state=State.DRAFT)
    get_user_model().objects.create_superuser("writer", password=PASSWORD)
    url = demo + reverse("admin:projects_project_preview", args=[project.pk])
    page.goto(f"{demo}{reverse('admin:login')}?next={url}")
    page.fill("input[name=username]", "writer")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(url)
    return url


def test_a_draft_preview_passes_axe_and_the_html_checker(page, preview, axe, vnu):
    """The admin's preview: a project page under its banner, in both schemes."""
    violations = {}
    for scheme in ["light", "dark"]:
        page.emulate_media(color_scheme=scheme)
        response = page.goto(preview)
        assert page.locator(".preview-banner").is_visible()
        violations[scheme] = axe(page)
    assert violations == {"light": [], "dark": []}
    assert vnu({"preview": response.text()}) == {"preview": []}


def fetch(url: str) -> str:
    """The HTML as the server sent it (a 404 page too)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
            return response.read().decode()
    except urllib.error.HTTPError as error:
        return error.read().decode()


def test_the_nu_html_checker_finds_no_error_on_any_page_type(demo, vnu):
    documents = {name: fetch(demo + path) for name, path in PAGE_TYPES.items()}
    errors = vnu(documents)
    assert {name: found for name, found in errors.items() if found} == {}
