"""Webhook delivery end to end: outbox -> worker -> a real receiver on 127.0.0.1 that
verifies every request with ``standardwebhooks``; then the receiver misbehaves."""

from __future__ import annotations

import base64
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from syllabus.core.clock import utcnow
from syllabus.db.session import unit_of_work
from syllabus.domain.webhooks import DeactivateReason, DeliveryStatus, Webhook
from syllabus.services.webhooks import (
    WebhookData,
    replay_deliveries,
    resend_delivery,
    rotate_webhook_secret,
    update_webhook,
)
from tests.delivery.receiver import Behaviour, running_receiver
from tests.delivery.webhook_helpers import IDS, make_program, webhook_worker


def test_every_event_arrives_signed_in_skilljars_shape(factory: sessionmaker[Session]) -> None:
    program = make_program(factory)
    with running_receiver() as receiver, webhook_worker(factory) as pump:
        hook_id, secret = program.hook(
            receiver.url,
            basic_auth_username="hooks",
            basic_auth_password="s3cret",
            additional_headers={"X-Tenant": "acme"},
        )
        receiver.secrets.append(secret)
        (user_id,) = program.enroll_new_users(1)
        pump.until(lambda: len(receiver.received) == 2)
    assert receiver.unverified == []
    domain_enrollment, course_enrollment = receiver.received
    assert domain_enrollment.json()["event_type"] == "DOMAIN_ENROLLMENT"
    body = course_enrollment.json()
    assert body["event_type"] == "COURSE_ENROLLMENT"
    assert body["user"]["id"] == IDS.encode("user", user_id)
    assert body["user"]["email"].endswith("@example.com")
    assert body["course"]["id"] == IDS.encode("course", program.course_id)
    assert body["domain"]["name"]
    assert body["timestamp"].endswith("Z")
    headers = course_enrollment.headers
    assert headers["authorization"] == "Basic " + base64.b64encode(b"hooks:s3cret").decode()
    assert headers["x-tenant"] == "acme"
    assert headers["content-type"] == "application/json"
    assert len({r.message_id for r in receiver.received}) == 2
    deliveries = program.deliveries(hook_id)
    assert [d.status for d in deliveries] == [DeliveryStatus.DELIVERED] * 2
    assert [d.message_id for d in deliveries] == [r.message_id for r in receiver.received]
    attempts = program.attempts()
    assert [a.status_code for a in attempts] == [200, 200]
    assert all(a.latency_ms >= 0 and '"status": 200' in a.response_body for a in attempts)


def test_nothing_is_delivered_for_types_a_webhook_did_not_subscribe_to(
    factory: sessionmaker[Session],
) -> None:
    program = make_program(factory)
    with (
        running_receiver() as only_courses,
        running_receiver() as everything,
        webhook_worker(factory) as pump,
    ):
        _, secret = program.hook(only_courses.url, event_type="enrollment.created")
        only_courses.secrets.append(secret)
        _, secret = program.hook(everything.url)
        everything.secrets.append(secret)
        program.enroll_new_users(3)
        pump.until(lambda: len(everything.received) == 6)
        pump.settle(0.3)
    assert {r.json()["event_type"] for r in only_courses.received} == {"COURSE_ENROLLMENT"}
    assert len(only_courses.received) == 3
    assert only_courses.requests == 3


def test_a_failing_receiver_is_retried_in_order_until_it_answers(
    factory: sessionmaker[Session],
) -> None:
    program = make_program(factory)
    with running_receiver() as receiver, webhook_worker(factory) as pump:
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        receiver.script = [
            Behaviour(status=500),
            Behaviour(hang_up=True),
            Behaviour(status=503),
            Behaviour(delay=3.0),  # longer than the sender's timeout
            Behaviour(status=429, headers={"Retry-After": "1"}),
        ]
        program.enroll_new_users(4)
        pump.until(lambda: len(set(receiver.ids())) == 4, timeout=30)
        deliveries = program.deliveries(hook_id)
    assert receiver.unverified == []
    # The stalled request reached the receiver after the sender gave up on it: at least
    # once, so it came twice, with the same webhook-id; de-duplicated, all in order.
    assert list(dict.fromkeys(receiver.ids())) == [d.message_id for d in deliveries]
    assert deliveries[0].attempts == 6
    assert [d.attempts for d in deliveries[1:]] == [1, 1, 1]
    attempts = program.attempts()
    assert [a.status_code for a in attempts[:6]] == [500, None, 503, None, 429, 200]
    assert "RemoteProtocolError" in (attempts[1].error or "")
    assert "Timeout" in (attempts[3].error or "")
    assert program.webhook(hook_id).active


def test_retry_after_is_honoured(factory: sessionmaker[Session]) -> None:
    program = make_program(factory)
    with running_receiver() as receiver, webhook_worker(factory) as pump:
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        receiver.script = [Behaviour(status=429, headers={"Retry-After": "120"})]
        program.enroll_new_users(1)
        pump.until(lambda: receiver.requests == 1)
        retry_at = program.webhook(hook_id).retry_at
        assert retry_at is not None
        assert retry_at > utcnow() + timedelta(seconds=100)
        pump.settle(0.3)
        assert receiver.requests == 1


def test_a_receiver_that_is_down_gets_everything_once_it_is_up(
    factory: sessionmaker[Session],
) -> None:
    program = make_program(factory)
    with running_receiver() as placeholder:
        url = placeholder.url  # a port nobody listens on once this closes
    port = int(url.split(":")[2].split("/")[0])
    with webhook_worker(factory) as pump:
        hook_id, secret = program.hook(url, event_type="COURSE_ENROLLMENT")
        program.enroll_new_users(3)
        pump.until(lambda: any(d.attempts >= 2 for d in program.deliveries(hook_id)))
        assert all(a.error and "ConnectError" in a.error for a in program.attempts())
        with running_receiver(port) as receiver:
            receiver.secrets.append(secret)
            pump.until(lambda: len(receiver.received) == 3)
    assert receiver.ids() == [d.message_id for d in program.deliveries(hook_id)]


