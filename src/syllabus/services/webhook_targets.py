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

NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
SITE_LOCAL = ipaddress.ip_network("fec0::/10")


class ForbiddenTarget(Exception):
    """The target resolves to an address webhooks may not reach."""


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 form carries, which a connection to it may reach through a
    translator or tunnel: IPv4-mapped, IPv4-translated (RFC 2765), IPv4-compatible, NAT64
    (64:ff9b::/96, and 64:ff9b:1::/48 at each RFC 6052 prefix length), 6to4 and Teredo."""
    packed = address.packed
    low = ipaddress.IPv4Address(packed[12:])
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address in IPV4_TRANSLATED or address in NAT64:
        found.append(low)
    if address in IPV4_COMPATIBLE and int(address) > 1:  # :: and ::1 are IPv6's own
        found.append(low)
    if address in NAT64_LOCAL:  # RFC 6052 skips bits 64-71 (the "u" octet)
        found += [
            ipaddress.IPv4Address(packed[6:8] + packed[9:11]),  # /48
            ipaddress.IPv4Address(packed[7:8] + packed[9:12]),  # /56
            ipaddress.IPv4Address(packed[9:13]),  # /64
            low,  # /96
        ]
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.append(address.teredo[1])
    return found


def address_refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why ``address`` may not be contacted, or None when it may. An IPv6 address carrying an
    IPv4 one is refused when that one is."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if any(a in CLOUD_METADATA for a in inner):  # the worst reason first
            return "a cloud metadata address"
        for why in (address_refusal(a, allow_private=allow_private) for a in inner):
            if why is not None:
                return why
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in SITE_LOCAL and not allow_private:
            return "a private or reserved address"  # deprecated, yet is_global says yes
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
