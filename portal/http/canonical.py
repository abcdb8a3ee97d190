"""One address per list: a GET form sends its empty fields too
(``?q=&license=&status=``), which would give the same list many addresses, in
links, caches and search engines alike. The list views redirect such a request
to the address without the empty parameters; no JavaScript is needed."""

from django.http import HttpResponsePermanentRedirect, QueryDict


def without_empty_parameters(query: QueryDict) -> QueryDict | None:
    """``query`` without its empty values, or None if it has none."""
    kept = QueryDict(mutable=True)
    dropped = False
    for name, values in query.lists():
        present = [value for value in values if value.strip()]
        dropped = dropped or len(present) < len(values)
        if present:
            kept.setlist(name, present)
    return kept if dropped else None


class CanonicalQueryMixin:
    """A view whose GET redirects (301) to its address without empty parameters."""

    def get(self, request, *args, **kwargs):
        query = without_empty_parameters(request.GET)
        if query is not None:
            address = request.path + (f"?{query.urlencode()}" if query else "")
            return HttpResponsePermanentRedirect(address)
        return super().get(request, *args, **kwargs)
