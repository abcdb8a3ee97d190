"""Filters for the philosophy statements, used by the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.models import Section, Statement


class StatementFilter(django_filters.FilterSet):
    section = django_filters.ModelChoiceFilter(
        label=_("Section"),
        to_field_name="slug",
        queryset=lambda request: Section.objects.published(),
        help_text=_("A section slug."),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Statement.Kind.choices, help_text=_("Statement kind.")
    )

    class Meta:
        model = Statement
        fields = ["section", "kind"]
