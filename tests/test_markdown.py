"""Everything editors write is Markdown, rendered once and sanitised once.

``render_markdown`` keeps ordinary Markdown and removes what could run in a reader's
browser; the API's ``*_html`` fields and the site's pages both show its output.
"""

import re

import pytest

from licenses.models import License
from portal.models import Section, Statement
from portal.text.fields import MarkdownHTMLField, render_stored_markdown
from portal.text.markdown import MAX_NESTING, limit_nesting, render_markdown
from projects.models import Project

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


# Pathological input renders, and in time linear in its length:
# each of these took seconds to minutes with the renderer used before.
# bench/markdown_bench.py prints the times.


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("[" * 12000, "<p>" + "[" * 12000 + "</p>"),
        ("[" * 50000, "<p>" + "[" * 50000 + "</p>"),
        ("]" * 50000, "<p>" + "]" * 50000 + "</p>"),
        ("![" * 12000, "<p>" + "![" * 12000 + "</p>"),
        ("[a](" * 12000, "<p>" + "[a](" * 12000 + "</p>"),
        ("[a]" * 12000, "<p>" + "[a]" * 12000 + "</p>"),
        ("*" * 50000, "<hr>"),
        ("_" * 50000, "<hr>"),
        ("`" * 50000, "<pre><code></code></pre>"),
        ("<" * 50000, "<p>" + "&lt;" * 50000 + "</p>"),
        ("&" * 50000, "<p>" + "&amp;" * 50000 + "</p>"),
        ("*a" * 25000, "<p>" + "<em>a</em>a" * 12500 + "</p>"),
    ],
    ids=lambda value: repr(value[:12]),
)
def test_pathological_input_renders_as_text(text, html):
    assert render_markdown(text) == html


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("> " * 5000 + "deep", "<blockquote>"),
        ("> " * 25000 + "deep", "<blockquote>"),
        ("- " * 5000 + "deep", "<ul>"),
        ("1. " * 5000 + "deep", "<ol>"),
        ("<div>" * 12000 + "deep", "<div>"),
        ("<blockquote>" * 4000 + "deep", "<blockquote>"),
    ],
    ids=lambda value: repr(value[:12]) if isinstance(value, str) else None,
)
def test_deep_nesting_stops_at_the_limit_and_keeps_the_text(text, tag):
    html = render_markdown(text)

    assert "deep" in html
    assert 0 < html.count(tag) <= MAX_NESTING


def test_nesting_below_the_limit_is_kept():
    html = render_markdown("- one\n  - two\n    > three\n    > > four")

    assert html.count("<ul>") == 2
    assert html.count("<blockquote>") == 2
    assert "four" in html


def test_left_out_tags_keep_their_content_one_level_up():
    html = "<div><p>a<b>b</b></p><div><div>c</div></div></div><br><i>d</i>"

    assert limit_nesting(html, depth=2) == (
        "<div><p>ab</p><div>c</div></div><br><i>d</i>"
    )


def test_unpaired_surrogates_render_as_replacement_characters():
    # The text rules refuse them on save; the admin's preview renders anything.
    assert render_markdown("a\ud800b") == "<p>a\ufffdb</p>"


# Rendered once, when saved


def test_saving_stores_the_rendered_markdown(make_project):
    project = make_project("Snuba", description="*Fast*.")

    project.refresh_from_db()
    assert project.description_html == "<p><em>Fast</em>.</p>"

    project.description = "**Faster**."
    project.save()
    project.refresh_from_db()
    assert project.description_html == "<p><strong>Faster</strong>.</p>"


@pytest.mark.parametrize(
    ("model", "source", "html"),
    [
        (Section, "intro", "intro_html"),
        (Statement, "body", "body_html"),
        (Statement, "contrast_body", "contrast_body_html"),
        (License, "summary", "summary_html"),
        (Project, "description", "description_html"),
    ],
)
def test_every_markdown_field_has_its_stored_html(model, source, html):
    field = model._meta.get_field(html)

    assert isinstance(field, MarkdownHTMLField)
    assert field.source == source
    assert not field.editable


@pytest.mark.parametrize(
    ("url", "read"),
    [
        ("/projects/snuba/", lambda response: response.content.decode()),
        (
            "/api/v1/projects/snuba/",
            lambda response: response.json()["description_html"],
        ),
    ],
)
def test_pages_and_api_show_the_stored_html_without_rendering(
    client, make_project, url, read
):
    make_project("Snuba", slug="snuba", description="*Stored*.")
    # Changed behind the model's back: a request that rendered the Markdown
    # would show it.
    Project.objects.update(description="*Not rendered*.")

    shown = read(client.get(url))

    assert "<em>Stored</em>" in shown
    assert "Not rendered" not in shown


def test_a_pathological_description_is_saved_and_shown(client, make_project):
    make_project("Snuba", slug="snuba", description="[" * 12000)

    response = client.get("/projects/snuba/")

    assert response.status_code == 200
    assert "[" * 12000 in response.content.decode()


def test_rows_saved_before_the_html_was_stored_are_rendered(make_project):
    make_project("Snuba", description="*One*.")
    make_project("Relay", description="")
    Project.objects.update(description_html="")

    assert render_stored_markdown(Project) == 2

    assert sorted(Project.objects.values_list("description_html", flat=True)) == [
        "",
        "<p><em>One</em>.</p>",
    ]
