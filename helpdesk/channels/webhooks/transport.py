"""POSTing a webhook to a client's URL without letting it reach our own network.

A URL is checked when an endpoint is saved (a quick answer for the client)
and, what actually protects us, at connect time: the address the socket
connected to is checked before a byte is sent, so a name that resolves to a
public address at save time and to 127.0.0.1 later (DNS rebinding) is refused.
Redirects are never followed: a 3xx is an answer like any other.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

log = logging.getLogger(__name__)
BODY_KEPT = 1024
BODY_READ_LIMIT = 64 * 1024


class RefusedAddress(Exception):
    """The URL leads to an address webhooks may not reach (loopback, private, link-local, metadata)."""


def is_internal(address: str) -> bool:
    """Loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved: anything not global."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global


def resolve(host: str, port: int) -> list[str]:
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})
    except (socket.gaierror, UnicodeError) as exc:
        raise RefusedAddress(f"{host} does not resolve: {exc}") from None


def check_url(url: str, *, allow_internal: bool) -> str | None:
    """Why this URL may not receive webhooks, or None when it may."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "Use an https:// URL with a host name."
    if parts.username or parts.password:
        return "Credentials in the URL are not allowed; authenticate by the signature."
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        internal = [address for address in resolve(parts.hostname, port) if is_internal(address)]
    except (RefusedAddress, ValueError) as exc:
        return str(exc)
    if internal and not allow_internal:
        return f"{parts.hostname} resolves to an internal address ({internal[0]}); webhooks may not go there."
    if parts.scheme == "http" and not (internal and allow_internal):
        return "Use https://; plain http is only for local or private receivers where the instance allows them."
    return None


class _CheckedPeer:
    """Mixed into urllib3's connections: refuse the socket if its peer is internal and that is not allowed."""

    allow_internal = False

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        peer = sock.getpeername()[0]
        if not self.allow_internal and is_internal(peer):
            sock.close()
            log.warning("webhook refused: %s connected to internal address %s", self.host, peer)
            raise RefusedAddress(f"{self.host} connected to the internal address {peer}; refused.")
        return sock


class _CheckedHTTPConnection(_CheckedPeer, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedPeer, HTTPSConnection):
    pass


@dataclass
class Answer:
    status: int | None
    body: str | None
    error: str | None
    retry_after: float | None
    duration_ms: int
    refused: bool = False


class Sender:
    """One per process: keeps connections to each receiver alive between deliveries."""

    def __init__(self, *, allow_internal: bool, timeout_seconds: float) -> None:
        self.timeout = urllib3.Timeout(total=timeout_seconds, connect=min(5.0, timeout_seconds))
        self.manager = urllib3.PoolManager(num_pools=200, maxsize=1, block=False, retries=False)
        connections = {"http": _CheckedHTTPConnection, "https": _CheckedHTTPSConnection}
        for scheme, pool_class in (("http", HTTPConnectionPool), ("https", HTTPSConnectionPool)):
            checked = type(f"Checked{pool_class.__name__}", (pool_class,), {
                "ConnectionCls": type(f"Allowed{connections[scheme].__name__}", (connections[scheme],),
                                      {"allow_internal": allow_internal})})
            self.manager.pool_classes_by_scheme = {**self.manager.pool_classes_by_scheme, scheme: checked}

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        started = time.monotonic()
        try:
            response = self.manager.request("POST", url, body=body, headers=headers, timeout=self.timeout,
                                            redirect=False, preload_content=False)
        except RefusedAddress as exc:
            return Answer(None, None, str(exc), None, _ms_since(started), refused=True)
        except urllib3.exceptions.HTTPError as exc:
            return Answer(None, None, _network_error(exc), None, _ms_since(started))
        try:
            text = response.read(BODY_READ_LIMIT, decode_content=True)
            if response.read(1):
                response.close()  # more than we read: drop the connection rather than drain it
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            return Answer(response.status, None, f"reading the answer failed: {exc}", None, _ms_since(started))
        finally:
            response.release_conn()
        return Answer(response.status, text[:BODY_KEPT].decode("utf-8", "replace"), None,
                      _retry_after(response.headers.get("Retry-After")), _ms_since(started))


def _network_error(exc: Exception) -> str:
    # urllib3's NewConnectionError subclasses its ConnectTimeoutError: test it first, or a refused
    # connection would read "timed out".
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return f"could not connect: {exc}"[:500]
    reason = getattr(exc, "reason", None) or exc
    if isinstance(exc, urllib3.exceptions.TimeoutError) or isinstance(reason, urllib3.exceptions.TimeoutError):
        return "timed out"
    return f"network error: {reason}"[:500]


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
