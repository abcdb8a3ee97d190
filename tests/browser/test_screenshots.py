"""Screenshots of every page type at desktop and phone widths, in the light and
the dark scheme, for the README.

``<page>-<desktop|phone>[-dark].png`` (full page) with the demo content, in a temporary
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
    "licenses": "/licenses/",
    "compare": "/licenses/compare/?license=MIT&license=BUSL-1.1&license=FSL-1.1-ALv2",
    "check": "/licenses/check/?expression=GPL-2.0%2B+OR+mit",
    "search": "/search/?q=apache+license",
}


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots_of_the_main_pages(request, demo, screenshots, device):
    """Each page in both schemes (the scheme switched on the loaded page): a
    picture of some substance, and nothing wider than the screen. Whole pages
    for the README (``--screenshots``); otherwise the screen's part, which
    costs a fraction and shows the same rendering."""
    browser_page = request.getfixturevalue("page" if device == "desktop" else "phone")
    full_page = request.config.getoption("screenshots")
    viewport = browser_page.viewport_size["width"]
    for name, path in PAGES.items():
        browser_page.emulate_media(color_scheme="light")
        browser_page.goto(demo + path)
        for scheme, suffix in [("light", ""), ("dark", "-dark")]:
            browser_page.emulate_media(color_scheme=scheme)
            target = screenshots / f"{name}-{device}{suffix}.png"
            browser_page.screenshot(path=str(target), full_page=full_page)
            assert target.stat().st_size > 10_000, target
            width = browser_page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= viewport, f"{path} scrolls sideways at {viewport}px"


NARROW_PAGES = [
    *PAGES.values(),
    "/licenses/",
    "/licenses/LicenseRef-FSL-1.0-ALv2/",
    "/licenses/compare/?license=MIT&license=BUSL-1.1",
    "/projects/?q=sentry&license=LicenseRef-FSL-1.0-ALv2",
    "/search/?q=apache+license",
    "/search/?q=zeppelin",
    "/licenses/check/?expression=GPL-2.0%2B+OR+mit",
    "/no/such/page/",
]

# Table cells (and the regions around tables) wider than the room they have:
# their content is cut off or needs a sideways scroll to be read. (A stacked
# table's column headings are visually hidden, one pixel wide: not read there.)
CLIPPED_CELLS = """() => [...document.querySelectorAll(
    'main td, main th, main .table-scroll')].filter(
    (cell) => !(cell.closest('thead')?.getBoundingClientRect().width <= 1)
      && (cell.scrollWidth > cell.clientWidth + 1
      || cell.getBoundingClientRect().right > window.innerWidth + 1)
  ).map((cell) => cell.textContent.trim().slice(0, 40))"""


def test_no_page_scrolls_sideways_at_320_pixels(browser, demo):
    """The narrowest phones: tables stack their rows, nothing scrolls sideways
    and no table cell is cut off."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    narrow = context.new_page()
    too_wide, clipped = {}, {}
    for path in NARROW_PAGES:
        narrow.goto(demo + path)
        width = narrow.evaluate("() => document.documentElement.scrollWidth")
        if width > 320:
            too_wide[path] = width
        if cells := narrow.evaluate(CLIPPED_CELLS):
            clipped[path] = cells
    context.close()
    assert too_wide == {}
    assert clipped == {}


def test_tables_stack_their_rows_on_phones(phone, demo):
    """Under 600px each release is a block of labelled values, not a row of
    columns wider than the screen."""
    phone.goto(demo + "/projects/sentry/")
    cell = phone.locator("#releases-heading ~ .table-scroll td[data-label]").first
    label = cell.evaluate("(cell) => getComputedStyle(cell, '::before').content")
    assert cell.evaluate("(cell) => getComputedStyle(cell).display") != "table-cell"
    assert "Released on" in label


def test_directory_filters_fold_away_on_phones_and_show_as_chips(phone, demo):
    phone.goto(demo + "/projects/?license=MIT&status=active")
    assert not phone.locator("form.filters").is_visible()
    chips = phone.locator(".chips .chip")
    words = chips.first.inner_text().replace("\N{MULTIPLICATION SIGN}", "").split()
    assert words == ["License:", "MIT", "(remove)"]
    chips.first.click()
    assert phone.url == demo + "/projects/?status=active"
    phone.locator(".filters-disclosure__summary").click()
    assert phone.locator("form.filters").is_visible()


# Form controls whose chosen text is wider than the control shows: a select cuts
# its choice off ("Best match, or featured fi"). Measured with the control's own
# font, leaving room for its padding and the arrow.
CUT_CONTROLS = """() => {
  const context = document.createElement('canvas').getContext('2d');
  return [...document.querySelectorAll('main select')].filter((select) => {
    if (!select.getClientRects().length) return false;
    const style = getComputedStyle(select);
    context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = select.options[select.selectedIndex]?.text ?? '';
    const room = select.clientWidth - parseFloat(style.paddingLeft)
      - parseFloat(style.paddingRight) - 20;
    return context.measureText(text).width > room;
  }).map((select) => select.name);
}"""

FORM_PAGES = ["/projects/", "/projects/?sort=name", "/conversions/"]


def test_no_filter_control_cuts_its_chosen_text(browser, demo):
    """At 1280, 1024, 768 and 375 pixels (the page resized, not reloaded)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    cut = {}
    for path in FORM_PAGES:
        page.goto(demo + path)
        page.evaluate(
            "() => document.querySelectorAll('details').forEach((d) => d.open = true)"
        )
        for width in [1280, 1024, 768, 375]:
            page.set_viewport_size({"width": width, "height": 900})
            if controls := page.evaluate(CUT_CONTROLS):
                cut[f"{path} at {width}px"] = controls
        page.set_viewport_size({"width": 1280, "height": 900})
    context.close()
    assert cut == {}
