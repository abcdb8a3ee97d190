"""Filters of the license list, used by the API."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from licenses.models import Family, License


class StrictBooleanField(forms.Field):
    """``true`` or ``false`` (any letter case), nothing else.

    django-filter's boolean widgets read an unknown value (``maybe``, ``yes``) as
    "no filter" and answer the whole list; a client that mistyped should hear of
    it instead, as it does for every other filter.
    """

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        words = {"true": True, "false": False}
        if str(value).lower() not in words:
            raise ValidationError(
                _("Enter true or false, not '%(value)s'."),
                code="invalid",
                params={"value": str(value)[:50]},
            )
        return words[str(value).lower()]


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class LicenseFilter(django_filters.FilterSet):
    family = django_filters.ChoiceFilter(
        label=_("Family"),
        choices=Family.choices,
        help_text=_("The license's family, e.g. permissive or source_available."),
    )
    osi_approved = StrictBooleanFilter(
        label=_("OSI approved"), help_text=_("true or false.")
    )
    fsf_libre = StrictBooleanFilter(label=_("FSF libre"), help_text=_("true or false."))
    deprecated = StrictBooleanFilter(
        label=_("Deprecated"),
        help_text=_("true or false: whether SPDX deprecates the license id."),
    )

    class Meta:
        model = License
        fields = ["family", "osi_approved", "fsf_libre", "deprecated"]
