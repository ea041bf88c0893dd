"""Several webhook workers at once, and one killed with SIGKILL mid-delivery."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from syllabus.db.session import unit_of_work
from syllabus.delivery.fanout import make_fan_out
from syllabus.delivery.registry import Registry
from syllabus.delivery.webhooks import WebhookSender
from syllabus.delivery.worker import Worker
from syllabus.domain.webhooks import DeliveryStatus
from syllabus.services.users import UserData, update_user
from tests.delivery.receiver import Behaviour, running_receiver
from tests.delivery.webhook_helpers import IDS, make_program, webhook_worker
from tests.factories import make_user


def test_several_workers_never_send_a_delivery_twice(factory: sessionmaker[Session]) -> None:
    program = make_program(factory)
    with running_receiver() as receiver:
        hooks = []
        for n in range(3):
            hook_id, secret = program.hook(f"{receiver.url}/{n}", event_type="COURSE_ENROLLMENT")
            receiver.secrets.append(secret)
            hooks.append(hook_id)
        registry = Registry()
        registry.on_event(make_fan_out(IDS.encode))
        senders = [
            WebhookSender(factory, allow_private=True, name=f"w{n}", concurrency=2, batch=5)
            for n in range(3)
        ]
        workers = [
            Worker(factory, name=f"w{n}", registry=registry, extra_passes=[s.run_pass])
            for n, s in enumerate(senders)
        ]
        stop = threading.Event()
        threads = [
            threading.Thread(target=w.run_forever, args=(stop,), daemon=True) for w in workers
        ]
        for t in threads:
            t.start()
        try:
            for _ in range(6):
                program.enroll_new_users(5)
            receiver.wait_for(90, timeout=60)
            time.sleep(0.3)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=10)
            for s in senders:
                s.close()
    counts = Counter(receiver.ids())
    assert len(counts) == 90
    assert set(counts.values()) == {1}
    assert receiver.requests == 90
    for hook_id in hooks:  # and in order per webhook
        expected = [d.message_id for d in program.deliveries(hook_id)]
        assert [i for i in receiver.ids() if i.endswith(f"_{hook_id}")] == expected


SENDER_SCRIPT = textwrap.dedent(
    """
    import sys, threading
    from syllabus.db.engine import make_engine
    from syllabus.db.session import make_sessionmaker, unit_of_work
    from syllabus.delivery.registry import Registry
    from syllabus.delivery.fanout import make_fan_out
    from syllabus.delivery.webhooks import WebhookSender
    from syllabus.delivery.worker import Worker
    from syllabus.dialects.skilljar.ids import IdCodec

    factory = make_sessionmaker(make_engine(sys.argv[1]))
    registry = Registry()
    registry.on_event(make_fan_out(IdCodec("webhook-tests").encode))
    sender = WebhookSender(factory, allow_private=True, name="doomed", lease_seconds=1.0,
                           timeout=30.0)
    Worker(factory, name="doomed", registry=registry, poll_seconds=0.05,
           extra_passes=[sender.run_pass]).run_forever(threading.Event())
    """
)


@pytest.mark.slow
def test_a_worker_killed_mid_delivery_loses_nothing(
    fresh_db_url: str, factory: sessionmaker[Session], tmp_path: Path
) -> None:
    program = make_program(factory)
    script = tmp_path / "sender.py"
    script.write_text(SENDER_SCRIPT)
    with running_receiver() as receiver:
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        receiver.script = [Behaviour(delay=4.0)]  # the first request stalls...
        program.enroll_new_users(3)
        process = subprocess.Popen([sys.executable, str(script), fresh_db_url])
        try:
            deadline = time.monotonic() + 30
            while receiver.requests == 0:
                assert process.poll() is None, "worker died before delivering"
                assert time.monotonic() < deadline, "worker never delivered"
                time.sleep(0.05)
            os.kill(process.pid, signal.SIGKILL)  # ...and the worker dies in the middle
            process.wait(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
        assert program.webhook(hook_id).locked_by == "doomed"  # its lease, left behind
        with webhook_worker(factory) as pump:
            pump.until(lambda: len(set(receiver.ids())) == 3, timeout=30)
    deliveries = program.deliveries(hook_id)
    assert [d.status for d in deliveries] == [DeliveryStatus.DELIVERED] * 3
    assert list(dict.fromkeys(receiver.ids())) == [d.message_id for d in deliveries]


def test_a_dispatch_still_open_does_not_let_a_later_event_overtake_it(
    factory: sessionmaker[Session],
) -> None:
    """Worker A fans out event X and is slow to commit; meanwhile Y (written after X
    committed: the same user, renamed) must not be fanned out and sent by worker B first."""
    program = make_program(factory)
    with running_receiver() as receiver:
        _, secret = program.hook(receiver.url)
        receiver.secrets.append(secret)
        fanned, release = threading.Event(), threading.Event()

        def hold(session: Session, event: object) -> None:
            fanned.set()
            assert release.wait(30)

        slow = Registry()
        slow.on_event(make_fan_out(IDS.encode))
        slow.on_event(hold)  # after the fan-out: X's delivery row exists, uncommitted
        worker_a = Worker(factory, name="a", registry=slow)
        with unit_of_work(factory, tenant_id=program.ctx.tenant_id) as session:
            user_id = make_user(session, program.ctx).id  # X: user.registered
        a = threading.Thread(target=worker_a.dispatch_events, daemon=True)
        a.start()
        assert fanned.wait(30)

        def rename() -> None:
            with unit_of_work(factory, tenant_id=program.ctx.tenant_id) as session:
                changes = UserData(first_name="Y")
                update_user(session, program.ctx, user_id=user_id, changes=changes)

        y = threading.Thread(target=rename, daemon=True)  # SQLite: waits for A's write lock
        y.start()
        y.join(timeout=3)
        with webhook_worker(factory, name="b") as pump:
            b = threading.Thread(target=pump.worker.run_once, daemon=True)
            b.start()
            b.join(timeout=3)
            release.set()
            for thread in (a, y, b):
                thread.join(timeout=30)
                assert not thread.is_alive()
            pump.until(lambda: len(receiver.received) >= 2, timeout=30)
    assert [r.json()["event_type"] for r in receiver.received] == [
        "DOMAIN_ENROLLMENT",
        "USER_UPDATED",
    ]
