"""The organisation's accent colour, made readable in both colour schemes.

Editors pick one colour in the site settings; the site needs it as link and
button colour on a light and on a dark page, and behind chips. Each variant is
the picked colour darkened (light scheme) or lightened (dark scheme) just
enough for WCAG AA text contrast (4.5:1) against the page and its soft tint, so
no choice can make the site unreadable.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
LIGHT_PAGE = "#fbfaf8"  # --color-bg of the light scheme (static/portal/site.css)
DARK_PAGE = "#131218"  # --color-bg of the dark scheme
AA = 4.5


def validate_hex_colour(value: str) -> None:
    if not HEX_COLOUR.match(value):
        raise ValidationError(
            _("Enter a colour as # and six hex digits, e.g. #6c5fc7."), code="colour"
        )


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(max(0, min(1, c)) * 255):02x}" for c in rgb)


def _mix(colour: str, other: str, share_of_other: float) -> str:
    a, b = _rgb(colour), _rgb(other)
    return _hex(x + (y - x) * share_of_other for x, y in zip(a, b, strict=True))


def _luminance(colour: str) -> float:
    def channel(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, two: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _readable(colour: str, page: str, soft: str, towards: str) -> str:
    """``colour`` moved towards ``towards`` (black or white) in small steps until
    it reads at AA on ``page`` and on ``soft``."""
    share = 0.0
    candidate = colour
    while share < 1 and min(contrast(candidate, page), contrast(candidate, soft)) < AA:
        share += 0.04
        candidate = _mix(colour, towards, share)
    return candidate


def accent_palette(colour: str) -> dict[str, dict[str, str]]:
    """The accent custom properties for the light and the dark scheme."""
    light_soft = _mix(colour, LIGHT_PAGE, 0.88)
    dark_soft = _mix(colour, DARK_PAGE, 0.75)
    light = _readable(colour, LIGHT_PAGE, light_soft, "#000000")
    dark = _readable(colour, DARK_PAGE, dark_soft, "#ffffff")
    return {
        "light": {
            "--color-accent": light,
            "--color-accent-hover": _mix(light, "#000000", 0.3),
            "--color-accent-soft": light_soft,
        },
        "dark": {
            "--color-accent": dark,
            "--color-accent-hover": _mix(dark, "#ffffff", 0.4),
            "--color-accent-soft": dark_soft,
        },
    }


def accent_stylesheet(colour: str) -> str:
    palette = accent_palette(colour)

    def block(values):
        return "".join(f"{name}:{value};" for name, value in values.items())

    return (
        f":root{{{block(palette['light'])}}}\n"
        "@media (prefers-color-scheme: dark){"
        f":root{{{block(palette['dark'])}}}}}\n"
    )