def test_410_deactivates_and_later_events_wait_for_a_replay(
    factory: sessionmaker[Session],
) -> None:
    program = make_program(factory)
    with running_receiver() as receiver, webhook_worker(factory) as pump:
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        receiver.script = [Behaviour(status=410)]
        before = utcnow()
        program.enroll_new_users(2)
        pump.until(lambda: not program.webhook(hook_id).active)
        hook = program.webhook(hook_id)
        assert hook.deactivate_reason is DeactivateReason.HTTP_4XX_RESPONSE
        program.enroll_new_users(1)  # while inactive: kept, not sent
        pump.settle(0.3)
        assert receiver.requests == 1
        statuses = [d.status for d in program.deliveries(hook_id)]
        assert statuses == [DeliveryStatus.FAILED, DeliveryStatus.PENDING, DeliveryStatus.MISSED]

        with unit_of_work(factory, tenant_id=program.ctx.tenant_id) as session:
            update_webhook(
                session,
                program.ctx,
                webhook_id=hook_id,
                data=WebhookData(active=True),
                allow_private_targets=True,
            )
            assert replay_deliveries(session, program.ctx, webhook_id=hook_id, since=before) == 2
        pump.until(lambda: len(receiver.received) == 3)
    assert program.webhook(hook_id).deactivate_reason is None
    assert receiver.ids() == [d.message_id for d in program.deliveries(hook_id)]


def test_persistent_4xx_deactivates_with_skilljars_reason(
    factory: sessionmaker[Session],
) -> None:
    program = make_program(factory)
    with running_receiver() as receiver, webhook_worker(factory) as pump:
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        receiver.default = Behaviour(status=400)
        program.enroll_new_users(1)
        pump.until(lambda: not program.webhook(hook_id).active)
    assert receiver.requests == 3
    assert program.webhook(hook_id).deactivate_reason is DeactivateReason.HTTP_4XX_RESPONSE


def test_retries_end_after_the_retry_window(factory: sessionmaker[Session]) -> None:
    program = make_program(factory)
    with (
        running_receiver() as receiver,
        webhook_worker(factory, retry_window=timedelta(milliseconds=300)) as pump,
    ):
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        receiver.default = Behaviour(status=502)
        program.enroll_new_users(1)
        pump.until(lambda: not program.webhook(hook_id).active)
    assert receiver.requests >= 2
    assert program.webhook(hook_id).deactivate_reason is DeactivateReason.RETRY_COUNT
    assert program.deliveries(hook_id)[0].status is DeliveryStatus.FAILED


def test_rotated_secrets_both_sign_during_the_grace_period(
    factory: sessionmaker[Session],
) -> None:
    program = make_program(factory)
    with (
        running_receiver() as old_only,
        running_receiver() as new_only,
        webhook_worker(factory) as pump,
    ):
        hook_id, old = program.hook(old_only.url, event_type="COURSE_ENROLLMENT")
        with unit_of_work(factory, tenant_id=program.ctx.tenant_id) as session:
            new = rotate_webhook_secret(session, program.ctx, webhook_id=hook_id).secret
            session.execute(
                update(Webhook).where(Webhook.id == hook_id).values(target_url=new_only.url)
            )
        assert new != old
        assert new.startswith("whsec_")
        new_only.secrets.append(new)
        program.enroll_new_users(1)
        pump.until(lambda: len(new_only.received) == 1)
        signature = new_only.received[0].headers["webhook-signature"]
        assert len(signature.split(" ")) == 2
        old_only.secrets.append(old)
        assert old_only.verify(new_only.received[0].headers, new_only.received[0].body)

        with unit_of_work(factory, tenant_id=program.ctx.tenant_id) as session:
            rotate_webhook_secret(session, program.ctx, webhook_id=hook_id, grace=timedelta(0))
        program.enroll_new_users(1)
        pump.until(lambda: new_only.requests == 2)
    assert len(new_only.unverified) == 1  # signed by the newest secret alone now


def test_a_delivery_can_be_sent_again_with_the_same_webhook_id(
    factory: sessionmaker[Session],
) -> None:
    program = make_program(factory)
    with running_receiver() as receiver, webhook_worker(factory) as pump:
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        program.enroll_new_users(1)
        pump.until(lambda: len(receiver.received) == 1)
        (delivery,) = program.deliveries(hook_id)
        with unit_of_work(factory, tenant_id=program.ctx.tenant_id) as session:
            resend_delivery(session, program.ctx, webhook_id=hook_id, delivery_id=delivery.id)
        pump.until(lambda: len(receiver.received) == 2)
    first, again = receiver.received
    assert first.message_id == again.message_id
    assert first.body == again.body


def test_targets_resolving_to_private_addresses_are_refused_at_delivery(
    factory: sessionmaker[Session],
) -> None:
    """A webhook saved while allowed (or re-pointed by DNS) is still checked on connect."""
    program = make_program(factory)
    with running_receiver() as receiver, webhook_worker(factory, allow_private=False) as pump:
        program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        program.enroll_new_users(1)
        pump.until(lambda: bool(program.attempts()))
    assert receiver.requests == 0
    assert "refused: 127.0.0.1 resolves to a loopback address" in (
        program.attempts()[0].error or ""
    )
