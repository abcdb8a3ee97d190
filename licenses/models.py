"""Licenses the organisation uses, identified by their SPDX id."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from licenses.expressions import LICENSE_REF, check_expression, suggest_ids
from portal.markdown import render_markdown
from portal.publishing import Publishable


class Family(models.TextChoices):
    PERMISSIVE = "permissive", _("Permissive")
    WEAK_COPYLEFT = "weak_copyleft", _("Weak copyleft")
    STRONG_COPYLEFT = "strong_copyleft", _("Strong copyleft")
    SOURCE_AVAILABLE = "source_available", _("Source-available")
    PUBLIC_DOMAIN = "public_domain", _("Public domain")
    OTHER = "other", _("Other")


def canonical_license_id(value: str) -> str:
    """The canonical spelling of an SPDX id or ``LicenseRef-``; raises if neither."""
    value = (value or "").strip()
    if LICENSE_REF.fullmatch(value):
        return value
    check = check_expression(value)
    if check.valid and len(check.license_ids) == 1 and " " not in check.normalized:
        return check.license_ids[0]
    suggestions = suggest_ids(value)
    message = _("'%(value)s' is not an SPDX license id or a LicenseRef-... id.") % {
        "value": value
    }
    if suggestions:
        message += " " + _("Did you mean %(ids)s?") % {"ids": ", ".join(suggestions)}
    raise ValidationError(message, code="invalid_spdx_id")


class License(Publishable):
    spdx_id = models.CharField(
        _("SPDX id"),
        max_length=100,
        help_text=_(
            "The license's SPDX identifier, e.g. 'Apache-2.0' or 'BUSL-1.1'; "
            "'LicenseRef-...' for a license of the organisation's own. "
            "Letter case is corrected on save."
        ),
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_("The full name, e.g. 'Apache License 2.0'."),
    )
    family = models.CharField(
        _("family"),
        max_length=32,
        choices=Family.choices,
        default=Family.PERMISSIVE,
        help_text=_(
            "What kind of license it is; 'source-available' licenses may turn into "
            "an open-source license after a delay."
        ),
    )
    osi_approved = models.BooleanField(
        _("OSI approved"),
        default=False,
        help_text=_("Approved by the Open Source Initiative."),
    )
    fsf_libre = models.BooleanField(
        _("FSF libre"),
        default=False,
        help_text=_(
            "Listed as a free (libre) license by the Free Software Foundation."
        ),
    )
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_(
            "Markdown: why and where the organisation uses this license, e.g. "
            "'default for new projects' or 'all SDKs'."
        ),
    )
    text_url = models.URLField(
        _("full text link"),
        blank=True,
        help_text=_("Where the full license text can be read."),
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Licenses are listed in this order.")
    )

    class Meta:
        ordering = ["position", "spdx_id"]
        verbose_name = _("license")
        verbose_name_plural = _("licenses")
        constraints = [
            models.UniqueConstraint(
                Lower("spdx_id"),
                name="license_spdx_id_unique_ci",
                violation_error_message=_(
                    "A license with this SPDX id already exists."
                ),
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.spdx_id})"

    def get_absolute_url(self):
        return reverse("licenses:detail", kwargs={"spdx_id": self.spdx_id})

    def clean(self):
        try:
            self.spdx_id = canonical_license_id(self.spdx_id)
        except ValidationError as error:
            raise ValidationError({"spdx_id": error.messages}) from None

    @cached_property
    def summary_html(self) -> str:
        return render_markdown(self.summary)
