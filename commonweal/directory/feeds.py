"""Fetching a feed a steward named, without letting the address reach inside the network (SSRF).

Only http and https. The host is resolved once and every address it resolves to must be public (not
private, loopback, link-local, multicast, reserved or unspecified) unless the deployment lists the host in
DIRECTORY_IMPORT_ALLOWED_HOSTS; the connection then goes to the address that was checked, so a second,
different DNS answer cannot swap it (DNS rebinding). Redirects are followed by hand, each hop checked
the same way. Each answer has a time limit and a size cap.

Whatever goes wrong, the caller sees one message, `COULD_NOT_FETCH`: a closed port, an open one that
answers something else and a refused address must look alike, or the importer becomes a port scanner.
The reason goes to the log for the operator. Decision 1204 says why this is written here.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
from urllib.parse import urljoin, urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

COULD_NOT_FETCH = (
    "Could not fetch the feed. Check its address, and that it answers with ORUK 3.0 JSON over https."
)
MAX_REDIRECTS = 5
DEFAULT_PORTS = {"http": 80, "https": 443}


class FeedError(Exception):
    """Why a feed could not be fetched: for the log only (the steward sees COULD_NOT_FETCH)."""


def resolve(host: str, port: int) -> list[str]:
    """Return every address the host resolves to (tests replace this to point a name elsewhere)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FeedError(f"{host} does not resolve: {error}") from error
    return list(dict.fromkeys(str(item[4][0]) for item in found))


def open_socket(address: tuple[str, int], timeout: float) -> socket.socket:
    """Connect to one checked address (tests replace this to see where a connection would go)."""
    return socket.create_connection(address, timeout=timeout)


def _allowed_internal(host: str, address: str) -> bool:
    for entry in settings.DIRECTORY_IMPORT_ALLOWED_HOSTS:
        entry = entry.strip().lower()
        if not entry:
            continue
        try:
            if ipaddress.ip_address(address) in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            if host.lower().rstrip(".") == entry.rstrip("."):
                return True
    return False


def is_public(address: str) -> bool:
    """Tell whether an address is one the open internet routes (IPv4-mapped IPv6 read as IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def checked_address(url: str) -> tuple[str, str, int, str]:
    """Return (scheme, host, port, address to connect to) for a URL, or raise FeedError."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise FeedError(f"{url}: only http and https addresses are fetched")
    host = parts.hostname
    if not host:
        raise FeedError(f"{url}: no host")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as error:
        raise FeedError(f"{url}: {error}") from error
    addresses = resolve(host, port)
    if not addresses:
        raise FeedError(f"{host} resolves to no address")
    for address in addresses:
        if not is_public(address) and not _allowed_internal(host, address):
            raise FeedError(f"{url}: {host} resolves to {address}, and {address} is not a public address")
    return scheme, host, port, addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to an address already checked, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = open_socket((self.address, self.port), self.timeout)  # type: ignore[arg-type]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS, the certificate checked against the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        raw = open_socket((self.address, self.port), self.timeout)  # type: ignore[arg-type]
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch_bytes(url: str) -> bytes:
    """GET a URL through the checks above, following checked redirects; raise FeedError on any failure."""
    timeout = float(settings.DIRECTORY_IMPORT_FEED_TIMEOUT_SECONDS)
    cap = int(settings.DIRECTORY_IMPORT_FEED_MAX_BYTES)
    for _ in range(MAX_REDIRECTS + 1):
        scheme, host, port, address = checked_address(url)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = kind(host, port, address, timeout)
        try:
            connection.request("GET", target, headers={"Accept": "application/json"})
            response = connection.getresponse()
            if response.status in {301, 302, 303, 307, 308}:
                location = response.getheader("Location") or ""
                response.close()
                if not location:
                    raise FeedError(f"{url}: a redirect without a Location")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FeedError(f"{url}: answered {response.status}")
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise FeedError(f"{url}: the answer is larger than {cap} bytes")
            body = response.read(cap + 1)
            if len(body) > cap:
                raise FeedError(f"{url}: the answer is larger than {cap} bytes")
            return body
        except (OSError, http.client.HTTPException, ssl.SSLError) as error:
            raise FeedError(f"{url}: {type(error).__name__}: {error}") from error
        finally:
            connection.close()
    raise FeedError(f"{url}: more than {MAX_REDIRECTS} redirects")
