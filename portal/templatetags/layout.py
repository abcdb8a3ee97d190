"""``{% layout_part "name" key... %}...{% endlayout_part %}``: a part of the
site's layout rendered once per process and kept.

The header's navigation and the footer's links are the same on every page of
a language (the navigation also per section of the site), but rendering them
costs a dozen address lookups and twenty translations per request. A part is
kept by its name, the active language, the script prefix (where the site is
mounted: the addresses start with it) and the values of its keys, which must
name everything it shows besides those: it must not read the page's context
otherwise. Nothing in a part depends on the content, so a publish changes
none; a new release of the code starts new processes.
"""

from django import template
from django.urls import get_script_prefix
from django.utils.translation import get_language

register = template.Library()

# (name, language, script prefix, keys) -> the rendered part. Bounded: the
# names are the template's, the keys a handful of values each.
_kept: dict[tuple, str] = {}
KEPT_MOST = 256


class LayoutPartNode(template.Node):
    def __init__(self, name, keys, nodelist):
        self.name = name
        self.keys = keys
        self.nodelist = nodelist

    def render(self, context):
        key = (
            self.name,
            get_language(),
            get_script_prefix(),
            tuple(str(key.resolve(context)) for key in self.keys),
        )
        part = _kept.get(key)
        if part is None:
            part = self.nodelist.render(context)
            if len(_kept) >= KEPT_MOST:
                _kept.clear()
            _kept[key] = part
        return part


@register.tag("layout_part")
def layout_part(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("layout_part needs a name")
    name = bits[1].strip("\"'")
    keys = [parser.compile_filter(bit) for bit in bits[2:]]
    nodelist = parser.parse(("endlayout_part",))
    parser.delete_first_token()
    return LayoutPartNode(name, keys, nodelist)
