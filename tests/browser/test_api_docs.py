"""The API documentation (Swagger UI) as an integrator sees it in a browser: one
group per resource, a lock only on the operations that need a token, and a read
tried from the page itself answers."""

import pytest

OPERATIONS = """() => [...document.querySelectorAll('.opblock')].map((block) => ({
  tag: block.closest('.opblock-tag-section')
    .querySelector('.opblock-tag').getAttribute('data-tag'),
  method: block.querySelector('.opblock-summary-method').textContent,
  path: block.querySelector('.opblock-summary-path').getAttribute('data-path'),
  locked: !!block.querySelector('.authorization__btn'),
}))"""


@pytest.fixture
def api_docs(page, demo):
    problems = []
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(message.text),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(demo + "/api/docs/")
    page.wait_for_selector(".opblock")
    page.problems = problems
    return page


def test_api_docs_group_operations_by_resource_and_lock_only_writes(api_docs):
    operations = api_docs.evaluate(OPERATIONS)
    tags = {operation["tag"] for operation in operations}
    assert {"projects", "licenses", "sections", "statements", "conversions"} <= tags
    assert "v1" not in tags
    for operation in operations:
        assert operation["path"].startswith("/api/v1/")
        # Reads are open to everyone; every write needs a token.
        assert operation["locked"] == (operation["method"] != "GET"), operation
    assert {op["method"] for op in operations} >= {"GET", "POST", "PUT", "PATCH"}
    assert api_docs.problems == []


def test_a_read_tried_from_the_api_docs_answers_with_the_licenses(api_docs):
    block = api_docs.locator("#operations-licenses-licenses_list")
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.get_by_role("button", name="Execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert "BUSL-1.1" in block.locator(".live-responses-table").inner_text()
    assert api_docs.problems == []
