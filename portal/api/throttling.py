"""Rate limits of the API: one for anonymous clients (per IP), one per user.

The rates come from the environment through ``REST_FRAMEWORK
["DEFAULT_THROTTLE_RATES"]`` (``API_ANON_RATE``, ``API_USER_RATE``; see
settings). DRF's throttles read that dict once, when they are imported; these
read it on each request, so a changed setting (a test's override) takes effect.
The request history lives in the Django cache, shared by every app server when it
is Redis. A throttled request is a 429 in the API's error format, with
``Retry-After`` (``portal.api.errors``).

Every request to the API counts, those answered from the page cache too
(``allows_cached_answer``, called by ``portal.http.caching`` before it answers).

**The history is kept by the second, not by the request.** DRF keeps one
timestamp per request of the last period, so what each request reads from the
cache and writes back grows with the rate: at 500 requests a second from one
address, 30,000 timestamps (a quarter of a megabyte) per request, more than
answering it. Here the period is cut in ``SLOTS`` slots (a second each for a
rate per minute) and the history is, per slot with requests, their count and
the time of the latest: at most ``SLOTS + 1`` triples, whatever the rate. A slot
counts as long as its latest request is within the period, so a request is
forgotten at most one slot later than DRF would forget it, never sooner: no
client ever gets more than its rate in any period. ``Retry-After`` is the wait
until enough slots have left the period for one more request (at most the
period).
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


def is_authenticated(request) -> bool:
    """Whether ``request`` is a user's; a request not yet past the
    authentication (e.g. in a middleware before it) is anonymous."""
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated)


class SlottedRateThrottle(throttling.SimpleRateThrottle):
    """DRF's rate throttle with its history kept per slot (see the module)."""

    SLOTS = 60
    # Not DRF's key: its history (a list of timestamps) is read as none.
    cache_format = "throttle:%(scope)s:%(ident)s"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        since = self.now - self.duration
        kept = self.cache.get(self.key)
        # [slot, count, latest], oldest first, the slots still in the period.
        self.history = [entry for entry in kept or () if entry[2] > since]
        if sum(entry[1] for entry in self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()

    def throttle_success(self):
        slot = int(self.now * self.SLOTS // self.duration)
        if self.history and self.history[-1][0] == slot:
            self.history[-1][1] += 1
            self.history[-1][2] = self.now
        else:
            self.history.append([slot, 1, self.now])
        self.cache.set(self.key, self.history, self.duration)
        return True

    def wait(self):
        """Seconds until one more request is allowed, if none is made before."""
        excess = sum(entry[1] for entry in self.history) - self.num_requests + 1
        for _slot, count, latest in self.history:
            excess -= count
            if excess <= 0:
                return latest + self.duration - self.now
        return self.duration


class AnonRateThrottle(SlottedRateThrottle):
    """Anonymous clients, by IP address (see ``NUM_PROXIES`` behind a proxy)."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if is_authenticated(request):
            return None
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class UserRateThrottle(SlottedRateThrottle):
    """Authenticated users, by user id.

    DRF's ``UserRateThrottle`` also counts anonymous clients (by IP, at the
    higher user rate); here they are the anonymous throttle's concern only.
    """

    scope = "user"

    def get_cache_key(self, request, view):
        if not is_authenticated(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def applies_default_limits(view) -> bool:
    """Whether ``view`` is limited by the API's default rate limits only, so
    that ``allows_cached_answer`` counts its requests as the view would."""
    return list(getattr(view, "throttle_classes", ())) == list(
        api_settings.DEFAULT_THROTTLE_CLASSES
    )


def allows_cached_answer(request) -> bool:
    """Count an anonymous API request that the page cache is about to answer,
    as a view limited by the default rate limits would (every limit is asked,
    each records it if it allows it). False: over a limit; the view should
    answer (its throttles refuse it too, in the API's error format, recording
    nothing more)."""
    allowed = True
    for throttle_class in api_settings.DEFAULT_THROTTLE_CLASSES:
        if not throttle_class().allow_request(request, None):
            allowed = False
    return allowed
