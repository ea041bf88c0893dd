"""Each webhook attempt has a total deadline, a stopping sender abandons what is in flight
without losing it, and an app started and stopped leaves no connection or thread behind."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from syllabus.app import create_app
from syllabus.domain.webhooks import DeliveryStatus
from tests.delivery.receiver import Behaviour, running_receiver
from tests.delivery.webhook_helpers import make_program, webhook_worker
from tests.dialects.skilljar.conftest import basic
from tests.http_client import make_program as make_served_program
from tests.http_client import settings_for

TRICKLE = Behaviour(trickle=0.3)
"""Answers one byte every 0.3 s: no single read waits long, the whole answer takes ~20 s."""


def eventually(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_a_trickling_receiver_times_out_as_a_whole_and_is_retried(
    factory: sessionmaker[Session],
) -> None:
    program = make_program(factory)
    with running_receiver() as receiver, webhook_worker(factory, timeout=1.5) as pump:
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        receiver.script = [TRICKLE]
        program.enroll_new_users(2)
        pump.until(lambda: len(receiver.received) == 2, timeout=30)
    deliveries = program.deliveries(hook_id)
    assert receiver.ids() == [d.message_id for d in deliveries]
    assert receiver.arrivals[0] == receiver.arrivals[1] == deliveries[0].message_id
    assert [d.attempts for d in deliveries] == [2, 1]
    timed_out, *rest = program.attempts()
    assert timed_out.status_code is None
    assert "ReadTimeout" in (timed_out.error or "")
    assert "1.5s in total" in (timed_out.error or "")
    assert 1400 <= timed_out.latency_ms < 5000
    assert [a.status_code for a in rest] == [200, 200]
    assert program.webhook(hook_id).active


def test_a_trickling_receiver_cannot_hold_a_ping(fresh_db_url: str, tmp_path: Path) -> None:
    settings = dataclasses.replace(
        settings_for(fresh_db_url, tmp_path), webhook_allow_private_targets=True
    )
    app = create_app(settings)
    app.state.webhook_ping.timeout = 1.5  # the route's pinger, before it opens its client
    with TestClient(app) as client, running_receiver() as receiver:
        auth = basic(make_served_program(client, "ping.example.test").api_key)
        created = client.post("/v1/webhooks", json={"target_url": receiver.url}, headers=auth)
        assert created.status_code == 201, created.text
        receiver.secrets.append(created.json()["secret"])
        receiver.default = TRICKLE
        started = time.monotonic()
        answer = client.post(f"/v1/webhooks/{created.json()['id']}/ping", headers=auth)
        took = time.monotonic() - started
        assert answer.status_code == 200
        assert answer.json()["succeeded"] is False
        assert answer.json()["http_status_code"] is None
        assert "ReadTimeout" in answer.json()["message"]
        assert took < 6
        receiver.default = Behaviour()
        again = client.post(f"/v1/webhooks/{created.json()['id']}/ping", headers=auth).json()
        assert again["succeeded"] is True
        assert len(receiver.arrivals) == 2


def test_a_stopping_sender_abandons_the_attempt_in_flight_and_loses_nothing(
    factory: sessionmaker[Session],
) -> None:
    program = make_program(factory)
    with running_receiver() as receiver:
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        receiver.script = [Behaviour(delay=20, hang_up=True)]  # stalls; never counts
        program.enroll_new_users(3)
        with webhook_worker(factory, timeout=30.0, lease_seconds=120.0) as pump:
            stop = threading.Event()
            thread = threading.Thread(target=pump.worker.run_forever, args=(stop,), daemon=True)
            thread.start()
            eventually(lambda: receiver.requests == 1, 30, "the delivery never left")
            stopped_at = time.monotonic()
            pump.sender.stop()
            stop.set()
            thread.join(timeout=10)
            assert not thread.is_alive()
            assert time.monotonic() - stopped_at < 5  # not the 30 s timeout, nor the stall
        hook = program.webhook(hook_id)
        assert (hook.locked_by, hook.locked_until) == (None, None)  # released, not left
        assert (hook.retry_at, hook.active) == (None, True)
        deliveries = program.deliveries(hook_id)
        assert [(d.status, d.attempts) for d in deliveries] == [(DeliveryStatus.PENDING, 0)] * 3
        assert program.attempts() == []  # abandoning is not the receiver's failure
        with webhook_worker(factory) as pump:  # the next worker sends everything, in order
            pump.until(lambda: len(receiver.received) == 3, timeout=30)
    assert receiver.ids() == [d.message_id for d in program.deliveries(hook_id)]
    assert receiver.arrivals[0] == receiver.arrivals[1]  # the abandoned one, sent again


def _sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:
            continue
    return count


def _threads() -> set[str]:
    return {f"{t.name}#{t.ident}" for t in threading.enumerate()}


def test_starting_and_stopping_the_app_leaks_no_connection_or_thread(
    fresh_db_url: str, tmp_path: Path
) -> None:
    settings = dataclasses.replace(
        settings_for(fresh_db_url, tmp_path),
        embedded_worker=True,
        webhook_allow_private_targets=True,
    )
    with running_receiver() as receiver:
        baseline: tuple[int, set[str]] | None = None
        for cycle in range(4):
            app = create_app(settings)
            with TestClient(app) as client:
                if cycle == 0:
                    program = make_served_program(client, "hygiene.example.test")
                    auth = basic(program.api_key)
                    created = client.post(
                        "/v1/webhooks", json={"target_url": receiver.url}, headers=auth
                    ).json()
                    receiver.secrets.append(created["secret"])
                pinged = client.post(f"/v1/webhooks/{created['id']}/ping", headers=auth)
                assert pinged.json()["succeeded"] is True
                before = len(receiver.received)
                registered = client.post(
                    f"/v1/domains/{program.acct_key}/users",
                    json={"user": {"email": f"u{cycle}@example.com"}},
                    headers=auth,
                )
                assert registered.status_code == 201, registered.text
                eventually(  # the embedded worker's delivery
                    lambda before=before: len(receiver.received) > before,  # type: ignore[misc]
                    30,
                    "the embedded worker delivered nothing",
                )
            assert app.state.webhook_ping._client is None
            if baseline is None:
                baseline = (_sockets(), _threads())
                continue
            sockets, threads = baseline
            eventually(
                lambda sockets=sockets: _sockets() <= sockets,  # type: ignore[misc]
                10,
                f"sockets leak: {_sockets()} open, {sockets} after the first stop",
            )
            eventually(
                lambda threads=threads: _threads() <= threads,  # type: ignore[misc]
                10,
                f"threads leak: {sorted(_threads() - threads)}",
            )
    assert receiver.unverified == []
