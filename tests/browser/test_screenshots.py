"""Screenshots of the main pages at desktop and phone widths, for the README.

``<page>-<desktop|phone>.png`` (full page) with the demo content, in a temporary
folder; ``uv run pytest tests/browser --screenshots`` writes them to
``docs/screenshots`` to refresh the README's after a design change.
"""

import pytest

PAGES = {
    "home": "/",
    "directory": "/projects/",
    "project": "/projects/sentry/",
    "license": "/licenses/BUSL-1.1/",
    "conversions": "/conversions/",
}


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots_of_the_main_pages(request, demo, screenshots, device):
    browser_page = request.getfixturevalue("page" if device == "desktop" else "phone")
    for name, path in PAGES.items():
        browser_page.goto(demo + path)
        target = screenshots / f"{name}-{device}.png"
        browser_page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000, target
        width = browser_page.evaluate("() => document.documentElement.scrollWidth")
        viewport = browser_page.viewport_size["width"]
        assert width <= viewport, f"{path} scrolls sideways at {viewport}px"


NARROW_PAGES = [
    *PAGES.values(),
    "/licenses/",
    "/licenses/LicenseRef-FSL-1.0-ALv2/",
    "/licenses/compare/?license=MIT&license=BUSL-1.1",
    "/projects/?q=sentry&license=LicenseRef-FSL-1.0-ALv2",
    "/search/?q=apache+license",
]


def test_no_page_scrolls_sideways_at_320_pixels(browser, demo):
    """The narrowest phones: tables scroll in their own region, never the page."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    narrow = context.new_page()
    too_wide = {}
    for path in NARROW_PAGES:
        narrow.goto(demo + path)
        width = narrow.evaluate("() => document.documentElement.scrollWidth")
        if width > 320:
            too_wide[path] = width
    context.close()
    assert too_wide == {}
