"""Webhooks are drained concurrently, each strictly in order, and a lease gives a webhook
back to the pool after ``drain_seconds`` without losing or reordering anything."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from syllabus.domain.webhooks import DeliveryStatus
from tests.delivery.receiver import Behaviour, running_receiver
from tests.delivery.webhook_helpers import make_program, webhook_worker


def test_a_slow_receiver_does_not_hold_back_another_and_order_holds_across_leases(
    factory: sessionmaker[Session],
) -> None:
    program = make_program(factory)
    with (
        running_receiver() as slow,
        running_receiver() as fast,
        webhook_worker(factory, concurrency=2, drain_seconds=0.3) as pump,
    ):
        slow_id, secret = program.hook(slow.url, event_type="COURSE_ENROLLMENT")
        slow.secrets.append(secret)
        fast_id, secret = program.hook(fast.url, event_type="COURSE_ENROLLMENT")
        fast.secrets.append(secret)
        slow.default = Behaviour(delay=0.15)
        program.enroll_new_users(8)
        pump.until(lambda: len(slow.received) == 8 and len(fast.received) == 8, timeout=30)
        slow_deliveries = program.deliveries(slow_id)
        fast_deliveries = program.deliveries(fast_id)
    assert slow.unverified == []
    assert fast.unverified == []
    # Each queue arrived whole, once, in event order, over several leases of 0.3 s.
    assert slow.ids() == [d.message_id for d in slow_deliveries]
    assert fast.ids() == [d.message_id for d in fast_deliveries]
    assert [d.status for d in slow_deliveries] == [DeliveryStatus.DELIVERED] * 8
    assert pump.passes >= 3
    # The fast webhook was drained alongside the slow one, not after it.
    assert max(r.at for r in fast.received) < sorted(r.at for r in slow.received)[2]
