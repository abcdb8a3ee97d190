"""The API's filter backend: django-filter's, with the app's FilterSets (the
same as the site's), skipped when the request sets none of their filters.

Building a FilterSet and validating its form costs more than the rest of a
list's filtering: a deep copy of every filter, and a form whose choice fields
each build their queryset (``published()`` subqueries), to find out that no
value was sent. A request whose parameters name none of the FilterSet's filters
(``?page=2``, ``?ordering=name``) is what an unbound, valid FilterSet would
leave it: the queryset as it is. A FilterSet that filters by itself
(``filter_queryset`` of its own) always runs.
"""

from django_filters import FilterSet
from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        if filterset_class.filter_queryset is FilterSet.filter_queryset and not (
            sets_any_filter(request.query_params, filterset_class.base_filters)
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


def sets_any_filter(params, filters) -> bool:
    """Whether ``params`` holds a value for any of ``filters``: its name, or
    the name with a suffix (a range's ``_min``, ``_after``...)."""
    return any(
        key == name or key.startswith(f"{name}_") for key in params for name in filters
    )
