"""Receivers that drop connections (reset before answering, or close pooled keep-alive
connections behind the sender's back) or are slow: nothing is lost, no success is counted as
a failure, and a slow receiver does not hold up the other webhooks."""

from __future__ import annotations

import threading
import time

from sqlalchemy.orm import Session, sessionmaker

from syllabus.domain.webhooks import DeliveryStatus
from tests.delivery.receiver import Behaviour, running_receiver
from tests.delivery.webhook_helpers import make_program, webhook_worker


def test_a_connection_reset_before_any_answer_is_retried(factory: sessionmaker[Session]) -> None:
    program = make_program(factory)
    with running_receiver() as receiver, webhook_worker(factory) as pump:
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        receiver.script = [Behaviour(reset=True), Behaviour(reset=True)]
        program.enroll_new_users(2)
        pump.until(lambda: len(receiver.received) == 2, timeout=30)
    deliveries = program.deliveries(hook_id)
    assert receiver.ids() == [d.message_id for d in deliveries]
    assert [d.attempts for d in deliveries] == [3, 1]
    failed = [a for a in program.attempts() if a.status_code is None]
    assert len(failed) == 2
    assert all(a.error for a in failed)
    assert program.webhook(hook_id).active


def test_pooled_connections_closed_by_the_receiver_cause_no_failed_attempt(
    factory: sessionmaker[Session],
) -> None:
    program = make_program(factory)
    with running_receiver() as receiver, webhook_worker(factory, concurrency=1) as pump:
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        receiver.default = Behaviour(close_after=True)
        for batch in range(1, 4):  # separate passes, each offered what the pool kept
            program.enroll_new_users(2)
            pump.until(lambda n=2 * batch: len(receiver.received) >= n)  # type: ignore[misc]
    deliveries = program.deliveries(hook_id)
    assert {d.status for d in deliveries} == {DeliveryStatus.DELIVERED}
    assert [d.attempts for d in deliveries] == [1] * 6
    assert [a.status_code for a in program.attempts()] == [200] * 6
    assert receiver.ids() == [d.message_id for d in deliveries]


def test_a_slow_receiver_does_not_hold_up_other_webhooks(factory: sessionmaker[Session]) -> None:
    program = make_program(factory)
    with (
        running_receiver() as slow,
        running_receiver() as fast,
        webhook_worker(factory, timeout=5.0, drain_seconds=1.0) as pump,
    ):
        slow_id, secret = program.hook(slow.url, event_type="COURSE_ENROLLMENT")
        slow.secrets.append(secret)
        slow.default = Behaviour(delay=1.0)  # answers, but takes a second each time
        program.enroll_new_users(6)
        stop = threading.Event()
        thread = threading.Thread(target=pump.worker.run_forever, args=(stop,), daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 30
            while not slow.arrivals:
                assert time.monotonic() < deadline, "the slow receiver got nothing"
                time.sleep(0.02)
            _, secret = program.hook(fast.url, event_type="DOMAIN_ENROLLMENT")
            fast.secrets.append(secret)
            program.enroll_new_users(1)
            fast.wait_for(1, timeout=30)
            behind = len(slow.received)
            slow.wait_for(7, timeout=60)  # its 6, and the 7th enrollment
        finally:
            stop.set()
            thread.join(timeout=30)
    assert behind < 6  # the fast webhook did not wait for the slow one's whole queue
    assert slow.ids() == [d.message_id for d in program.deliveries(slow_id)]
    assert [a.error for a in program.attempts()] == [None] * 8
