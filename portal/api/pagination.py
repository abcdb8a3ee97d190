"""The one paging style of the API: page numbers, with a client-chosen page size."""

import re

from django.core.paginator import InvalidPage
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination as BasePagination

POSITIVE_INTEGER = re.compile(r"[0-9]+")


class PageNumberPagination(BasePagination):
    """``?page=`` and ``?page_size=`` (1 to 100) on every API list.

    Strict, like the filters: a page number that is not a positive integer or is
    beyond the last page, and a page size that is not an integer from 1 to 100,
    are a 400 naming ``page`` or ``page_size``, never a silent fallback, so a
    client that asks for "everything" learns the limit instead of quietly getting
    a different page. An empty value is the same as no value (page 1, 20 rows).
    Page 1 of an empty list exists: it is an empty ``results``.
    """

    page_size_query_param = "page_size"
    page_query_description = _("A page number, from 1 to the last page.")
    page_size_query_description = _("Number of results per page, at most 100.")
    max_page_size = 100
    last_page_strings = ()

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param, "")
        if value == "":
            return self.page_size
        if POSITIVE_INTEGER.fullmatch(value) and 1 <= int(value) <= self.max_page_size:
            return int(value)
        raise ValidationError(
            {
                self.page_size_query_param: [
                    _(
                        "A page size is a whole number from 1 to %(max)d, "
                        "not '%(value)s'."
                    )
                    % {"max": self.max_page_size, "value": value[:50]}
                ]
            }
        )

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param, "")
        if value == "":
            return 1
        if POSITIVE_INTEGER.fullmatch(value) and int(value) >= 1:
            return int(value)
        raise ValidationError(
            {
                self.page_query_param: [
                    _("A page number is a whole number from 1, not '%(value)s'.")
                    % {"value": value[:50]}
                ]
            }
        )

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, page_size)
        if getattr(view, "count_kept", False):
            paginator.count = kept_count(request, view, queryset)
        number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise ValidationError(
                {
                    self.page_query_param: [
                        _("Page %(number)d does not exist: the last page is %(last)d.")
                        % {"number": number, "last": paginator.num_pages}
                    ]
                }
            ) from None
        if paginator.num_pages > 1 and self.template is not None:
            # The browsable API shows its paging controls.
            self.display_page_controls = True
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
                parameter["schema"]["default"] = self.page_size
        return parameters


def kept_count(request, view, queryset) -> int:
    """The number of rows of a list whose rows are the same for every reader
    (``count_kept`` on the view: only ``published()`` rows, whoever asks),
    counted once per content version, view, address arguments and filter
    values (``remembered``, kept by the process too), not once per page or
    order: a client paging through the list, or sorting it, costs no count
    query after the first."""
    from portal.api.filtering import filter_values
    from portal.http.caching import remembered

    view_class = type(view)
    name = repr(
        [
            "api:count",
            f"{view_class.__module__}.{view_class.__qualname__}",
            sorted(view.kwargs.items()),
            filter_values(request.query_params, view),
        ]
    )
    return remembered(request, name, queryset.count, local=True)
