"""Signatures of the Standard Webhooks specification, and the secret at rest.

Each request carries ``webhook-id`` (the event's id), ``webhook-timestamp``
(seconds since the epoch) and ``webhook-signature``: ``v1,`` and the base64 of
HMAC-SHA256, keyed with the secret's bytes, over ``"{id}.{timestamp}.{body}"``.
The secret is shown as ``whsec_`` and the base64 of 32 random bytes.

Secrets must be read back to sign, so they cannot be hashed: they are stored
encrypted (HMAC-SHA256 in counter mode as the key stream, then an HMAC tag over
the ciphertext; both keys derived from ``SECRET_KEY``). A copy of the database
alone does not give them away; a secret encrypted under an older key listed in
``SECRET_KEY_FALLBACKS`` is still read.
"""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

PREFIX = "whsec_"
SECRET_BYTES = 32
TOLERANCE_SECONDS = 5 * 60


def generate_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header's value for this message."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(
    *, secret: str, headers: dict, body: bytes, now: float, tolerance=TOLERANCE_SECONDS
) -> bool:
    """Whether ``headers`` (lower-case names) sign ``body`` with ``secret``, at a
    time within ``tolerance`` seconds of ``now``: the receiver's side, as
    docs/api.md shows it."""
    try:
        timestamp = int(headers["webhook-timestamp"])
        msg_id = headers["webhook-id"]
        given = headers["webhook-signature"].split()
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, one) for one in given)


# -- the secret at rest ----------------------------------------------------------


def _derived(purpose: str, secret_key: str) -> bytes:
    return hmac.new(
        secret_key.encode(), f"webhooks.secret.{purpose}".encode(), hashlib.sha256
    ).digest()


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < length:
        out += hmac.new(key, nonce + counter.to_bytes(8), hashlib.sha256).digest()
        counter += 1
    return out[:length]


def encrypt_secret(secret: str, *, secret_key: str | None = None) -> str:
    secret_key = secret_key or settings.SECRET_KEY
    plain = secret.encode()
    nonce = secrets.token_bytes(16)
    cipher = bytes(
        a ^ b
        for a, b in zip(
            plain, _stream(_derived("enc", secret_key), nonce, len(plain)), strict=True
        )
    )
    tag = hmac.new(_derived("mac", secret_key), nonce + cipher, hashlib.sha256)
    return "v1:" + base64.b64encode(nonce + cipher + tag.digest()).decode()


class SecretUnreadable(ValueError):
    """The stored secret was encrypted under a key that is no longer known."""


def decrypt_secret(stored: str) -> str:
    raw = base64.b64decode(stored.removeprefix("v1:"))
    nonce, cipher, tag = raw[:16], raw[16:-32], raw[-32:]
    for secret_key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        expected = hmac.new(_derived("mac", secret_key), nonce + cipher, hashlib.sha256)
        if hmac.compare_digest(expected.digest(), tag):
            stream = _stream(_derived("enc", secret_key), nonce, len(cipher))
            return bytes(a ^ b for a, b in zip(cipher, stream, strict=True)).decode()
    raise SecretUnreadable("the webhook secret was encrypted under an unknown key")
