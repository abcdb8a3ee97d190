"""The catalogue's filters, shared by the public site and the API.

One FilterSet serves ``/projects/`` (as a GET form) and ``/api/v1/projects/``,
another ``/conversions/`` and ``/api/v1/conversions/``, so a filter means the same
thing at both doors. Choices only offer what the public may see: a draft license,
or a category used by drafts only, is not a filter value.
"""

import copy

import django_filters
from django import forms
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from licenses.expressions import names_id_pattern
from licenses.models import Family, License
from portal.http.caching import remembered
from projects import facets
from projects.models import Category, Language, Project, Release
from projects.search import matching_projects


@extend_schema_field(OpenApiTypes.STR)
class LicenseIdFilter(django_filters.ModelChoiceFilter):
    """A license chosen by SPDX id (a string in the API schema)."""


def published_licenses(request):
    return License.objects.published()


def used_categories(request):
    # EXISTS, not a join and DISTINCT: each choice stops at its first project.
    return Category.objects.filter(
        Exists(Project.objects.published().filter(category=OuterRef("pk")))
    )


def used_languages(request):
    return Language.objects.filter(
        Exists(
            Project.languages.through.objects.filter(
                language=OuterRef("pk"),
                project__in=Project.objects.published().values("pk"),
            )
        )
    )


def published_projects(request):
    return Project.objects.published()


