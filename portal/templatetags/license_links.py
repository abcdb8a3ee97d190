"""Template helpers that name a license, linked when the public may open it.

Duck-typed on purpose (``spdx_id``, ``get_absolute_url()``, ``is_published()``):
the portal core does not import the licenses app.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def license_link(license_) -> str:
    """The license's SPDX id, linked to its page when that page is public.

    A draft license (say, the change license of a published one) is named but not
    linked: its page would be a 404.
    """
    if license_ is None:
        return ""
    if license_.is_published():
        return format_html(
            '<a href="{}">{}</a>', license_.get_absolute_url(), license_.spdx_id
        )
    return format_html("{}", license_.spdx_id)
