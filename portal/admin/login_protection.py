"""Login throttling with django-axes: the pieces the settings name.

After ``AXES_FAILURE_LIMIT`` failed logins for one user name from one address,
that pair is refused for ``AXES_COOLOFF_TIME``: the login page answers ``429 Too
Many Requests`` with :func:`lockout_response`, even to the right password. Other
users at the same address, and the same user elsewhere, are not affected. A
successful login clears the count. An administrator unlocks early by deleting the
"access attempt" in the admin, or with ``manage.py axes_reset_username <name>``.
"""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username
from django.conf import settings
from django.shortcuts import render


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuses logins that are locked out; never logs anyone in by itself.

    django-axes needs the request to know the address. ``authenticate()`` without
    one (``Client.login()`` in tests, a management command) is not a login
    through the site, so it is let through to the next backend instead of
    raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def client_ip_address(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind ``AXES_NUM_PROXIES``
    trusted proxies the address the outermost one saw (the Nth from the right of
    ``X-Forwarded-For``), never an address the client wrote itself."""
    proxies = settings.AXES_NUM_PROXIES
    if proxies > 0:
        forwarded = [
            address.strip()
            for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if address.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets: what happened, for how long, what to do."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "axes/lockout.html",
        {
            "username": get_client_username(request, credentials) or "",
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": minutes,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
