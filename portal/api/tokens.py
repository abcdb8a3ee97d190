"""API tokens for the few integrations that write.

A token is issued in the admin for one integration (a release bot, a catalogue
sync) and bound to a user: that user's permissions decide what the token may do,
so a release bot's user gets "add/change release" and nothing else. The token is
shown once, when issued; the database keeps only its SHA-256 hash (a random
256-bit secret needs no slow hash) and a short prefix to find it and to tell
tokens apart in lists. A token can be revoked at once; its last use is recorded.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "ptk"  # noqa: S105 - a marker, not a secret
LAST_USED_PRECISION = 60  # seconds: record a use at most once a minute per token


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    # No public page shows a token: issuing or using one leaves every page valid.
    shown_to_readers = False

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_(
            "Which integration uses it, e.g. 'release bot'. Shown in the history "
            "of every change made with it."
        ),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("acts as"),
        help_text=_(
            "The token may do what this user may do, nothing more. Give an "
            "integration a user of its own with only the permissions it needs."
        ),
    )
    prefix = models.CharField(
        _("prefix"),
        max_length=16,
        unique=True,
        editable=False,
        help_text=_("The token's first characters, to recognise it."),
    )
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.user.is_active

    @classmethod
    def issue(cls, *, name: str, user) -> tuple["ApiToken", str]:
        """Create a token; return it with its secret, which is never stored."""
        prefix = secrets.token_hex(4)
        secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        token = cls(name=name, user=user, prefix=prefix, key_hash=_hash(secret))
        token.full_clean(exclude=["prefix", "key_hash"])
        token.save()
        return token, secret

    @classmethod
    def authenticate(cls, secret: str) -> "ApiToken | None":
        """The active token whose secret this is, or None."""
        parts = secret.split("_", 2)  # the random part may contain "_" too
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            return None
        token = cls.objects.select_related("user").filter(prefix=parts[1]).first()
        if token is None or not hmac.compare_digest(token.key_hash, _hash(secret)):
            return None
        if not token.is_active:
            return None
        return token

    def record_use(self) -> None:
        now = timezone.now()
        if (
            self.last_used_at is None
            or (now - self.last_used_at).total_seconds() >= LAST_USED_PRECISION
        ):
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
