"""Honour a TLS-terminating reverse proxy's headers, and only a trusted proxy's.

Behind a proxy the server sees plain HTTP from the proxy's address; the links it hands out
(login URLs, download links, ``next`` pages) must use the scheme and host the client used.
When the connecting peer is in ``SYLLABUS_TRUSTED_PROXIES``, ``Forwarded`` (RFC 7239) or else
``X-Forwarded-Proto`` / ``X-Forwarded-Host`` / ``X-Forwarded-For`` set the request's scheme,
host and client. From anyone else these headers are ignored, so a client cannot make the
server hand out links to a host of its choosing.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
DEFAULT_TRUSTED = ("127.0.0.1", "::1")
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")
_SCHEMES = {"http": ("http", "ws"), "https": ("https", "wss")}


def parse_trusted(entries: Iterable[str]) -> tuple[Network, ...] | None:
    """IPs and CIDRs; ``*`` trusts every peer (returns None). Bad entries raise ValueError."""
    networks: list[Network] = []
    for entry in entries:
        text = entry.strip()
        if not text:
            continue
        if text == "*":
            return None
        networks.append(ipaddress.ip_network(text, strict=False))
    return tuple(networks)


def _last(values: list[str]) -> str | None:
    """The value the nearest proxy set: the last of a comma-separated header."""
    for value in reversed(values):
        if value.strip():
            return value.strip()
    return None


def _forwarded(header: str) -> list[dict[str, str]]:
    """RFC 7239 elements, nearest proxy last: ``for=1.2.3.4;proto=https, for=...``."""
    elements = []
    for element in header.split(","):
        pairs: dict[str, str] = {}
        for pair in element.split(";"):
            name, sep, value = pair.partition("=")
            if sep:
                pairs[name.strip().lower()] = value.strip().strip('"')
        elements.append(pairs)
    return elements


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    host = text.strip()
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]  # an IPv4 address with a port
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


class ProxyHeaders:
    """ASGI middleware that rewrites scheme, Host and client for requests from trusted peers."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str] = DEFAULT_TRUSTED) -> None:
        self.app = app
        self.networks = parse_trusted(trusted)

    def _trusts(self, host: str | None) -> bool:
        if self.networks is None:
            return True
        address = _ip(host) if host else None
        return address is not None and any(address in net for net in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            client = scope.get("client")
            if self._trusts(client[0] if client else None):
                scope = self._rewrite(scope)
        await self.app(scope, receive, send)

    def _rewrite(self, scope: Scope) -> Scope:
        headers: dict[str, list[str]] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
        proto = host = None
        chain: list[str] = []
        if "forwarded" in headers:
            elements = _forwarded(",".join(headers["forwarded"]))
            nearest = elements[-1] if elements else {}
            proto, host = nearest.get("proto"), nearest.get("host")
            chain = [e["for"] for e in elements if "for" in e]
        else:
            proto = _last(",".join(headers.get("x-forwarded-proto", [])).split(","))
            host = _last(",".join(headers.get("x-forwarded-host", [])).split(","))
            chain = [v.strip() for v in ",".join(headers.get("x-forwarded-for", [])).split(",")]
        new: dict[str, Any] = dict(scope)
        if proto and proto.lower() in _SCHEMES:
            http, ws = _SCHEMES[proto.lower()]
            new["scheme"] = ws if scope["type"] == "websocket" else http
        if host and _HOST.match(host):
            new["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() != b"host"]
            new["headers"].append((b"host", host.encode("latin-1")))
        client = self._client(chain)
        if client is not None:
            new["client"] = (client, 0)
        return new

    def _client(self, chain: list[str]) -> str | None:
        """The first address, from the nearest proxy back, that is not a trusted proxy."""
        for hop in reversed(chain):
            address = _ip(hop)
            if address is None:
                return None
            if not self._trusts(str(address)):
                return str(address)
        return str(_ip(chain[0])) if chain and _ip(chain[0]) else None
