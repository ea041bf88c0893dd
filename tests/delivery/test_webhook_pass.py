"""The sender's pass starts drains and returns: a slow receiver holds only its own drain,
never the worker's fan-out nor another webhook's deliveries, while order per webhook holds,
the worker sleeps when nothing is due and ``wait_idle`` waits for the drains it started."""

from __future__ import annotations

import threading
import time

from sqlalchemy.orm import Session, sessionmaker

from syllabus.delivery.worker import wait_idle
from syllabus.domain.webhooks import DeliveryStatus
from tests.delivery.receiver import Behaviour, running_receiver
from tests.delivery.webhook_helpers import Pump, make_program, webhook_worker

SLOW = 4.0
"""The slow receiver's answer time."""


def _running(pump: Pump) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=pump.worker.run_forever, args=(stop,), daemon=True)
    thread.start()
    return thread, stop


def _stopped(pump: Pump, thread: threading.Thread, stop: threading.Event) -> None:
    stop.set()
    pump.worker.wake.set()
    thread.join(timeout=30)
    assert not thread.is_alive()


def test_a_slow_receiver_delays_neither_fan_out_nor_another_webhook(
    factory: sessionmaker[Session],
) -> None:
    program = make_program(factory)
    with (
        running_receiver() as slow,
        running_receiver() as fast,
        webhook_worker(factory, timeout=10.0) as pump,
    ):
        slow_id, secret = program.hook(slow.url, event_type="COURSE_ENROLLMENT")
        slow.secrets.append(secret)
        fast_id, secret = program.hook(fast.url, event_type="COURSE_ENROLLMENT")
        fast.secrets.append(secret)
        slow.default = Behaviour(delay=SLOW)
        thread, stop = _running(pump)
        try:
            latencies = []
            for n in range(4):  # written while the slow receiver sits on its first request
                written = time.monotonic()
                program.enroll_new_users(1)
                latencies.append(fast.wait_for(n + 1, timeout=30)[n].at - written)
                time.sleep(0.2)
            assert slow.received == []  # all of that happened inside its first answer
            slow.default = Behaviour()
            slow.wait_for(4, timeout=30)
        finally:
            _stopped(pump, thread, stop)
        pump.sender.settle(30)
    # Each event reached the fast webhook long before the slow receiver had answered once.
    assert max(latencies) < SLOW / 2, latencies
    for receiver, hook_id in ((slow, slow_id), (fast, fast_id)):
        deliveries = program.deliveries(hook_id)
        assert receiver.unverified == []
        assert receiver.ids() == [d.message_id for d in deliveries]  # whole, once, in order
        assert [d.status for d in deliveries] == [DeliveryStatus.DELIVERED] * 4


def test_a_drain_ending_its_turn_wakes_the_worker_and_it_sleeps_meanwhile(
    factory: sessionmaker[Session],
) -> None:
    """Turns of 0.2 s against a receiver taking 0.6 s: one delivery per turn, each next
    one claimed at once on the drain's end though the worker's poll is 30 s; between
    those ends the worker waits instead of passing again and again."""
    program = make_program(factory)
    with running_receiver() as receiver, webhook_worker(factory, drain_seconds=0.2) as pump:
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        receiver.default = Behaviour(delay=0.6)
        program.enroll_new_users(4)
        passes: list[float] = []

        def count() -> int:
            passes.append(time.monotonic())
            return 0

        pump.worker.extra_passes.append(count)
        pump.worker.poll_seconds = 30.0
        thread, stop = _running(pump)
        try:
            started = time.monotonic()
            receiver.wait_for(4, timeout=20)
            took = time.monotonic() - started
        finally:
            _stopped(pump, thread, stop)
        pump.sender.settle(30)
    assert took < 10, took  # four turns of 0.6 s each, not four polls of 30 s
    assert len(passes) < 30, len(passes)  # ~2 per turn; a spinning worker makes ~50
    assert receiver.ids() == [d.message_id for d in program.deliveries(hook_id)]


def test_a_webhook_in_flight_is_not_drained_twice_when_its_lease_runs_out(
    factory: sessionmaker[Session],
) -> None:
    """The lease is shorter than the receiver's answer: the database says the webhook is
    due again mid-attempt, but this process is still draining it."""
    program = make_program(factory)
    options = {"lease_seconds": 0.3, "timeout": 5.0}
    with running_receiver() as receiver, webhook_worker(factory, **options) as pump:
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        receiver.script = [Behaviour(delay=1.5)]
        program.enroll_new_users(3)
        deadline = time.monotonic() + 1.2
        while time.monotonic() < deadline:  # passes, the lease lapsing mid-attempt
            pump.worker.run_once()
            time.sleep(0.02)
        assert receiver.requests == 1
        assert pump.sender.in_flight == 1
        pump.until(lambda: len(receiver.received) == 3, timeout=30)
    deliveries = program.deliveries(hook_id)
    assert receiver.arrivals == [d.message_id for d in deliveries]  # never sent twice
    assert [d.status for d in deliveries] == [DeliveryStatus.DELIVERED] * 3


def test_wait_idle_waits_for_the_drains_it_started(factory: sessionmaker[Session]) -> None:
    program = make_program(factory)
    with running_receiver() as receiver, webhook_worker(factory) as pump:
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        receiver.default = Behaviour(delay=0.5)
        program.enroll_new_users(2)
        wait_idle(pump.worker, timeout=30)
        deliveries = program.deliveries(hook_id)  # read before the sender closes
        assert len(receiver.received) == 2
    assert [d.status for d in deliveries] == [DeliveryStatus.DELIVERED] * 2
    assert receiver.ids() == [d.message_id for d in deliveries]
