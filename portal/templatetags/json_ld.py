"""``{% json_ld data %}``: schema.org data as a JSON-LD block with the request's
CSP nonce (see ``portal.text.json_ld``)."""

from django import template

from portal.text.json_ld import json_ld_script

register = template.Library()


@register.simple_tag(takes_context=True)
def json_ld(context, data):
    return json_ld_script(data, context.get("csp_nonce"))
