"""The API's one error format: ``{"detail": "...", "errors": {field: [messages]}}``.

Every error the API answers, whatever raised it (a filter, the paginator, a
serializer, a throttle, a missing object, an unknown address under ``/api/``),
has this shape, so an integration needs one error path:

- ``detail``: one human-readable sentence, always present;
- ``errors``: for each query parameter or field at fault, its messages; ``{}``
  when the error is not about a particular field (404, 405, 429...).

Nested field errors (a list of objects, later, for writes) are flattened to
dotted keys (``releases.0.version``), so ``errors`` is always a flat object of
string lists that a client can show next to its own inputs. ``Retry-After`` (429)
and ``WWW-Authenticate`` (401) headers are kept.

Other exceptions are left to Django, as DRF does, so that they are logged: the
database outage middleware (``portal.http.outage``) answers a 503 in this same
format, anything else gets Django's error views, which are set (``handler400``,
``handler403``, ``handler404``, ``handler500`` in the root URL map) to the ones
below: in this format under ``/api/``, the site's pages elsewhere. So the API
never answers HTML, not even for a bug (a JSON 500) or a request Django refuses
before any view (a 400 for a Host header it does not serve).
"""

import math

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView, set_rollback

from portal.publishing.policy import PublishingRefused


class ErrorSerializer(serializers.Serializer):
    """The body of every API error."""

    detail = serializers.CharField(help_text="What went wrong, in one sentence.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=(
            "For each query parameter or field at fault, its messages; empty when "
            "the error is not about a particular parameter."
        ),
    )

    class Meta:
        ref_name = "Error"


class Conflict(exceptions.APIException):
    """409: the request conflicts with the current state (e.g. a duplicate key)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the resource.")
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    """412: an ``If-Match``/``If-Unmodified-Since`` precondition does not hold."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "The resource has changed since the version named in the request's "
        "If-Match or If-Unmodified-Since header."
    )
    default_code = "precondition_failed"


def error_body(detail, errors: dict | None = None) -> dict:
    return {"detail": str(detail), "errors": errors or {}}


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """``{field: [messages]}`` from DRF's nested error details."""
    if isinstance(detail, dict):
        flat = {}
        for key, value in detail.items():
            flat.update(flatten_errors(value, f"{prefix}.{key}" if prefix else key))
        return flat
    if isinstance(detail, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in detail):
            return {prefix: [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(flatten_errors(item, f"{prefix}.{index}"))
        return flat
    return {prefix: [str(detail)]}


def validation_body(detail) -> dict:
    """The body of a 400: messages not about a field go to ``detail``."""
    if not isinstance(detail, dict):
        messages = detail if isinstance(detail, list) else [detail]
        return error_body(" ".join(str(m) for m in messages) or _("Invalid input."))
    errors = flatten_errors(detail)
    general = errors.pop(api_settings.NON_FIELD_ERRORS_KEY, [])
    if general:
        return error_body(" ".join(general), errors)
    fields = ", ".join(errors)
    if len(errors) == 1:
        return error_body(
            _("Invalid value for %(fields)s.") % {"fields": fields}, errors
        )
    return error_body(_("Invalid values for %(fields)s.") % {"fields": fields}, errors)


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def exception_handler(exc, context):
    """DRF's ``EXCEPTION_HANDLER``: every error in the one format."""
    if isinstance(exc, PublishingRefused):
        set_rollback()
        return Response(
            error_body(exc.message, {exc.field: [exc.message]}),
            status=status.HTTP_403_FORBIDDEN,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE.
        exc = BodyTooLarge(
            _("The request body is larger than %(limit)s bytes.")
            % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        )

    if not isinstance(exc, exceptions.APIException):
        return None  # re-raised: Django's handlers, logging and signals see it

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{math.ceil(exc.wait)}"

    if isinstance(exc, exceptions.ValidationError):
        body = validation_body(exc.detail)
    elif isinstance(exc.detail, dict | list):
        # Another exception raised with field details: keep them as errors.
        body = error_body(exc.default_detail, flatten_errors(exc.detail))
    else:
        body = error_body(exc.detail)

    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)


class ApiNotFoundView(APIView):
    """Every address under ``/api/`` that no endpoint answers: a JSON 404.

    Without it, an unknown API address would get the site's HTML 404 page. It is
    throttled like any endpoint. A known address typed without its final slash
    is still redirected to it (what ``APPEND_SLASH`` does elsewhere).
    """

    schema = None  # not an endpoint: left out of the OpenAPI schema
    permission_classes = [AllowAny]

    def dispatch(self, request, *args, **kwargs):
        redirect = self.slash_redirect(request)
        if redirect is not None:
            return redirect
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # content negotiation, throttles
        raise exceptions.NotFound(
            _("No API endpoint at this address. The API's root is /api/v1/.")
        )

    @classmethod
    def slash_redirect(cls, request):
        path = request.path_info
        if (
            not settings.APPEND_SLASH
            or path.endswith("/")
            or request.method not in ("GET", "HEAD")
        ):
            return None
        try:
            match = resolve(f"{path}/", getattr(request, "urlconf", None))
        except Resolver404:
            return None
        if getattr(match.func, "view_class", None) is cls:
            return None
        return HttpResponsePermanentRedirect(
            request.get_full_path(force_append_slash=True)
        )


_api_not_found_view = ApiNotFoundView.as_view()


def api_not_found(request, *args, **kwargs):
    """The catch-all's URL view. A plain function: the browsable API's
    breadcrumbs list every API view on the way to an address, and the catch-all
    answers the prefixes no endpoint does (``/api/``, ``/api/v1/projects``), which
    gave "Api Not Found" crumbs. Without DRF's ``cls`` it is left out."""
    return _api_not_found_view(request, *args, **kwargs)


api_not_found.csrf_exempt = True
api_not_found.view_class = ApiNotFoundView


# ------------------------------------------------- Django's error views (handlerXXX)

API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_error(status_code: int, detail, errors: dict | None = None) -> JsonResponse:
    """An error answered outside DRF (Django's error views, the outage and HTTP
    caching middleware) in the one format."""
    return JsonResponse(error_body(detail, errors), status=status_code)


def bad_request(request, exception):
    """``handler400``: a request Django refuses (a Host it does not serve...)."""
    if is_api_request(request):
        return json_error(
            400, _("Bad request: the portal refuses this request as malformed.")
        )
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    """``handler403``."""
    if is_api_request(request):
        return json_error(403, _("You may not do this."))
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    """``handler404``."""
    if is_api_request(request):
        return json_error(404, _("Nothing was found at this address."))
    return defaults.page_not_found(request, exception)


def server_error(request):
    """``handler500``: an unexpected error, already logged with its traceback."""
    if is_api_request(request):
        return json_error(
            500,
            _(
                "The portal met an unexpected error; it is logged. Try again "
                "later, and tell the portal's operator if it persists."
            ),
        )
    return defaults.server_error(request)
