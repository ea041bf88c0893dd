"""A webhook attempt's host lookup counts against its deadline: a resolver that hangs
neither holds the attempt past ``timeout`` nor a stopping sender, and running out of time
is a connect failure, retried like any other network error.

The resolver handed to the client stands in for the operating system's (no network here):
it answers for the receiver's host, after a while or when released."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from syllabus.delivery.webhook_http import Target, guarded_client, post
from syllabus.domain.webhooks import DeliveryStatus
from tests.delivery.receiver import running_receiver
from tests.delivery.webhook_helpers import make_program, webhook_worker

HOST = "localhost"
"""Resolved by the test's resolver when the client sends (the OS's, from /etc/hosts, only
when the webhook is saved)."""


class SlowResolver:
    """Answers ``HOST`` with 127.0.0.1 once ``release`` is set (or at once when it is)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        self.calls += 1
        self.release.wait(30)
        assert host == HOST
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]


@pytest.fixture
def resolver() -> Iterator[SlowResolver]:
    slow = SlowResolver()
    yield slow
    slow.release.set()  # the abandoned lookup threads end


SECRET = "whsec_" + base64.b64encode(b"lookup-tests-secret-0123").decode()


def _target(url: str) -> Target:
    url = url.replace("127.0.0.1", HOST)
    return Target(url=url, secrets=(SECRET,), username="", password="", headers={})


def test_a_hanging_lookup_ends_the_attempt_at_its_deadline(resolver: SlowResolver) -> None:
    client = guarded_client(allow_private=True, timeout=1.0, max_connections=2, resolver=resolver)
    with running_receiver() as receiver, client:
        receiver.secrets.append(SECRET)
        started = time.monotonic()
        result = post(client, _target(receiver.url), "msg_1", {"n": 1})
        took = time.monotonic() - started
        assert (result.ok, result.abandoned, result.status_code) == (False, False, None)
        assert "ConnectTimeout" in (result.error or "")
        assert f"looking up {HOST}" in (result.error or "")
        assert 0.9 <= took < 2.0, took
        assert receiver.requests == 0
        resolver.release.set()  # the resolver answers again: the same client gets through
        again = post(client, _target(receiver.url), "msg_2", {"n": 2})
        assert again.ok, again.error
        assert receiver.requests == 1


def test_a_stopping_client_abandons_a_hanging_lookup(resolver: SlowResolver) -> None:
    client = guarded_client(allow_private=True, timeout=30.0, max_connections=2, resolver=resolver)
    with running_receiver() as receiver, client:
        results = []
        attempt = threading.Thread(
            target=lambda: results.append(post(client, _target(receiver.url), "msg_1", {})),
            daemon=True,
        )
        attempt.start()
        while resolver.calls == 0:
            time.sleep(0.01)
        stopped_at = time.monotonic()
        client.stop()
        attempt.join(timeout=5)
        assert not attempt.is_alive()
        assert time.monotonic() - stopped_at < 1.0
    assert results[0].abandoned
    assert receiver.requests == 0


def test_a_lookup_out_of_time_is_logged_and_retried(
    factory: sessionmaker[Session], resolver: SlowResolver
) -> None:
    program = make_program(factory)
    client = guarded_client(allow_private=True, timeout=1.0, max_connections=2, resolver=resolver)
    with running_receiver() as receiver, webhook_worker(factory, client=client) as pump:
        hook_id, secret = program.hook(_target(receiver.url).url)
        receiver.secrets.append(secret)
        program.enroll_new_users(1)
        started = time.monotonic()
        pump.until(lambda: len(program.attempts()) == 1, timeout=30)
        took = time.monotonic() - started
        assert len(program.deliveries(hook_id)) == 2  # DOMAIN_ENROLLMENT, COURSE_ENROLLMENT
        hook = program.webhook(hook_id)
        assert (hook.active, hook.locked_by) == (True, None)
        assert hook.retry_at is not None  # retried after a backoff
        resolver.release.set()
        pump.until(lambda: len(receiver.received) == 2, timeout=30)
    assert took < 5, took
    *failed, first, second = program.attempts()  # retried until the resolver answered
    assert failed
    for attempt in failed:
        assert attempt.status_code is None
        assert "ConnectTimeout" in (attempt.error or "")
        assert attempt.latency_ms < 2000
    assert [first.status_code, second.status_code] == [200, 200]
    deliveries = program.deliveries(hook_id)
    assert [(d.status, d.attempts) for d in deliveries] == [
        (DeliveryStatus.DELIVERED, len(failed) + 1),
        (DeliveryStatus.DELIVERED, 1),
    ]
    assert receiver.ids() == [d.message_id for d in deliveries]
