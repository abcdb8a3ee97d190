"""Two editors save the same project in two browsers: the second save is merged
with the first, the page says what was merged (valid HTML, no axe violation,
no script needed), and one more Save keeps both changes."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from projects.models import Project

PASSWORD = "a long enough password for the editors"


@pytest.fixture
def editors(browser, demo):
    """A logged-in browser page for each of two editors (their own sessions), who
    may publish: the demo's projects are published, and the changes of those who
    may not wait for review instead (tests/test_revisions.py)."""
    pages = {}
    for name in ("alice", "bob"):
        user = get_user_model().objects.create_user(
            name, password=PASSWORD, is_staff=True
        )
        user.groups.add(Group.objects.get(name="Publisher"))
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(demo + "/admin/login/")
        page.fill("input[name=username]", name)
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")
        pages[name] = page
    yield pages
    for page in pages.values():
        page.context.close()


@pytest.fixture
def panel_axe(axe_source):
    """axe-core (WCAG 2.2 A/AA) on the merge panel of ``page``: the rest of the
    change form is Django's own."""

    def run(page) -> list[dict]:
        page.evaluate(axe_source)
        result = page.evaluate(
            """() => axe.run(document.querySelector('.portal-merge'), {runOnly:
                {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                'wcag22aa']}})"""
        )
        return [
            {"id": v["id"], "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]

    return run


def panel_document(page) -> str:
    """The merge panel as the server sent it, in a page of its own for the Nu
    HTML checker (the change form around it is Django's; no script changes
    the panel)."""
    panel = page.locator(".portal-merge").evaluate("node => node.outerHTML")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Merge</title></head><body><form>{panel}</form></body></html>"
    )


def open_both(editors, demo, project):
    url = f"{demo}/admin/projects/project/{project.pk}/change/"
    for page in editors.values():
        page.goto(url)
    return url


def save(page):
    """Save as a keyboard user does: focus the button, press Enter."""
    page.locator("input[name=_save]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_two_editors_save_the_same_project_and_both_changes_survive(editors, demo):
    snuba = Project.objects.get(slug="snuba")
    description = snuba.description
    open_both(editors, demo, snuba)
    alice, bob = editors["alice"], editors["bob"]

    alice.fill("input[name=summary]", "Search and storage on ClickHouse.")
    save(alice)
    bob.fill("textarea[name=description]", description + "\n\nBy the Sentry team.")
    save(bob)

    panel = bob.locator(".portal-merge")
    assert panel.is_visible()
    assert "alice saved project “Snuba”" in panel.inner_text()
    assert panel.locator("li").all_inner_texts() == [
        "Applied: your change to Description",
        "Kept: their change to Summary",
    ]
    assert bob.input_value("input[name=summary]") == "Search and storage on ClickHouse."

    save(bob)

    assert "/admin/projects/project/" in bob.url
    snuba.refresh_from_db()
    assert snuba.summary == "Search and storage on ClickHouse."
    assert snuba.description.endswith("By the Sentry team.")


def test_a_conflict_is_chosen_with_the_keyboard(editors, demo, panel_axe, vnu):
    snuba = Project.objects.get(slug="snuba")
    open_both(editors, demo, snuba)
    alice, bob = editors["alice"], editors["bob"]

    alice.fill("input[name=summary]", "Theirs: search on ClickHouse.")
    save(alice)
    bob.fill("input[name=summary]", "Mine: search for Sentry.")
    bob.fill("input[name=docs_url]", "https://develop.sentry.dev/snuba/")
    save(bob)

    assert bob.locator(".portal-merge__applied").inner_text() == (
        "Applied: your change to Documentation URL"
    )
    conflict = bob.locator(".portal-merge__conflict")
    assert conflict.locator("legend").inner_text() == (
        "Summary: changed by you and by alice"
    )
    assert conflict.locator(".portal-merge__value").all_inner_texts() == [
        "Theirs: search on ClickHouse.",
        "Mine: search for Sentry.",
    ]
    violations = {}
    # The admin's links fade to a scheme's colours (0.15 s): measure the colours
    # themselves, not a moment of the fade.
    bob.evaluate(
        "() => document.querySelectorAll('*')"
        ".forEach((node) => { node.style.transition = 'none'; })"
    )
    for scheme in ["light", "dark"]:
        bob.emulate_media(color_scheme=scheme)
        violations[scheme] = panel_axe(bob)
    assert violations == {"light": [], "dark": []}
    assert vnu({"conflict": panel_document(bob)}) == {"conflict": []}
    # The radio buttons: focus the first, arrow to "Use yours".
    bob.locator("#merge-summary-theirs").focus()
    bob.keyboard.press("ArrowRight")
    assert bob.locator("#merge-summary-mine").is_checked()

    save(bob)

    snuba.refresh_from_db()
    assert snuba.summary == "Mine: search for Sentry."
    assert snuba.docs_url == "https://develop.sentry.dev/snuba/"
