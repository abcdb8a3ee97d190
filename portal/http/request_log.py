"""One structured log line per request, with a request id.

Each request gets an id (the client's or proxy's ``X-Request-ID`` when it is a
sane token, else a new one), returned in the ``X-Request-ID`` response header and
given to every log record made while the request is served
(``portal.http.logs``). At its end, one line on the ``portal.requests`` logger:
method, path, status and duration, as fields of the record (JSON in production)
and in its message. The query string and headers are never logged, so neither
are tokens.
"""

import logging
import re
import time
import uuid

from portal.http.logs import current_request_id

logger = logging.getLogger("portal.requests")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = current_request_id.set(request.id)
        try:
            start = time.perf_counter()
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - start) * 1000, 2)
            response["X-Request-ID"] = request.id
            logger.info(
                "%s %s %s %.2f ms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            current_request_id.reset(token)
