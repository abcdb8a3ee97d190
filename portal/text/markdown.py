"""Markdown rendering for everything editors write, sanitised once.

Editors write Markdown; readers and API clients get HTML that went through an
allow-list (nh3): no scripts, no event handlers, no ``javascript:`` links. The site
(template filter ``markdown``) and the API (``*_html`` fields) both call
:func:`render_markdown`, so both doors show the same, safe HTML.
"""

from functools import lru_cache

import markdown as markdown_lib
import nh3

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


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Render ``text`` as Markdown and return sanitised HTML (a plain ``str``)."""
    if not text:
        return ""
    html = markdown_lib.markdown(
        text, extensions=["extra", "sane_lists"], output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
