"""One structured log line per request, with a request id.

Each request gets an id (the client's or proxy's ``X-Request-ID`` when it is a
sane token, else a new one), returned in the ``X-Request-ID`` response header and
logged as JSON on the ``portal.requests`` logger: method, path, status, duration
and id. The query string and headers are never logged, so neither are tokens.
"""

import json
import logging
import re
import time
import uuid

logger = logging.getLogger("portal.requests")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        start = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - start) * 1000, 2)
        response["X-Request-ID"] = request.id
        logger.info(
            json.dumps(
                {
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "request_id": request.id,
                }
            )
        )
        return response
