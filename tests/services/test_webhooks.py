"""Webhook rules that hold whatever door is used: targets, event types, headers, secrets."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

import pytest
from sqlalchemy.orm import Session

from syllabus.core.context import Surface
from syllabus.core.errors import Invalid, NotFound
from syllabus.domain.webhooks import DeactivateReason, WebhookEventType
from syllabus.services.webhook_targets import address_refusal, clean_target_url
from syllabus.services.webhooks import (
    WebhookData,
    clean_event_type,
    clean_headers,
    create_webhook,
    deactivate_webhook,
    get_webhook,
    rotate_webhook_secret,
)
from tests.factories import events, make_tenant, scope


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.1.2.3", "a private or reserved address"),
        ("192.168.0.10", "a private or reserved address"),
        ("172.16.5.5", "a private or reserved address"),
        ("100.64.0.1", "a private or reserved address"),
        ("169.254.10.10", "a link-local address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("0.0.0.0", "a private or reserved address"),  # noqa: S104
        ("224.0.0.1", "a private or reserved address"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_addresses_webhooks_may_not_reach(address: str, why: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address), allow_private=False) == why


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("64:ff9b::a9fe:a9fe", "a cloud metadata address"),  # NAT64 of 169.254.169.254
        ("64:ff9b::7f00:1", "a loopback address"),
        ("64:ff9b:1:7f00:1::", "a loopback address"),  # local-use NAT64, /48 layout
        ("64:ff9b:1::a9fe:a9fe", "a cloud metadata address"),  # local-use NAT64, /96
        ("::127.0.0.1", "a loopback address"),  # IPv4-compatible
        ("::10.0.0.1", "a private or reserved address"),
        ("2002:7f00:1::", "a loopback address"),  # 6to4
        ("2002:a9fe:a9fe::1", "a cloud metadata address"),
        ("::ffff:0:7f00:1", "a loopback address"),  # IPv4-translated
        ("::ffff:0:a9fe:a9fe", "a cloud metadata address"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "a loopback address"),  # Teredo, 127.0.0.1
        ("fec0::1", "a private or reserved address"),  # site-local
        ("64:ff9b::5db8:d822", None),  # NAT64 of a public address is public
        ("2002:5db8:d822::1", None),  # 6to4 of a public address
    ],
)
def test_ipv6_forms_of_refused_ipv4_addresses_are_refused(address: str, why: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address), allow_private=False) == why


@pytest.mark.parametrize(
    "address", ["64:ff9b::a9fe:a9fe", "::169.254.169.254", "2002:a9fe:a9fe::", "::ffff:0:a9fe:a9fe"]
)
def test_embedded_metadata_is_refused_even_with_private_targets_allowed(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address), allow_private=True) == (
        "a cloud metadata address"
    )


def test_embedded_forms_are_refused_at_registration() -> None:
    for host in ("[64:ff9b::a9fe:a9fe]", "[::127.0.0.1]", "[2002:7f00:1::]", "[fec0::1]"):
        with pytest.raises(Invalid) as caught:
            clean_target_url(f"https://{host}/hook", allow_private=False)
        assert "is not allowed" in caught.value.message


def test_allowing_private_targets_still_refuses_metadata() -> None:
    assert address_refusal(ipaddress.ip_address("127.0.0.1"), allow_private=True) is None
    assert address_refusal(ipaddress.ip_address("10.0.0.1"), allow_private=True) is None
    assert address_refusal(ipaddress.ip_address("169.254.169.254"), allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/hook",  # plain http
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://[::1]/hook",
        "https://user:pw@93.184.216.34/hook",
        "https:///nohost",
        "https://93.184.216.34:99999/",
        "javascript:alert(1)",
        "https://93.184.216.34/" + "x" * 1100,
    ],
)
def test_target_urls_refused(url: str) -> None:
    with pytest.raises(Invalid) as caught:
        clean_target_url(url, allow_private=False)
    assert caught.value.field == "target_url"


def test_target_urls_accepted() -> None:
    assert clean_target_url(" https://93.184.216.34/hook ", allow_private=False) == (
        "https://93.184.216.34/hook"
    )
    assert clean_target_url("http://127.0.0.1:8080/h", allow_private=True)
    # Not resolvable now: accepted, and checked again at every delivery.
    assert clean_target_url("https://nowhere.invalid/h", allow_private=False)


def test_event_types_and_aliases() -> None:
    assert clean_event_type("COURSE_COMPLETION") is WebhookEventType.COURSE_COMPLETION
    assert clean_event_type("course_completion") is WebhookEventType.COURSE_COMPLETION
    assert clean_event_type("user.registered") is WebhookEventType.DOMAIN_ENROLLMENT
    assert clean_event_type("certificate.issued") is WebhookEventType.CERTIFICATE_ISSUED
    assert clean_event_type(None) is None
    assert clean_event_type("") is None
    with pytest.raises(Invalid):
        clean_event_type("course.exploded")
    with pytest.raises(Invalid):
        clean_event_type(3)


def test_additional_headers_cannot_override_the_contract() -> None:
    assert clean_headers({"X-A": "1"}) == {"X-A": "1"}
    for bad in ({"Authorization": "x"}, {"X-A": "a\r\nb"}, {"bad header": "x"}, {"X": 1}):
        with pytest.raises(Invalid):
            clean_headers(bad)


def test_secrets_rotate_and_are_never_in_events(session: Session) -> None:
    _, ctx = make_tenant(session)
    scope(session, ctx)
    hook = create_webhook(
        session,
        ctx,
        data=WebhookData(target_url="https://93.184.216.34/h", basic_auth_password="hunter2"),
        allow_private_targets=False,
    )
    first = hook.secret
    assert first.startswith("whsec_")
    rotated = rotate_webhook_secret(session, ctx, webhook_id=hook.id)
    assert rotated.secret != first
    assert rotated.previous_secret == first
    recorded = str([e.data for e in events(session, ctx)])
    assert first not in recorded
    assert "hunter2" not in recorded
    _, other = make_tenant(session)
    scope(session, other)
    with pytest.raises(NotFound):
        get_webhook(session, other, hook.id)


def test_the_sender_deactivating_a_webhook_records_it_once(session: Session) -> None:
    _, ctx = make_tenant(session)
    hook = create_webhook(
        session,
        ctx,
        data=WebhookData(target_url="https://93.184.216.34/h"),
        allow_private_targets=False,
    )
    worker = replace(ctx, actor="worker", surface=Surface.WORKER)

    deactivate_webhook(session, worker, webhook_id=hook.id, reason=DeactivateReason.RETRY_COUNT)
    again = deactivate_webhook(
        session, worker, webhook_id=hook.id, reason=DeactivateReason.HTTP_4XX_RESPONSE
    )

    assert (again.active, again.deactivate_reason, again.retry_at) == (
        False,
        DeactivateReason.HTTP_4XX_RESPONSE,
        None,
    )
    recorded = events(session, ctx, "webhook.deactivated")
    assert [(e.actor, e.surface, e.data["reason"]) for e in recorded] == [
        ("worker", "worker", "RETRY_COUNT")
    ]
    assert recorded[0].data["active"] is False
    assert "secret" not in recorded[0].data


def test_a_webhook_of_another_program_cannot_be_deactivated(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, other = make_tenant(session)
    hook = create_webhook(
        session,
        other,
        data=WebhookData(target_url="https://93.184.216.34/h"),
        allow_private_targets=False,
    )
    with pytest.raises(NotFound):
        deactivate_webhook(session, ctx, webhook_id=hook.id, reason=DeactivateReason.RETRY_COUNT)
    assert get_webhook(session, other, hook.id).active
