"""The GET forms of the license pages: compare licenses, check an expression.

Both take what a reader typed in the address bar as well as what they ticked, so
they never raise on bad input: what cannot be used is reported on the form.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from licenses import spdx
from licenses.expressions import MAX_LENGTH
from licenses.models import canonical_license_id

# More ids than any comparison table can show; the rest are ignored, so a long
# query string costs no more than this many look-ups.
MAX_COMPARED = 50
MAX_ID_LENGTH = 100


class LicenseIdsField(forms.MultipleChoiceField):
    """SPDX ids in any spelling: the form resolves them, so the field does not
    refuse the first unknown one but lets the form list them all."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spellings: dict[str, str] = {}

    def validate(self, value):
        pass

    def bound_data(self, data, initial):
        # "mit" ticks the MIT box: the boxes show what the table compares.
        return [self.spellings.get(str(v).lower(), v) for v in data or []]


class LicenseCompareForm(forms.Form):
    license = LicenseIdsField(
        label=_("Licenses to compare"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick two or more licenses."),
    )

    def __init__(self, data=None, *, licenses):
        super().__init__(data)
        self.licenses = list(licenses)
        self.fields["license"].choices = [
            (license_.spdx_id, license_.name) for license_ in self.licenses
        ]
        self.chosen: list = []
        self.unknown: list[str] = []

    def clean_license(self):
        by_key = {license_.spdx_id.lower(): license_ for license_ in self.licenses}
        requested = [v.strip() for v in self.cleaned_data["license"] if v.strip()]
        spellings = {}
        for value in list(dict.fromkeys(requested))[:MAX_COMPARED]:
            license_ = by_key.get(value.lower()) or by_key.get(_canonical(value))
            if license_ is None:
                self.unknown.append(value)
                continue
            spellings[value.lower()] = license_.spdx_id
            if license_ not in self.chosen:
                self.chosen.append(license_)
        self.fields["license"].spellings = spellings
        if self.unknown:
            raise ValidationError(
                ngettext(
                    "Not a license of this portal: %(ids)s.",
                    "Not licenses of this portal: %(ids)s.",
                    len(self.unknown),
                )
                % {"ids": ", ".join(_shorten(value) for value in self.unknown)},
                code="unknown_license",
            )
        return [license_.spdx_id for license_ in self.chosen]


def _canonical(value: str) -> str:
    """The lower-case canonical id of ``value`` (GPL-2.0+ -> gpl-2.0-or-later)."""
    if len(value) > MAX_ID_LENGTH:
        return ""  # not an id: spare the parser and the suggestions
    try:
        return spdx.current_id(canonical_license_id(value)).lower()
    except ValidationError:
        return ""


def _shorten(value: str, limit: int = 40) -> str:
    return f"“{value[:limit]}…”" if len(value) > limit else f"“{value}”"


class ExpressionCheckForm(forms.Form):
    expression = forms.CharField(
        label=_("SPDX license expression"),
        # Empty or too long is check_expression's to explain, with its own words.
        required=False,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "maxlength": MAX_LENGTH,
                "spellcheck": "false",
                "autocapitalize": "off",
                "autocomplete": "off",
            }
        ),
        help_text=_(
            "E.g. “Apache-2.0 OR MIT”, “BUSL-1.1” or "
            "“GPL-2.0-or-later WITH Classpath-exception-2.0”."
        ),
    )
