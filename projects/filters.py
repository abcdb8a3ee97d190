"""The directory's filters, shared by the public site and the API.

One FilterSet serves ``/projects/`` (as a GET form) and ``/api/v1/projects/``, so a
filter means the same thing at both doors. Choices only offer what the public may
see: a draft license is not a filter value.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from licenses.models import License
from projects.models import Category, Language, Project


def published_licenses(request):
    return License.objects.published()


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        help_text=_("Words in the project's name or summary."),
    )
    license = django_filters.ModelChoiceFilter(
        label=_("License"),
        field_name="licenses",
        to_field_name="spdx_id",
        queryset=published_licenses,
        help_text=_("An SPDX id, e.g. Apache-2.0."),
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        to_field_name="slug",
        queryset=Category.objects.all(),
        help_text=_("A category slug."),
    )
    language = django_filters.ModelChoiceFilter(
        label=_("Language"),
        field_name="languages",
        to_field_name="slug",
        queryset=Language.objects.all(),
        help_text=_("A language slug, e.g. python."),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Project.Status.choices,
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
