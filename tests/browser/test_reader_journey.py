"""A reader finds a project and its license, with a mouse and with a keyboard."""

import re


def test_reader_filters_opens_a_project_and_follows_its_license(page, demo):
    page.goto(demo + "/projects/")
    page.select_option("select[name=license]", "BUSL-1.1")
    page.get_by_role("button", name=re.compile("filter|apply|show", re.I)).click()

    assert "license=BUSL-1.1" in page.url
    page.get_by_role("link", name="Sentry Plugins").first.click()
    assert page.url.endswith("/projects/sentry-plugins/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sentry Plugins"

    page.get_by_role("link", name=re.compile("Business Source License")).first.click()
    assert page.url.endswith("/licenses/BUSL-1.1/")


def test_keyboard_alone_reaches_the_directory_filters(page, demo):
    page.goto(demo + "/projects/")
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        name = page.evaluate(
            "() => document.activeElement && (document.activeElement.name "
            "|| document.activeElement.textContent.trim())"
        )
        reached.add(name)
    assert {"q", "license", "category", "language", "status"} <= reached
