"""The OpenAPI schema (``/api/schema/``) and its documentation page
(``/api/docs/``), with drf-spectacular loaded by the first request for either.

drf-spectacular's views bring its schema generator, which imports Django's test
framework and ``unittest`` (it builds requests with DRF's test factory): memory
that a worker serving only pages and API reads would hold for nothing. These
views import it when first asked; the answers are drf-spectacular's own.
"""

from functools import cache

from django.views.decorators.csrf import csrf_exempt


@cache
def _schema_view():
    from drf_spectacular.views import SpectacularAPIView

    return SpectacularAPIView.as_view()


@cache
def _docs_view():
    from drf_spectacular.views import SpectacularSwaggerSplitView

    return SpectacularSwaggerSplitView.as_view(url_name="api-schema")


# As DRF's views are: a POST gets the API's 405, not the CSRF failure page.
@csrf_exempt
def schema(request, *args, **kwargs):
    return _schema_view()(request, *args, **kwargs)


@csrf_exempt
def docs(request, *args, **kwargs):
    return _docs_view()(request, *args, **kwargs)
