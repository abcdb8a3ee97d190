"""Rate limits of the API: one for anonymous clients (per IP), one per user.

The rates come from the environment through ``REST_FRAMEWORK
["DEFAULT_THROTTLE_RATES"]`` (``API_ANON_RATE``, ``API_USER_RATE``; see
settings). DRF's throttles read that dict once, when they are imported; these
read it on each request, so a changed setting (a test's override) takes effect.
The request history lives in the Django cache, shared by every app server when it
is Redis. A throttled request is a 429 in the API's error format, with
``Retry-After`` (``portal.api.errors``).
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class CurrentRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(CurrentRateMixin, throttling.AnonRateThrottle):
    """Anonymous clients, by IP address (see ``NUM_PROXIES`` behind a proxy)."""


class UserRateThrottle(CurrentRateMixin, throttling.UserRateThrottle):
    """Authenticated users, by user id.

    DRF's ``UserRateThrottle`` also counts anonymous clients (by IP, at the
    higher user rate); here they are the anonymous throttle's concern only.
    """

    def allow_request(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return True
        return super().allow_request(request, view)
