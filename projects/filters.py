"""The catalogue's filters, shared by the public site and the API.

One FilterSet serves ``/projects/`` (as a GET form) and ``/api/v1/projects/``,
another ``/conversions/`` and ``/api/v1/conversions/``, so a filter means the same
thing at both doors. Choices only offer what the public may see: a draft license,
or a category used by drafts only, is not a filter value.
"""

import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from licenses.models import License
from projects.models import Category, Language, Project, Release


@extend_schema_field(OpenApiTypes.STR)
class LicenseIdFilter(django_filters.ModelChoiceFilter):
    """A license chosen by SPDX id (a string in the API schema)."""


def published_licenses(request):
    return License.objects.published()


def used_categories(request):
    return Category.objects.filter(projects__in=Project.objects.published()).distinct()


def used_languages(request):
    return Language.objects.filter(projects__in=Project.objects.published()).distinct()


def published_projects(request):
    return Project.objects.published()


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.SearchInput,
        help_text=_("Words in the project's name or summary."),
    )
    license = django_filters.ModelChoiceFilter(
        label=_("License"),
        field_name="licenses",
        to_field_name="spdx_id",
        queryset=published_licenses,
        empty_label=_("Any license"),
        help_text=_("An SPDX id, e.g. Apache-2.0."),
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        to_field_name="slug",
        queryset=used_categories,
        empty_label=_("Any category"),
        help_text=_("A category slug."),
    )
    language = django_filters.ModelChoiceFilter(
        label=_("Language"),
        field_name="languages",
        to_field_name="slug",
        queryset=used_languages,
        empty_label=_("Any language"),
        help_text=_("A language slug, e.g. python."),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Project.Status.choices,
        empty_label=_("Any status"),
        help_text=_("The project's lifecycle status."),
    )

    class Meta:
        model = Project
        fields = ["q", "license", "category", "language", "status"]

    def search(self, queryset, name, value):
        for word in value.split()[:10]:
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(summary__icontains=word)
            )
        return queryset


class ConversionFilter(django_filters.FilterSet):
    """Releases of source-available code by the day they become open source."""

    after = django_filters.DateFilter(
        label=_("Converting on or after"),
        field_name="converts_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A date, YYYY-MM-DD."),
    )
    before = django_filters.DateFilter(
        label=_("Converting on or before"),
        field_name="converts_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A date, YYYY-MM-DD."),
    )
    project = django_filters.ModelChoiceFilter(
        label=_("Project"),
        to_field_name="slug",
        queryset=published_projects,
        empty_label=_("Any project"),
        help_text=_("A project slug."),
    )
    license = LicenseIdFilter(
        label=_("License"),
        to_field_name="spdx_id",
        queryset=published_licenses,
        method="by_license",
        empty_label=_("Any license"),
        help_text=_(
            "An SPDX id: releases under it (e.g. BUSL-1.1) or turning into it "
            "(e.g. Apache-2.0)."
        ),
    )

    class Meta:
        model = Release
        fields = ["after", "before", "project", "license"]

    def by_license(self, queryset, name, value):
        named = rf"(^|[\s(]){re.escape(value.spdx_id)}($|[\s)])"
        return queryset.filter(
            Q(converts_to=value) | Q(license_expression__iregex=named)
        )
