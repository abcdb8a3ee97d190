"""A reader finds a project and its license, with a mouse and with a keyboard."""

import re

FOCUSABLE = (
    "a[href], button, input:not([type=hidden]), select, textarea, "
    "[tabindex]:not([tabindex='-1'])"
)


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


def test_reader_sees_how_many_projects_each_choice_would_show(page, demo):
    page.goto(demo + "/projects/")
    option = page.locator("select[name=license] option[value='BUSL-1.1']")
    count = int(re.fullmatch(r"BUSL-1\.1 \((\d+)\)", option.inner_text()).group(1))
    page.select_option("select[name=license]", "BUSL-1.1")
    page.select_option("select[name=sort]", "name")
    page.get_by_role("button", name="Show projects").click()
    heading = page.locator("#results-heading").inner_text()
    assert heading.startswith(f"{count} project")
    names = page.locator("li.card h3").all_inner_texts()
    assert names == sorted(names)


def test_reader_searches_the_site_and_follows_a_result(page, demo):
    page.goto(demo + "/licenses/")
    page.get_by_role("searchbox", name="Search the site").fill("clickhouse")
    page.get_by_role("search", name="Site").get_by_role("button").click()
    assert "/search/?q=clickhouse" in page.url
    results = page.get_by_role("region", name="Projects")
    assert results.locator("mark").first.inner_text().lower() == "clickhouse"
    results.get_by_role("link", name="Snuba").click()
    assert page.url.endswith("/projects/snuba/")
    page.get_by_role("link", name=re.compile("Functional Source License")).first.click()
    assert page.url.endswith("/licenses/FSL-1.1-ALv2/")


def tab_order(page, limit=500) -> list[str]:
    """Press Tab from the top of the page until focus leaves the document or
    comes back round; the ``data-kbd`` keys of the elements reached, and
    whether each showed a focus outline."""
    reached, unseen_focus = [], []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                const style = getComputedStyle(el);
                return {key: el.dataset.kbd || '', outline: style.outlineStyle
                        !== 'none' && parseFloat(style.outlineWidth) >= 2};
            }"""
        )
        if state is None or (reached and state["key"] == reached[0]):
            break
        reached.append(state["key"])
        if not state["outline"]:
            unseen_focus.append(state["key"])
    return reached, unseen_focus


def controls(page) -> list[str]:
    """Mark every visible focusable element with a key; return the keys."""
    return page.evaluate(
        """(selector) => {
            const keys = [];
            document.querySelectorAll(selector).forEach((el, index) => {
                el.dataset.kbd = String(index);
                const shown = el.getClientRects().length > 0;
                if (shown && !el.disabled) keys.push(el.dataset.kbd);
            });
            return keys;
        }""",
        FOCUSABLE,
    )


def test_keyboard_alone_reaches_every_control_of_the_directory_and_search(page, demo):
    for path in [
        "/projects/?license=BUSL-1.1",
        "/projects/?q=sentry&page=1",
        "/search/?q=apache",
        "/search/",
    ]:
        page.goto(demo + path)
        expected = controls(page)
        reached, unseen_focus = tab_order(page)
        assert set(expected) <= set(reached), path
        assert unseen_focus == [], path


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
    assert {"q", "license", "family", "category", "language", "status", "sort"} <= (
        reached
    )


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page, demo):
    for path, first_in_main in [("/projects/", "q"), ("/search/", "q")]:
        page.goto(demo + path)
        page.keyboard.press("Tab")
        skip = page.locator(".skip-link")
        assert page.evaluate("() => document.activeElement.className") == "skip-link"
        box = skip.bounding_box()
        assert box["y"] >= 0 and box["height"] > 0  # shown when focused
        page.keyboard.press("Enter")
        # The fragment navigation completes asynchronously: wait, then check.
        page.wait_for_url("**#main", timeout=5000)
        assert page.url.endswith("#main")
        assert page.evaluate("() => document.activeElement.id") == "main"
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => [document.activeElement.name, "
            "!!document.activeElement.closest('main')]"
        )
        assert focused == [first_in_main, True], path
