"""Webhook rules that hold whatever door is used: targets, event types, headers, secrets."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

import pytest
from sqlalchemy.orm import Session

from syllabus.core.errors import Invalid, NotFound
from syllabus.domain.events import Surface
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
