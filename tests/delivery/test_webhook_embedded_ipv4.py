"""At connect time, a host that resolves to an IPv6 form of a refused IPv4 address (NAT64,
6to4, IPv4-compatible or -translated) is refused like the IPv4 address itself: DNS may point a
saved webhook there after it was checked."""

from __future__ import annotations

import base64
import socket
from typing import Any

import pytest

from syllabus.delivery.webhook_http import Target, guarded_client, post

SECRET = "whsec_" + base64.b64encode(b"embedded-ipv4-tests-0123").decode()


def resolving_to(address: str) -> Any:
    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]

    return resolve


@pytest.mark.parametrize(
    ("address", "allow_private", "why"),
    [
        ("64:ff9b::a9fe:a9fe", True, "a cloud metadata address"),
        ("64:ff9b::7f00:1", False, "a loopback address"),
        ("::127.0.0.1", False, "a loopback address"),
        ("2002:7f00:1::", False, "a loopback address"),
        ("::ffff:0:7f00:1", False, "a loopback address"),
        ("fec0::1", False, "a private or reserved address"),
    ],
)
def test_hosts_resolving_to_embedded_refused_addresses_are_refused_on_connect(
    address: str, allow_private: bool, why: str
) -> None:
    client = guarded_client(
        allow_private=allow_private, timeout=2.0, max_connections=1, resolver=resolving_to(address)
    )
    target = Target(
        url="https://hooks.example.test/in", secrets=(SECRET,), username="", password="", headers={}
    )
    with client:
        result = post(client, target, "msg_1", {"n": 1})
    assert not result.ok
    assert f"refused: hooks.example.test resolves to {why}" in (result.error or "")
