"""Where a webhook may be sent, and sending it there.

A target's host is resolved and every address it resolves to must be public:
loopback, private, link-local, shared, multicast, reserved and unspecified
addresses are refused, IPv4 and IPv6 alike (an IPv4-mapped IPv6 address counts as
its IPv4 address), unless ``WEBHOOK_ALLOWED_HOSTS`` names the host or
``WEBHOOK_ALLOWED_NETWORKS`` holds the address. The check runs when a
subscription is saved and again at each delivery (a name may resolve elsewhere
by then), and the request goes to the very address that was checked (the Host
header and TLS's server name still say the host), so a name cannot be made to
resolve to a public address for the check and to an internal one for the
connection. Redirects are not followed; the body read back is bounded; the
connection has 3 seconds to open and the whole exchange 10.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CONNECT_TIMEOUT = 3.0
TOTAL_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked IP address to connect to


def _allowed_networks():
    return [
        ipaddress.ip_network(network, strict=False)
        for network in settings.WEBHOOK_ALLOWED_NETWORKS
    ]


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for: IPv4-mapped, 6to4, Teredo's
    server, NAT64's well-known prefix."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[0]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_refusal(address: str) -> str | None:
    """Why ``address`` may not be a target (``None``: it may)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if any(ip in network for network in _allowed_networks()):
        return None
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        if any(embedded in network for network in _allowed_networks()):
            return None
        refusal = address_refusal(str(embedded))
        if refusal:
            return refusal
    for flag, label in (
        ("is_unspecified", _("unspecified")),
        ("is_loopback", _("loopback")),
        ("is_link_local", _("link-local")),
        ("is_multicast", _("multicast")),
        ("is_private", _("private")),
        ("is_reserved", _("reserved")),
    ):
        if getattr(ip, flag):
            return label
    if not ip.is_global:
        return _("not public")
    return None


def resolve(url: str) -> Target:
    """Check ``url`` and its host's addresses; raise ``ValidationError`` with a
    message saying what is wrong, or return where to connect."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValidationError(_("The URL must start with https:// (or http://)."))
    if settings.PRODUCTION and parts.scheme != "https":
        raise ValidationError(_("The URL must use HTTPS."))
    if parts.username or parts.password:
        raise ValidationError(_("The URL may not hold a user name or password."))
    host = parts.hostname
    if not host:
        raise ValidationError(_("The URL has no host."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValidationError(_("The URL's port is not a number.")) from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ValidationError(
            _("The host %(host)s cannot be resolved.") % {"host": host}
        ) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if host not in {name.lower() for name in settings.WEBHOOK_ALLOWED_HOSTS}:
        for address in addresses:
            refusal = address_refusal(address)
            if refusal:
                raise ValidationError(
                    _(
                        "%(host)s resolves to %(address)s, a %(kind)s address: "
                        "webhooks are only sent to public addresses (an "
                        "administrator may allow it with WEBHOOK_ALLOWED_HOSTS or "
                        "WEBHOOK_ALLOWED_NETWORKS)."
                    )
                    % {"host": host, "address": address, "kind": refusal}
                )
    return Target(parts.scheme, host, port, path, addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address; the Host header names the host."""

    def __init__(self, target: Target, **kwargs):
        super().__init__(target.host, target.port, **kwargs)
        self.address = target.address

    def connect(self):
        self.sock = socket.create_connection(
            (self.address, self.port), timeout=CONNECT_TIMEOUT
        )


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with TLS verified against the host's name (SNI and certificate)."""

    def __init__(self, target: Target, **kwargs):
        super().__init__(
            target.host, target.port, context=ssl.create_default_context(), **kwargs
        )
        self.address = target.address

    def connect(self):
        sock = socket.create_connection(
            (self.address, self.port), timeout=CONNECT_TIMEOUT
        )
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict
    body: bytes


def post(target: Target, *, body: bytes, headers: dict) -> Response:
    """POST ``body`` to ``target``; raise ``OSError`` (a timeout included) or
    ``http.client.HTTPException`` when no answer comes."""
    deadline = time.monotonic() + TOTAL_TIMEOUT
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = cls(target, timeout=CONNECT_TIMEOUT)
    try:
        connection.connect()
        # Each read waits at most what is left of the 10 seconds, and the body
        # is read in chunks with the deadline checked between them.
        connection.sock.settimeout(max(0.1, deadline - time.monotonic()))
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        chunks, size = [], 0
        while size < MAX_RESPONSE_BYTES:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the whole exchange took over 10 seconds")
            chunk = response.read1(MAX_RESPONSE_BYTES - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return Response(
            response.status,
            {name.lower(): value for name, value in response.getheaders()},
            b"".join(chunks),
        )
    finally:
        connection.close()
