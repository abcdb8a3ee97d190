"""The one paging style of the API: page numbers, with a client-chosen page size."""

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination as BasePagination


class PageNumberPagination(BasePagination):
    """``?page=`` and ``?page_size=`` (at most 100) on every API list.

    A ``page_size`` above the maximum is served at the maximum rather than refused,
    and a malformed one falls back to the default (``PAGE_SIZE``), so a client
    asking for "everything" still gets a useful first page with a ``next`` link.
    """

    page_size_query_param = "page_size"
    page_size_query_description = _("Number of results per page, at most 100.")
    max_page_size = 100
