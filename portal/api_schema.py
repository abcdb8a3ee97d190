"""The OpenAPI schema's view of what every operation shares.

drf-spectacular describes each operation's parameters and success body; this
``AutoSchema`` adds what the portal does around every operation, so that the
schema is the whole contract:

- the error responses, each with the one error body (``Error``, see
  ``portal.api_errors``): 400, 404, 406 and 429 on every operation; 401, 403, 409
  and 412 on operations that write (none yet: the API is read-only);
- conditional requests on reads: the ``If-None-Match`` and ``If-Modified-Since``
  request headers, the 304 response, and the ``ETag``, ``Last-Modified`` and
  ``Cache-Control`` headers of 200 and 304 (``portal.caching``);
- the ``Retry-After`` header of 429.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from portal.api_errors import ErrorSerializer

READ_ERRORS = {
    "400": _(
        "Bad request: an unknown or malformed filter, ordering or paging value. "
        "`errors` names each query parameter at fault."
    ),
    "404": _(
        "Not found: no published item has this key (drafts and scheduled items "
        "are never visible), or no endpoint has this address."
    ),
    "406": _("Not acceptable: the Accept header asks for something other than JSON."),
    "429": _(
        "Too many requests: the client's rate limit is used up; retry after the "
        "number of seconds in Retry-After."
    ),
}
WRITE_ERRORS = {
    "401": _("Unauthorized: the request needs a valid token."),
    "403": _("Forbidden: the token does not allow this operation."),
    "409": _("Conflict: the change conflicts with the current state, e.g. a key."),
    "412": _(
        "Precondition failed: the resource changed since the ETag given in If-Match."
    ),
}

CONDITIONAL_REQUEST_HEADERS = [
    OpenApiParameter(
        "If-None-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description=_("An ETag from an earlier response: 304 if it still matches."),
    ),
    OpenApiParameter(
        "If-Modified-Since",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description=_(
            "An HTTP date (an earlier Last-Modified): 304 if nothing changed "
            "since. Ignored when If-None-Match is given."
        ),
    ),
]
VALIDATOR_HEADERS = [
    OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=["200", "304"],
        description=_("The version of this response; send it in If-None-Match."),
    ),
    OpenApiParameter(
        "Last-Modified",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=["200", "304"],
        description=_("When the published content last changed (an HTTP date)."),
    ),
    OpenApiParameter(
        "Cache-Control",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=["200", "304"],
        description=_(
            "'public, max-age=60' for anonymous clients: any cache may keep the "
            "response a minute, then revalidate it."
        ),
    ),
]
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=["429"],
    description=_("Seconds to wait before the next request."),
)
SAFE_METHODS = ("GET", "HEAD")


class AutoSchema(openapi.AutoSchema):
    def get_override_parameters(self):
        parameters = [*super().get_override_parameters(), RETRY_AFTER]
        if self.method in SAFE_METHODS:
            parameters += [*CONDITIONAL_REQUEST_HEADERS, *VALIDATOR_HEADERS]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method in SAFE_METHODS:
            responses.setdefault(
                "304",
                self._get_response_for_code(
                    OpenApiResponse(
                        description=_(
                            "Not modified: the response named by If-None-Match (or "
                            "dated by If-Modified-Since) is still current."
                        )
                    ),
                    "304",
                    direction=direction,
                ),
            )
        errors = dict(READ_ERRORS)
        if self.method not in SAFE_METHODS:
            errors.update(WRITE_ERRORS)
        for code, description in sorted(errors.items()):
            responses.setdefault(
                code,
                self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=str(description)),
                    code,
                    direction=direction,
                ),
            )
        return responses
