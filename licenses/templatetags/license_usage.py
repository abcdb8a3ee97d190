"""``{% licenses_with_projects as licenses %}``: for the philosophy page, whose
view (in the portal core) knows nothing of licenses."""

from django import template

from licenses import usage

register = template.Library()


@register.simple_tag
def licenses_with_projects():
    return usage.licenses_with_projects()
