"""Template helpers for links that change the current query string."""

from django import template

register = template.Library()


@register.simple_tag
def query_without(query, *names) -> str:
    """``?`` and ``query`` (a QueryDict) without the parameters ``names``.

    For "remove this filter" links: the other filters stay, the page number is
    dropped by passing ``"page"`` too. Django's ``{% querystring %}`` cannot take
    a parameter name from a variable, which a loop over a form's fields needs.
    """
    query = query.copy()
    for name in names:
        query.pop(name, None)
    return f"?{query.urlencode()}"
