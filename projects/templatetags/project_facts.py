"""The labels of ``projects/_project_facts.html``, translated once per page.

The directory shows the facts of twenty projects: asking for the five labels
once, rather than five translation tags per card, keeps the page's rendering
time to the projects themselves.
"""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def project_fact_labels() -> dict[str, str]:
    """``{% project_fact_labels as facts_labels %}`` before the include(s)."""
    return {
        "license": gettext("License"),
        "licenses_used": gettext("Licenses used"),
        "category": gettext("Category"),
        "languages": gettext("Languages"),
        "status": gettext("Status"),
    }
