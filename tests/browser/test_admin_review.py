"""An editor changes a live project; readers keep the published version until a
publisher, who finds the change in the review queue, approves it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from licenses.models import License
from portal.publishing.models import State
from projects.models import Project
from projects.services import project_save

PASSWORD = "a long enough password for the workflow"


def staff(username, role):
    user = get_user_model().objects.create_user(
        username, password=PASSWORD, is_staff=True, email=f"{username}@example.com"
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def log_in(browser, base, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/admin/login/?next=/admin/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def public_page(browser, base) -> str:
    """The project's public page, as a new reader sees it (nothing cached in
    their browser)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/projects/snuba/")
    html = page.content()
    context.close()
    return html


def test_a_live_change_waits_for_a_publishers_approval(
    browser, transactional_db, live_server
):
    base = live_server.url
    License.objects.create(spdx_id="MIT", name="MIT License", state=State.PUBLISHED)
    snuba = project_save(
        project=Project(
            name="Snuba",
            slug="snuba",
            summary="Search over events.",
            license_expression="MIT",
            state=State.PUBLISHED,
        )
    )
    staff("alice", "Editor")
    staff("paula", "Publisher")

    editor = log_in(browser, base, "alice")
    editor.goto(f"{base}/admin/projects/project/{snuba.pk}/change/")
    editor.fill("input[name=summary]", "Search and storage of events.")
    editor.click("input[name=_save]")
    editor.locator(".messagelist").wait_for()
    assert "saved for review" in editor.locator(".messagelist").inner_text()
    assert editor.locator("#pending-revision").is_visible()

    html = public_page(browser, base)
    assert "Search over events." in html
    assert "Search and storage of events." not in html

    publisher = log_in(browser, base, "paula")
    queue = publisher.locator("#dashboard-review")
    assert "Snuba" in queue.inner_text()
    assert "alice" in queue.inner_text()
    queue.get_by_role("link", name="Snuba").click()
    publisher.wait_for_url(f"**/admin/projects/project/{snuba.pk}/revision/")
    assert (
        "Search and storage of events."
        in publisher.locator("#revision-changes").inner_text()
    )
    publisher.get_by_role("button", name="Approve").click()
    publisher.locator(".messagelist").wait_for()
    assert "approved" in publisher.locator(".messagelist").inner_text()

    assert "Search and storage of events." in public_page(browser, base)
    editor.context.close()
    publisher.context.close()
