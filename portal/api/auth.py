"""Token authentication for the API's writes: ``Authorization: Bearer <token>``."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from portal.api.tokens import ApiToken


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(
            "latin-1", errors="replace"
        )
        if not header:
            return None
        keyword, _space, secret = header.partition(" ")
        if keyword.lower() not in {"bearer", "token"}:
            return None
        secret = secret.strip()
        if not secret or " " in secret:
            raise exceptions.AuthenticationFailed(
                _("Give the token as 'Authorization: Bearer <token>'.")
            )
        token = ApiToken.authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("This token is unknown or has been revoked.")
            )
        token.record_use()
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
