"""Markdown rendering for everything editors write, sanitised once.

Editors write Markdown; readers and API clients get HTML that went through an
allow-list (nh3): no scripts, no event handlers, no ``javascript:`` links. The
HTML is rendered when a row is saved and stored beside its Markdown
(``portal.text.fields.MarkdownHTMLField``): pages, feeds and the API's ``*_html``
fields read it, and the admin's live preview calls :func:`render_markdown` too,
so every door shows the same, safe HTML.

The dialect is CommonMark with GitHub's tables, parsed by cmark-gfm (GitHub's C
implementation, through cmarkgfm), whose parser runs in time linear in its input
and is tested against pathological inputs: 50,000 characters of unmatched
brackets, emphasis, backticks or nested quotes render in milliseconds.
(Python-Markdown, used before, looked for the closing ``]`` of every ``[`` and the
closing ``)`` of every ``](`` character by character to the end of the text, once
for each of its five link and reference patterns: 12,000 unmatched brackets took
half a minute.)

The sanitiser's HTML parser (html5ever, in nh3) takes time quadratic in how deep
elements nest: 25,000 nested quotes (``"> " * 25000``) took seven seconds. So
before sanitising, :func:`limit_nesting` leaves out the tags nested deeper than
``MAX_NESTING`` (their text stays), in one pass. ``bench/markdown_bench.py``
prints the times of such inputs.
"""

import re
from collections import Counter

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt",
    "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# Raw HTML is passed on (editors may write <abbr>, <sub>, <dl>...): nh3 decides
# what stays, for Markdown and HTML alike, so cmark's own filters are not used.
CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE
CMARK_EXTENSIONS = ["table"]
# Halves of a UTF-16 pair cannot be encoded for the parser; the text rules refuse
# them on save, but the admin's preview renders whatever it is sent.
UNPAIRED_SURROGATE = re.compile("[\ud800-\udfff]")

# Deeper than this, quotes, lists and HTML elements are not nested further.
MAX_NESTING = 100
# A start or end tag as an HTML parser sees it, near enough: only the depth
# depends on it, nh3 decides what the HTML is.
TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)[^>]*>")
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link",
    "meta", "param", "source", "track", "wbr",
}  # fmt: skip


def limit_nesting(html: str, depth: int = MAX_NESTING) -> str:
    """``html`` without the start and end tags of elements nested deeper than
    ``depth``; their content stays, one level up."""
    open_names: list[str] = []
    left_out: Counter[str] = Counter()
    parts, kept_from = [], 0
    for tag in TAG.finditer(html):
        closing, name = tag.group(1), tag.group(2).lower()
        if name in VOID_ELEMENTS:
            continue
        if not closing:
            if len(open_names) < depth:
                open_names.append(name)
                continue
            left_out[name] += 1
        elif left_out[name]:
            left_out[name] -= 1
        else:
            # An end tag also ends the elements opened inside it and left open.
            if name in open_names:
                del open_names[len(open_names) - 1 - open_names[::-1].index(name) :]
            continue
        parts.append(html[kept_from : tag.start()])
        kept_from = tag.end()
    parts.append(html[kept_from:])
    return "".join(parts)


def render_markdown(text: str) -> str:
    """Render ``text`` as Markdown and return sanitised HTML (a plain ``str``)."""
    if not text:
        return ""
    html = cmarkgfm.markdown_to_html_with_extensions(
        UNPAIRED_SURROGATE.sub("\ufffd", text),
        options=CMARK_OPTIONS,
        extensions=CMARK_EXTENSIONS,
    )
    return nh3.clean(
        limit_nesting(html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).rstrip("\n")
