"""Everything editors write is Markdown, rendered once and sanitised once.

``render_markdown`` keeps ordinary Markdown and removes what could run in a reader's
browser; the API's ``*_html`` fields and the site's pages both show its output.
"""

import re

import pytest

from portal.models import Statement
from portal.text.markdown import render_markdown

HOSTILE = (
    "Hello *world*.\n\n"
    "<script>alert('script')</script>\n\n"
    '<img src="x.png" onerror="alert(\'onerror\')">\n\n'
    "[click](javascript:alert('link'))\n\n"
    "<a href=\"javascript:alert('anchor')\" onclick=\"alert('onclick')\">a</a>"
)


def assert_harmless(html):
    lowered = html.lower()
    assert "<script" not in lowered
    assert "onerror" not in lowered
    assert "onclick" not in lowered
    assert "javascript:" not in lowered
    assert "alert(" not in lowered


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<scr<script>ipt>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<p onmouseover="alert(1)">hover</p>',
        "<svg onload=alert(1)>",
        '<iframe src="https://evil.example"></iframe>',
        "<style>body { display: none }</style>",
        "[link](javascript:alert(1))",
        "[link](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">link</a>',
        "[link](data:text/html;base64,PHNjcmlwdD4=)",
        "[link](vbscript:msgbox(1))",
    ],
)
def test_render_markdown_removes_what_could_run(text):
    html = render_markdown(text)

    lowered = html.lower()
    for danger in [
        "<script",
        "<iframe",
        "<style",
        "<svg",
        "onerror",
        "onload",
        "onmouseover",
        "javascript:",
        "vbscript:",
        "data:",
    ]:
        assert danger not in lowered, html


def test_render_markdown_keeps_emphasis():
    assert render_markdown("*open* and **free** and ~~no~~") == (
        "<p><em>open</em> and <strong>free</strong> and ~~no~~</p>"
    )


def test_render_markdown_keeps_links_and_marks_them_noopener():
    html = render_markdown('[Snuba](https://github.com/getsentry/snuba "Source")')

    assert html == (
        '<p><a href="https://github.com/getsentry/snuba" title="Source" '
        'rel="noopener noreferrer">Snuba</a></p>'
    )


@pytest.mark.parametrize(
    "href", ["/projects/snuba/", "#goals", "mailto:oss@example.com", "http://a.example"]
)
def test_render_markdown_keeps_safe_link_targets(href):
    assert f'href="{href}"' in render_markdown(f"[x]({href})")


def test_render_markdown_keeps_lists():
    assert render_markdown("- one\n- two\n\n1. first\n2. second") == (
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        "<ol>\n<li>first</li>\n<li>second</li>\n</ol>"
    )


def test_render_markdown_keeps_code():
    html = render_markdown("Run `pip install`:\n\n```\n<script>x</script>\n```")

    assert "<code>pip install</code>" in html
    # Code is shown, escaped, not run.
    assert "<pre><code>&lt;script&gt;x&lt;/script&gt;\n</code></pre>" in html


def test_render_markdown_keeps_tables_and_quotes():
    html = render_markdown("> We are open.\n\n| a | b |\n|---|---|\n| 1 | 2 |")

    assert "<blockquote>\n<p>We are open.</p>\n</blockquote>" in html
    assert "<table>" in html
    assert "<td>1</td>" in html


def test_render_markdown_escapes_text_that_looks_like_html():
    assert render_markdown("1 < 2 & 3 > 2") == "<p>1 &lt; 2 &amp; 3 &gt; 2</p>"


@pytest.mark.parametrize("text", ["", None])
def test_render_markdown_of_nothing_is_empty(text):
    assert render_markdown(text) == ""


def test_render_markdown_returns_a_plain_string():
    # Not a SafeString: templates must opt in with |safe on this one output.
    assert type(render_markdown("*x*")) is str


# Both doors show the sanitised HTML


@pytest.fixture
def hostile_content(
    make_license, make_project, make_release, make_section, make_statement
):
    make_license("MIT", summary=HOSTILE)
    make_project("Snuba", description=HOSTILE)
    section = make_section("Goals", intro=HOSTILE)
    make_statement(section, body=HOSTILE)
    make_statement(
        section,
        body=HOSTILE,
        kind=Statement.Kind.COMPARISON,
        title="Open",
        contrast_title="Closed",
        contrast_body=HOSTILE,
    )


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/api/v1/licenses/MIT/", ["summary_html"]),
        ("/api/v1/projects/snuba/", ["description_html"]),
        ("/api/v1/sections/goals/", ["intro_html"]),
    ],
)
def test_api_html_fields_are_sanitised_markdown(
    api_client, hostile_content, url, fields
):
    data = api_client.get(url).json()

    for field in fields:
        assert data[field] == render_markdown(HOSTILE)
        assert "<em>world</em>" in data[field]
        assert_harmless(data[field])


def test_api_statement_html_fields_are_sanitised_markdown(api_client, hostile_content):
    paragraph, comparison = api_client.get("/api/v1/statements/").json()["results"]

    assert paragraph["body_html"] == render_markdown(HOSTILE)
    assert comparison["contrast"]["body_html"] == render_markdown(HOSTILE)
    assert "<em>world</em>" in comparison["contrast"]["body_html"]
    assert_harmless(comparison["contrast"]["body_html"])


@pytest.mark.parametrize("url", ["/", "/licenses/MIT/", "/projects/snuba/"])
def test_site_pages_show_sanitised_markdown(client, hostile_content, url):
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<em>world</em>" in html
    # A project page's JSON-LD block is data, not script, and is escaped on its
    # own (tests/test_discovery.py); the rest of the page must hold no script.
    html = re.sub(r'<script type="application/ld\+json"[^>]*>.*?</script>', "", html)
    assert_harmless(html)
