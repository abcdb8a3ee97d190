"""A project's license as a small SVG badge, for READMEs and other sites.

The badge is two-part like the shields.io ones (a grey label, a coloured value),
drawn by our own template (``projects/badge.svg``) so nothing is fetched from a
third party. Its geometry is computed here: SVG has no automatic layout, so the
width of each part comes from the width of its text, estimated from the
average glyph widths of Verdana at 11px; ``textLength`` in the template then
makes the text fill exactly that width, whatever font the viewer has.
"""

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.translation import gettext as _

from portal.text.hygiene import xml_safe

HEIGHT = 20
PADDING = 6
FONT_SIZE = 11
LABEL_COLOR = "#555"
VALUE_COLOR = "#4b2bb3"  # the site's accent colour

# Approximate advance widths (px) of Verdana at 11px, by character class.
_NARROW = dict.fromkeys("ijl.,:;'|!", 3.4)
_SLIM = dict.fromkeys("frt()[]{}/ ", 4.4)
_WIDE = dict.fromkeys("mwMW", 10.2)
_WIDTHS = {**_NARROW, **_SLIM, **_WIDE, "-": 4.6, "·": 4.4}


def text_width(text: str) -> int:
    """The estimated width of ``text`` in pixels, rounded up."""
    width = 0.0
    for char in text:
        if char in _WIDTHS:
            width += _WIDTHS[char]
        elif char.isupper():
            width += 7.6
        else:
            width += 6.8
    return math.ceil(width)


@dataclass(frozen=True)
class Badge:
    label: str
    value: str
    title: str

    @property
    def label_text_width(self) -> int:
        return text_width(self.label)

    @property
    def value_text_width(self) -> int:
        return text_width(self.value)

    @property
    def label_width(self) -> int:
        return self.label_text_width + 2 * PADDING

    @property
    def value_width(self) -> int:
        return self.value_text_width + 2 * PADDING

    @property
    def width(self) -> int:
        return self.label_width + self.value_width

    @property
    def label_x(self) -> float:
        return self.label_width / 2

    @property
    def value_x(self) -> float:
        return self.label_width + self.value_width / 2

    height = HEIGHT
    font_size = FONT_SIZE
    label_color = LABEL_COLOR
    value_color = VALUE_COLOR


def license_badge(project, next_conversion=None) -> Badge:
    """The badge of ``project``: its license expression and, if a release is yet
    to become open source, the next such conversion."""
    value = project.license_expression
    title = _("License of %(project)s: %(expression)s.") % {
        "project": project.name,
        "expression": project.license_expression,
    }
    if next_conversion is not None:
        change = conversion_change(next_conversion)
        value = f"{value} · {change}"
        title += " " + _("Next to become open source: %(version)s, %(change)s.") % {
            "version": next_conversion.version,
            "change": change,
        }
    # Rows saved before the text rules may hold what XML forbids.
    return Badge(label=_("license"), value=xml_safe(value), title=xml_safe(title))


def conversion_change(release) -> str:
    """ "Apache-2.0 on 2026-11-15": what a release turns into, and when."""
    return _("%(license)s on %(date)s") % {
        "license": release.converts_to or _("open source"),
        "date": release.converts_on.isoformat(),
    }


def embed_snippets(*, name: str, badge_url: str, page_url: str) -> dict[str, str]:
    """The Markdown and HTML that show the badge, linked to the project page."""
    alt = _("License of %(project)s") % {"project": name}
    markdown_alt = alt.replace("[", "(").replace("]", ")")
    return {
        "markdown": f"[![{markdown_alt}]({badge_url})]({page_url})",
        # A plain string (not SafeString): the page shows it as text.
        "html": (
            f'<a href="{escape(page_url)}">'
            f'<img src="{escape(badge_url)}" alt="{escape(alt)}"></a>'
        ),
    }
