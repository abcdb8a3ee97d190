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


def names_a_filter(key: str, filters) -> bool:
    """Whether the parameter ``key`` is one of ``filters``: its name, or the
    name with a suffix (a range's ``_min``, ``_after``...)."""
    return any(key == name or key.startswith(f"{name}_") for name in filters)


def sets_any_filter(params, filters) -> bool:
    """Whether ``params`` holds a value for any of ``filters``."""
    return any(names_a_filter(key, filters) for key in params)


def filter_values(params, view) -> list[tuple[str, list[str]]]:
    """The values ``params`` gives the filters of ``view``'s FilterSet, in
    order: what the rows its list selects depend on besides the content (not
    the page, its size, the order, nor any other parameter)."""
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is None:
        return []
    filters = filterset_class.base_filters
    return [
        (key, params.getlist(key))
        for key in sorted(params)
        if names_a_filter(key, filters)
    ]
