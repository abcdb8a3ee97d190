"""Template helpers for what a page says about itself in its ``<head>``."""

from django import template
from django.http import QueryDict
from django.utils import translation
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_links(context, path, page=None):
    """``<link rel="canonical">`` and ``og:url``: the page's one absolute address.

    Filters, sort orders and tracking parameters are variations of one page,
    so they are left out; only a page number after the first is kept (page 2 of
    a list is a page of its own).
    """
    request = context.get("request")
    if request is None:
        return ""
    url = request.build_absolute_uri(path)
    if page and int(page) > 1:
        query = QueryDict(mutable=True)
        query["page"] = str(page)
        url = f"{url}?{query.urlencode()}"
    return format_html(
        '<link rel="canonical" href="{}">\n  <meta property="og:url" content="{}">',
        url,
        url,
    )


@register.filter
def to_locale(language_code: str) -> str:
    """``en-us`` -> ``en_US``: a language code as OpenGraph's ``og:locale``."""
    return translation.to_locale(language_code or "")
