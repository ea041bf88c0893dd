"""Where a webhook may point: https to public addresses only, unless private targets are
allowed (then plain http too). Checked when a webhook is saved and again, on the addresses
actually connected to, at every delivery (DNS can change between the two: rebinding)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from syllabus.core.errors import Invalid

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

CLOUD_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
"""Instance metadata services: refused even when private targets are allowed."""


class ForbiddenTarget(Exception):
    """The target resolves to an address webhooks may not reach."""


def address_refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why ``address`` may not be contacted, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in CLOUD_METADATA:
        return "a cloud metadata address"
    if address.is_global and not address.is_multicast:
        return None
    if allow_private and not (address.is_multicast or address.is_unspecified):
        return None
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    return "a private or reserved address"


def ip_literal(host: str) -> IPAddress | None:
    """The address ``host`` spells, when it is one (no lookup needed)."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    literal = ip_literal(host)
    if literal is not None:
        return [literal]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def check_addresses(host: str, port: int, *, allow_private: bool) -> list[IPAddress]:
    """Resolve and vet every address; raise ForbiddenTarget when any is refused."""
    return vet_addresses(host, resolve(host, port), allow_private=allow_private)


def vet_addresses(host: str, addresses: list[IPAddress], *, allow_private: bool) -> list[IPAddress]:
    """``addresses`` (what ``host`` resolved to) when every one may be contacted; raise
    ForbiddenTarget when any is refused."""
    for address in addresses:
        why = address_refusal(address, allow_private=allow_private)
        if why is not None:
            raise ForbiddenTarget(f"{host} resolves to {why}")
    return addresses


def clean_target_url(value: object, *, allow_private: bool, field: str = "target_url") -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(field, f"{field} is required")
    url = value.strip()
    if len(url) > 1024:
        raise Invalid(field, f"{field} is longer than 1024 characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Invalid(field, f"{field} is not a valid URL") from None
    allowed_schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in allowed_schemes:
        raise Invalid(field, f"{field} must be an https URL")
    if not parts.hostname:
        raise Invalid(field, f"{field} has no host")
    if parts.username is not None or parts.password is not None:
        raise Invalid(field, f"{field} must not carry credentials; use basic_auth_username")
    if parts.fragment:
        raise Invalid(field, f"{field} must not carry a fragment")
    default_port = 443 if parts.scheme == "https" else 80
    try:
        check_addresses(parts.hostname, port or default_port, allow_private=allow_private)
    except ForbiddenTarget as refusal:
        raise Invalid(field, f"{field} is not allowed: {refusal}") from None
    except (OSError, UnicodeError):
        pass  # not resolvable now: checked again at every delivery
    return url
