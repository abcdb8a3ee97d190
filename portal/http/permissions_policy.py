"""The ``Permissions-Policy`` header on every response.

Django sets the other security headers itself (``SECURE_*``, ``SECURE_CSP``) but
has no setting for this one. ``PERMISSIONS_POLICY`` maps each browser feature to
the origins allowed to use it, written as in the header (``"self"``, or a quoted
origin such as ``'"https://example.org"'``); an empty list denies the feature to
the page and to every frame in it: ``{"camera": []}`` gives ``camera=()``.
"""

from django.conf import settings


def header_value(policy: dict[str, list[str]]) -> str:
    """The policy as a Structured Fields dictionary (RFC 9651) of inner lists."""
    return ", ".join(
        f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items()
    )


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.value = header_value(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.value:
            response.headers.setdefault("Permissions-Policy", self.value)
        return response
