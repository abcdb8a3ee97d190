"""A project's facts (license, category, languages, status) and the directory's
cards, as HTML built here rather than by an included template.

The directory shows twenty cards, each with its facts: through the template
engine (an include per card, some thirty nodes each) they were the largest
part of the page's time. The markup is written once, below, for the cards and
for the project page alike. Every value in it goes through ``escape()``, as
the template's autoescaping did (no label or value is marked safe already, so
escaping each is what ``conditional_escape`` did), and only the joined result
of escaped values and fixed markup is marked safe. The whitespace is the
template's, so the pages stay as they were byte for byte (``tests/pages/``).
"""

from html import escape as _escape

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


def escape(value) -> str:
    """``django.utils.html.escape()`` (the same ``html.escape`` of the value as
    text), without its wrapper for lazy strings: a card escapes some fifteen
    values."""
    return _escape(str(value))


@register.simple_tag
def project_fact_labels() -> dict[str, str]:
    """``{% project_fact_labels as facts_labels %}``: the labels, translated once
    per page, before ``{% project_facts %}`` or ``{% project_cards %}``."""
    return {
        "license": gettext("License"),
        "licenses_used": gettext("Licenses used"),
        "category": gettext("Category"),
        "languages": gettext("Languages"),
        "status": gettext("Status"),
    }


def _repeated(memo: dict, value) -> str:
    """``escape(value)`` for a value many cards of a page share (a label, a
    license, a category, a status): escaped once per page."""
    try:
        return memo[value]
    except KeyError:
        memo[value] = escaped = escape(value)
        return escaped


def _license_chip(license_: dict, memo: dict) -> str:
    key = ("chip", license_["spdx_id"])
    if key not in memo:
        memo[key] = (
            f'<a class="license-chip" href="{escape(license_["url"])}">'
            f"{escape(license_['spdx_id'])}"
            f'<span class="visually-hidden">: {escape(license_["name"])}</span></a>'
        )
    return memo[key]


def facts_html(
    facts: dict, labels: dict, facts_class: str = "facts", memo: dict | None = None
) -> str:
    """A project's facts as a definition list. ``facts``: plain values
    (``projects.models.project_facts``); ``labels``: ``project_fact_labels()``;
    ``memo``: the escaped values a page's cards share. The markup of escaped
    values, not yet marked safe."""
    if memo is None:
        memo = {}
    parts = [
        f'\n<dl class="{_repeated(memo, facts_class)}">\n  <div>\n'
        f"    <dt>{_repeated(memo, labels['license'])}</dt>\n    <dd>\n      "
    ]
    single = facts["single_license"]
    if single:
        parts.append(f"\n        {_license_chip(single, memo)}\n      ")
    else:
        parts.append(
            f"\n        <code>{escape(facts['license_expression'])}</code>\n        "
        )
        if facts["licenses"]:
            parts.append(
                '\n          <ul class="inline-list" aria-label="'
                f'{_repeated(memo, labels["licenses_used"])}">\n            '
            )
            parts.extend(
                f"\n              <li>{_license_chip(license_, memo)}</li>"
                "\n            "
                for license_ in facts["licenses"]
            )
            parts.append("\n          </ul>\n        ")
        parts.append("\n      ")
    parts.append("\n    </dd>\n  </div>\n  ")
    if facts["category"]:
        parts.append(
            f"\n    <div>\n      <dt>{_repeated(memo, labels['category'])}</dt>\n"
            f"      <dd>{_repeated(memo, facts['category'])}</dd>\n    </div>\n  "
        )
    parts.append("\n  \n    ")
    if facts["languages"]:
        names = ", ".join(_repeated(memo, name) for name in facts["languages"])
        parts.append(
            f"\n      <div>\n        <dt>{_repeated(memo, labels['languages'])}</dt>\n"
            f"        <dd>{names}</dd>\n      </div>\n    "
        )
    parts.append(
        f"\n  \n  <div>\n    <dt>{_repeated(memo, labels['status'])}</dt>\n"
        f'    <dd><span class="status status--{_repeated(memo, facts["status"])}">'
        f"{_repeated(memo, facts['status_label'])}</span></dd>\n  </div>\n</dl>\n"
    )
    return "".join(parts)


@register.simple_tag
def project_facts(facts: dict, labels: dict, facts_class: str = "facts"):
    """``{% project_facts facts facts_labels %}``: one project's facts."""
    return SafeString(facts_html(facts, labels, facts_class))


@register.simple_tag
def project_cards(projects: list, labels: dict):
    """``{% project_cards projects facts_labels %}``: the directory's cards, the
    items of its list. ``projects``: rows of ``projects.models.with_card_values``
    (``url``, ``name``, ``summary``, ``facts``)."""
    memo = {}
    return SafeString(
        "".join(
            '\n        <li class="card">\n          <h3 class="card__title">'
            f'<a href="{escape(project["url"])}">{escape(project["name"])}</a></h3>'
            f"\n          <p>{escape(project['summary'])}</p>\n          "
            f"{facts_html(project['facts'], labels, 'meta-list', memo)}"
            "\n        </li>\n      "
            for project in projects
        )
    )
