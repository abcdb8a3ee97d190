"""The OpenAPI schema's view of what every operation shares.

drf-spectacular describes each operation's parameters and success body; this
``AutoSchema`` adds what the portal does around every operation, so that the
schema is the whole contract:

- who may call it: every read is public (a token is optional), every write
  needs a token;
- the error responses, each with the one error body (``Error``, see
  ``portal.api.errors``): 400, 401, 404, 406 and 429 on every operation (a read
  needs no token, but one that sends an unknown or malformed token is refused
  like a write); 403, 409, 412 and 415 on operations that write;
- query parameters: an empty value (``?status=``) is the same as no value, as
  the site's filter forms send it (``allowEmptyValue``);
- text, as a ``pattern`` on each free-text string: no query parameter and no
  field of a body may contain a NUL character (DRF and Django forms refuse it,
  PostgreSQL could not store it), and a field that may not be blank may not be
  only whitespace either (DRF trims it first);
- conditional requests on reads: the ``If-None-Match`` and ``If-Modified-Since``
  request headers, the 304 response, and the ``ETag``, ``Last-Modified`` and
  ``Cache-Control`` headers of 200 and 304 (``portal.http.caching``);
- conditional writes: ``If-Unmodified-Since`` on every write that takes
  ``If-Match`` (``portal.api.writes``);
- the ``Retry-After`` header of 429.
"""

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import (
    build_basic_type,
    build_parameter_type,
    force_instance,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from portal.api.errors import ErrorSerializer

READ_ERRORS = {
    "400": _(
        "Bad request: an unknown or malformed filter, ordering or paging value. "
        "`errors` names each query parameter at fault."
    ),
    "401": _(
        "Unauthorized: the request sends an Authorization header with an unknown, "
        "revoked or malformed token (reading needs no token: send none)."
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
    "400": _(
        "Bad request: the body is not valid JSON, or a field's value is invalid "
        "(the same checks as in the admin). `errors` names each field at fault."
    ),
    "401": _("Unauthorized: the request needs a valid token."),
    "403": _("Forbidden: the token does not allow this operation."),
    "409": _("Conflict: the change conflicts with the current state, e.g. a key."),
    "412": _(
        "Precondition failed: the resource changed since the ETag given in "
        "If-Match, or since the date given in If-Unmodified-Since."
    ),
    "415": _("Unsupported media type: the body must be JSON (application/json)."),
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
# Every write that takes If-Match takes If-Unmodified-Since too
# (``portal.api.writes.check_preconditions``).
IF_UNMODIFIED_SINCE = build_parameter_type(
    "If-Unmodified-Since",
    build_basic_type(OpenApiTypes.STR),
    OpenApiParameter.HEADER,
    description=_(
        "An HTTP date (the Last-Modified you read): if the item was modified "
        "after it, the write is refused with 412. Ignored when If-Match is given, "
        "or when it is not an HTTP date."
    ),
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=["429"],
    description=_("Seconds to wait before the next request."),
)
SAFE_METHODS = ("GET", "HEAD")
NO_NUL = r"^[^\u0000]*$"  # what ProhibitNullCharactersValidator lets through
# What ``str.strip()`` (so DRF's ``trim_whitespace``) removes: Python's ``\s``,
# spelled out so that every regex engine reads it alike.
WHITESPACE = (
    r"\t-\r\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
# No NUL, and something left once trimmed.
NOT_BLANK = rf"^[^\u0000]*[^\u0000{WHITESPACE}][^\u0000]*$"


def describe_text(schema: dict, pattern: str) -> None:
    """Give a free-text string the ``pattern`` the API holds it to."""
    if schema.get("type") == "string" and not schema.keys() & {
        "enum",
        "format",
        "pattern",
    }:
        schema["pattern"] = pattern


def response_header(parameter: OpenApiParameter) -> dict:
    """A response header of the OpenAPI document, from its ``OpenApiParameter``."""
    return {
        "schema": build_basic_type(parameter.type),
        "description": parameter.description,
    }


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema of each operation, with what every operation
    shares added through its public hooks: ``get_auth``,
    ``get_override_parameters``, ``resolve_serializer`` (request bodies) and
    ``get_operation`` (query parameters, If-Unmodified-Since and the shared
    responses)."""

    def get_auth(self):
        # Every read is public: no security requirement (a token is still
        # accepted), so the docs show no lock on it.
        return [] if self.method in SAFE_METHODS else super().get_auth()

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method in SAFE_METHODS:
            parameters += [*CONDITIONAL_REQUEST_HEADERS, *VALIDATOR_HEADERS]
        return parameters

    def resolve_serializer(self, serializer, direction, bypass_extensions=False):
        component = super().resolve_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and component.schema:
            describe_request_text(force_instance(serializer), component.schema)
        return component

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(
            path, path_regex, path_prefix, method, registry
        )
        if operation is None:
            return None
        if self.method in SAFE_METHODS:
            operation["security"] = []
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                # ``?q=`` is no search, ``?page=`` page 1: the API reads an empty
                # value as no value, as the site's forms send it.
                parameter["allowEmptyValue"] = True
                describe_text(parameter["schema"], NO_NUL)
        parameters = operation.get("parameters", [])
        if any(
            parameter["name"] == "If-Match" and parameter["in"] == "header"
            for parameter in parameters
        ):
            # Every write that takes If-Match (declared by its view) takes
            # If-Unmodified-Since too; parameters are listed by name.
            parameters.append(IF_UNMODIFIED_SINCE)
            parameters.sort(key=lambda parameter: parameter["name"])
        responses = operation["responses"]
        if self.method in SAFE_METHODS:
            responses.setdefault(
                "304",
                self.shared_response(
                    "304",
                    _(
                        "Not modified: the response named by If-None-Match (or "
                        "dated by If-Modified-Since) is still current."
                    ),
                ),
            )
        errors = dict(READ_ERRORS)
        if self.method not in SAFE_METHODS:
            errors.update(WRITE_ERRORS)
        for code, description in sorted(errors.items()):
            responses.setdefault(
                code, self.shared_response(code, str(description), ErrorSerializer)
            )
        return operation

    def shared_response(self, code: str, description, body=None) -> dict:
        """A response every operation (or every read) has: its headers, its
        ``body`` in each media type the operation answers with, its text."""
        headers = {
            parameter.name: response_header(parameter)
            for parameter in (*VALIDATOR_HEADERS, RETRY_AFTER)
            if code in parameter.response
        }
        response = {"headers": headers} if headers else {}
        if body is not None:
            schema = self.resolve_serializer(body, "response").ref
            response["content"] = {
                media_type: {"schema": schema}
                for media_type in self.map_renderers("media_type")
            }
        response["description"] = description
        return response


def describe_request_text(serializer, schema: dict) -> None:
    """Give each free-text field of a request body the pattern DRF holds it to."""
    properties = schema.get("properties", {})
    for name, field in serializer.fields.items():
        if name not in properties or not any(
            isinstance(validator, ProhibitNullCharactersValidator)
            for validator in field.validators
        ):
            continue
        # DRF trims a CharField's value before it checks that it is not blank:
        # " " is as blank as "".
        trimmed = getattr(field, "trim_whitespace", False)
        blank = getattr(field, "allow_blank", True)
        pattern = NOT_BLANK if trimmed and not blank else NO_NUL
        described = properties[name]
        # A field that may be blank is oneOf (the text, or "").
        for branch in described.get("oneOf", [described]):
            if branch.get("maxLength") != 0:
                describe_text(branch, pattern)


# Here rather than beside the authentication class: DRF imports that class at
# start-up, and drf-spectacular's extensions need its schema generator.
class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.auth.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API token issued in the admin (Administration > API tokens). "
                "Anonymous requests may read; writes need a token whose user has "
                "the permission."
            ),
        }
