"""The admin's lists fit a laptop screen: every column, the state and "public
now" included, is visible at 1280 and 1440 pixels without scrolling the table
sideways. A screenshot of each list at each width is kept with the test's
temporary files for a look."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

PASSWORD = "a long enough password for the publisher"
LISTS = [
    "/admin/projects/project/",
    "/admin/projects/release/",
    "/admin/licenses/license/",
    "/admin/portal/section/",
    "/admin/portal/statement/",
]


def log_in_as_publisher(page, base_url):
    user = get_user_model().objects.create_user(
        "publisher", password=PASSWORD, is_staff=True
    )
    group = Group.objects.filter(name="Publisher").first()
    if group is not None:
        user.groups.add(group)
    else:  # flushed by an earlier transactional test
        user.is_superuser = True
        user.save()
    page.goto(base_url + "/admin/login/")
    page.fill("input[name=username]", "publisher")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


@pytest.mark.parametrize("width", [1280, 1440])
def test_admin_lists_show_state_and_public_now_without_scrolling(
    page, demo, width, tmp_path
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in_as_publisher(page, demo)

    for path in LISTS:
        assert page.goto(demo + path).status == 200, path
        page.screenshot(
            path=tmp_path / f"{path.strip('/').replace('/', '-')}-{width}.png",
            full_page=True,
        )
        layout = page.evaluate(
            """() => {
              const results = document.querySelector('#changelist .results');
              const table = document.querySelector('#result_list');
              const headers = [...table.querySelectorAll('thead th')].map(th => ({
                text: th.innerText.trim().toLowerCase(),
                right: th.getBoundingClientRect().right,
              }));
              return {
                overflow: table.scrollWidth - results.clientWidth,
                page: document.documentElement.scrollWidth - window.innerWidth,
                headers,
              };
            }"""
        )
        assert layout["overflow"] <= 0, (path, width, layout)
        assert layout["page"] <= 0, (path, width, layout)
        names = {header["text"] for header in layout["headers"]}
        assert {"state", "public now"} <= names, (path, names)
        for header in layout["headers"]:
            assert header["right"] <= width, (path, width, header)
