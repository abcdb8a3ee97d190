"""What a license lets you do, asks of you, and does not give you.

The vocabulary made common by choosealicense.com: *permissions*, *conditions* and
*limitations*, each a fixed list of rule keys with a plain-language label. Licenses
store the keys; pages and the API show them with these labels.

One condition is the portal's own: ``no-competing-use``, the restriction that makes
a license source-available (BUSL-1.1's Additional Use Grant, FSL's Competing Use),
which choosealicense.com has no key for since it lists open-source licenses only.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Permission(models.TextChoices):
    COMMERCIAL_USE = "commercial-use", _("Commercial use")
    MODIFICATIONS = "modifications", _("Modification")
    DISTRIBUTION = "distribution", _("Distribution")
    PRIVATE_USE = "private-use", _("Private use")
    PATENT_USE = "patent-use", _("Patent use")


class Condition(models.TextChoices):
    INCLUDE_COPYRIGHT = "include-copyright", _("License and copyright notice")
    INCLUDE_COPYRIGHT_SOURCE = (
        "include-copyright--source",
        _("License and copyright notice for source"),
    )
    DOCUMENT_CHANGES = "document-changes", _("State changes")
    DISCLOSE_SOURCE = "disclose-source", _("Disclose source")
    NETWORK_USE_DISCLOSE = "network-use-disclose", _("Network use is distribution")
    SAME_LICENSE = "same-license", _("Same license")
    SAME_LICENSE_FILE = "same-license--file", _("Same license (file)")
    SAME_LICENSE_LIBRARY = "same-license--library", _("Same license (library)")
    NO_COMPETING_USE = "no-competing-use", _("No competing commercial offering")


class Limitation(models.TextChoices):
    TRADEMARK_USE = "trademark-use", _("Trademark use")
    LIABILITY = "liability", _("Liability")
    PATENT_USE = "patent-use", _("Patent use")
    WARRANTY = "warranty", _("Warranty")


VOCABULARIES = {
    "permissions": Permission,
    "conditions": Condition,
    "limitations": Limitation,
}


def labelled(kind: str, keys: list[str]) -> list[dict[str, str]]:
    """``[{"key": ..., "label": ...}]`` for the known keys of one rule kind."""
    choices = VOCABULARIES[kind]
    labels = dict(choices.choices)
    return [{"key": key, "label": str(labels[key])} for key in keys if key in labels]
