"""When the database is unreachable: a clear 503, never a traceback.

Readers get the styled 503 page (rendered without the database: no context
processors, no queries), API clients a JSON 503 in the API's error format, and
both a ``Retry-After``. Nothing is kept between requests: Django checks its
connection's health at the start of each request (``CONN_HEALTH_CHECKS``), so the
first request after the database comes back is served normally.
"""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

from portal.api.errors import is_api_request, json_error

logger = logging.getLogger("portal.http.outage")
RETRY_AFTER_SECONDS = "30"
UNREACHABLE = (OperationalError, InterfaceError)


def is_unreachable(error: BaseException) -> bool:
    """Whether ``error`` means "no database", not a bug in a query."""
    return isinstance(error, UNREACHABLE) or (
        isinstance(error, DatabaseError) and "connection" in str(error).lower()
    )


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # Called for errors in a view and in rendering its template (context
        # processors included); other errors become the plain 500 page.
        if is_unreachable(exception):
            return self.unavailable(request, exception)
        return None

    def unavailable(self, request, error):
        logger.error("database unavailable for %s: %s", request.path, error)
        if is_api_request(request):
            response = json_error(
                503, "The service is temporarily unavailable; try again shortly."
            )
        else:
            response = HttpResponse(
                loader.get_template("503.html").render(), status=503
            )
        response["Retry-After"] = RETRY_AFTER_SECONDS
        response["Cache-Control"] = "no-store"
        return response