class ActiveFiltersMixin:
    """The filters a reader has set, for the chips above a list: each links to
    the list without it."""

    #: Parameters that order rather than filter: no chip.
    not_filters = ("sort",)

    def active_filters(self) -> list[dict]:
        if not self.is_bound:
            return []  # nothing set, and no form to build to find out
        data = self.form.data
        active = []
        for name, field in self.form.fields.items():
            if name in self.not_filters:
                continue
            for value in data.getlist(name):
                if value.strip():
                    active.append({"name": name, "label": field.label, "value": value})
        return active


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.SearchInput,
        help_text=_("Words in the project's name, summary or description."),
    )
    license = django_filters.ModelChoiceFilter(
        label=_("License"),
        field_name="licenses",
        to_field_name="spdx_id",
        queryset=published_licenses,
        empty_label=_("Any license"),
        help_text=_("An SPDX id, e.g. Apache-2.0."),
    )
    family = django_filters.ChoiceFilter(
        label=_("License family"),
        choices=Family.choices,
        method="by_family",
        empty_label=_("Any family"),
        help_text=_(
            "Projects under at least one license of this family, e.g. permissive "
            "or source_available."
        ),
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
        fields = ["q", "license", "family", "category", "language", "status"]

    def search(self, queryset, name, value):
        # The site's search (portal.text.search): full text on PostgreSQL. Filters
        # only; the directory orders by relevance (below), the API keeps its
        # ``ordering``.
        return matching_projects(queryset, value)

    def by_family(self, queryset, name, value):
        # A subquery rather than a join: a project under two permissive
        # licenses is still one row.
        licensed = Project.licenses.through.objects.filter(
            license__in=License.objects.published(), license__family=value
        )
        return queryset.filter(pk__in=licensed.values("project_id"))


class Sort(models.TextChoices):
    FEATURED = "featured", _("Featured first")
    NAME = "name", _("Name, A to Z")
    # The API's name for the same order (``?ordering=-updated_at``).
    UPDATED = "-updated_at", _("Recently updated")
    RELEVANCE = "relevance", _("Best match (when searching)")


# Earlier names of a sort order, still understood in old links.
SORT_ALIASES = {"-updated": Sort.UPDATED}

SORT_ORDERS = {
    Sort.FEATURED: Project._meta.ordering,
    Sort.NAME: ["name", "pk"],
    Sort.UPDATED: ["-updated_at", "name"],
}


# The filters whose choices show how many projects each would show.
FACETS = ("license", "family", "category", "language", "status")


class ProjectDirectoryFilter(ActiveFiltersMixin, ProjectFilter):
    """The directory's form: the shared filters, a sort order (the API has its
    own ``ordering``) and, next to each choice, how many projects it would show.

    Without a ``sort``, a search lists the best matches first and the plain
    directory the featured projects first.
    """

    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=Sort.choices,
        method="sort_projects",
        empty_label=_("Best match, or featured first"),
    )

    class Meta(ProjectFilter.Meta):
        fields = [*ProjectFilter.Meta.fields, "sort"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and data.get("sort") in SORT_ALIASES:
            data = data.copy()
            data["sort"] = SORT_ALIASES[data["sort"]]
        if data is None:
            # Unbound, the filter set filters nothing: its filters (a deep copy
            # of the class's, per instance) are copied only when its form is
            # built (see __getattr__), not for every page of the directory.
            self.base_filters = {}
        super().__init__(data, *args, **kwargs)
        if data is None:
            del self.base_filters  # the class's again
            del self.filters
        self.facet_counts = None

    def __getattr__(self, name):
        # Only for what normal lookup does not find: an unbound filter set's
        # filters, before their first use.
        if name != "filters" or "base_filters" in vars(self):
            raise AttributeError(name)
        self.filters = copy.deepcopy(self.base_filters)
        for filter_ in self.filters.values():
            filter_.model = self.queryset.model
            filter_.parent = self
        return self.filters

    @property
    def form(self):
        """The form, built when first used: a page whose filter form comes from
        the cache, without filters or errors to show, never builds it (its
        choices are five querysets)."""
        if not hasattr(self, "_form"):
            form = super().form
            # The help texts speak to integrators ("An SPDX id"); a reader
            # picks from a labelled list and needs none.
            for name in FACETS:
                form.fields[name].help_text = ""
            if self.facet_counts is not None:
                self.label_choices(form)
        return self._form

    def has_errors(self) -> bool:
        """Whether the reader sent a value the form refuses."""
        return self.is_bound and bool(self.errors)

    def sort_projects(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        sort = self.form.cleaned_data.get("sort")
        searching = bool(self.form.cleaned_data.get("q"))
        if sort in SORT_ORDERS:
            return queryset.order_by(*SORT_ORDERS[sort])
        if searching:
            return queryset.order_by("-search_rank", *Project._meta.ordering)
        return queryset

    def filtered_without(self, excluded: str):
        """The projects the other filters (not ``excluded``, never the sort)
        select: what a choice of ``excluded`` would narrow down."""
        queryset = self.queryset.all()
        if not self.is_bound or self.errors:
            return queryset
        for name, value in self.form.cleaned_data.items():
            if name in (excluded, "sort") or value in (None, ""):
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def form_key(self) -> str:
        """What the rendered form depends on besides the content: the values
        the reader sent for its fields (valid or not)."""
        data = self.data if self.is_bound else QueryDict()
        return repr([(name, data.getlist(name)) for name in self.base_filters])

    def has_values(self) -> bool:
        """Whether the reader set any field of the form."""
        return self.is_bound and any(
            any(self.data.getlist(name)) for name in self.filters
        )

    def facet_key(self) -> str:
        """What the facet counts depend on besides the content: the filters
        applied (not the sort, the page or any other parameter)."""
        if not self.is_bound or self.errors:
            return ""
        return repr(
            sorted(
                (name, str(getattr(value, "pk", value)))
                for name, value in self.form.cleaned_data.items()
                if name != "sort" and value not in (None, "")
            )
        )

    def show_facet_counts(self) -> dict[str, dict[str, int]]:
        """Count the projects behind each choice of each facet (a fixed number
        of queries, see ``projects.facets``) and show them in the choices'
        labels: "MIT (12)", once the form is built. Returns the counts."""
        self.facet_counts = remembered(
            self.request,
            f"projects:facets:{self.facet_key()}",
            lambda: facets.facet_counts(self),
            local=True,
        )
        if hasattr(self, "_form"):
            self.label_choices(self._form)
        return self.facet_counts

    def label_choices(self, form) -> None:
        counts = self.facet_counts
        fields = form.fields
        license_counts = counts["license"]
        fields["license"].label_from_instance = lambda license_: (
            f"{license_.spdx_id} ({license_counts.get(license_.spdx_id, 0)})"
        )
        for name in ("category", "language"):
            named = counts[name]
            fields[name].label_from_instance = lambda item, named=named: (
                f"{item.name} ({named.get(item.slug, 0)})"
            )
        for name in ("family", "status"):
            named = counts[name]
            # The field adds its empty choice ("Any ...") by itself.
            fields[name].choices = [
                (value, f"{label} ({named.get(value, 0)})")
                for value, label in fields[name].choices
                if value != ""
            ]


class ConversionFilter(ActiveFiltersMixin, django_filters.FilterSet):
    """Releases of source-available code by the day they become open source."""

    after = django_filters.DateFilter(
        label=_("Converting on or after"),
        field_name="converts_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A day; in the address, YYYY-MM-DD."),
    )
    before = django_filters.DateFilter(
        label=_("Converting on or before"),
        field_name="converts_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A day; in the address, YYYY-MM-DD."),
    )
    project = django_filters.ModelChoiceFilter(
        label=_("Project"),
        to_field_name="slug",
        queryset=published_projects,
        # A text field (with the suggestions of the page's datalist), not a
        # <select>: the catalogue may hold thousands of projects.
        widget=forms.TextInput(
            attrs={"list": "project-suggestions", "autocomplete": "off"}
        ),
        help_text=_("A project's slug, e.g. sentry: suggestions appear as you type."),
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
        return queryset.filter(
            Q(converts_to__iregex=names_id_pattern(value.spdx_id))
            | Q(license_expression__iregex=names_id_pattern(value.spdx_id))
        )
