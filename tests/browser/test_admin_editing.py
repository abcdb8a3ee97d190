"""An editor logs in and writes: the Markdown preview and the character counter
work in a real browser, under the Content Security Policy."""

import pytest
from django.contrib.auth import get_user_model

PASSWORD = "a long enough password for the editor"


@pytest.fixture
def admin_page(page, transactional_db, live_server):
    get_user_model().objects.create_superuser("writer", password=PASSWORD)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/admin/login/?next=/admin/projects/project/add/")
    page.fill("input[name=username]", "writer")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/projects/project/add/")
    page.console_errors = errors
    return page


def test_markdown_preview_shows_the_sanitised_html(admin_page):
    description = admin_page.locator("textarea[name=description]")
    description.click()
    description.fill("Some **bold** words <script>alert(1)</script>")

    preview = admin_page.locator(".portal-markdown-preview__body").first
    preview.locator("strong").wait_for()

    assert preview.locator("strong").inner_text() == "bold"
    assert preview.locator("script").count() == 0
    assert admin_page.console_errors == []


def test_the_summary_counts_its_characters(admin_page):
    admin_page.fill("input[name=summary]", "Twelve chars")

    counter = admin_page.locator(".portal-char-counter").first
    assert counter.inner_text() == "12 / 300 characters"
    assert admin_page.console_errors == []
