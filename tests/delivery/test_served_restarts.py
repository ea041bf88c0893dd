"""``syllabus serve`` stopped between a write and its delivery (SIGTERM or SIGKILL), and
stopped gracefully mid-delivery: once served again, every event reaches a real receiver
(verified with ``standardwebhooks``), in order per webhook, nothing for unsubscribed types."""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from syllabus.domain.webhooks import DeliveryStatus
from tests.delivery.receiver import Behaviour, Receiver, running_receiver
from tests.delivery.served import (
    GRACEFUL,
    Program,
    create_hook,
    create_user,
    eventually,
    make_served_program,
    rename_user,
    serve,
)

pytestmark = pytest.mark.slow
DELIVERY_TIMEOUT = 150.0
"""Generous: a lease left by a killed server runs out after 60 s before anyone resends."""


def _all_delivered(program: Program, receiver: Receiver) -> None:
    """Every subscribed event arrived, verified, in order per webhook; nothing else did."""
    events = program.events()
    hooks = program.webhooks()
    wanted = {hook.id: program.expected(hook, events) for hook in hooks}

    def arrived() -> bool:
        got = set(receiver.ids())
        return all(set(ids) <= got for ids in wanted.values())

    eventually(
        arrived,
        DELIVERY_TIMEOUT,
        lambda: f"missing: {sorted(set().union(*wanted.values()) - set(receiver.ids()))}",
    )
    assert receiver.unverified == []
    for hook in hooks:
        got = [i for i in dict.fromkeys(receiver.ids()) if i.endswith(f"_{hook.id}")]
        assert got == wanted[hook.id], f"webhook {hook.id} ({hook.event_type})"
        assert [d.message_id for d in program.deliveries(hook.id)] == wanted[hook.id]
        assert all(d.status == DeliveryStatus.DELIVERED for d in program.deliveries(hook.id))
        assert hook.active


def _subscribe(base: str, program: Program, receiver: Receiver) -> dict[str, int]:
    hooks = {}
    for name, event_type in (
        ("registrations", "DOMAIN_ENROLLMENT"),
        ("everything", None),
        ("completions", "COURSE_COMPLETION"),  # nothing written here completes a course
    ):
        created = create_hook(base, program, f"{receiver.url}/{name}", event_type)
        receiver.secrets.append(created["secret"])
        hooks[name] = int(
            next(h.id for h in program.webhooks() if h.target_url.endswith(f"/{name}"))
        )
    return hooks


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_a_server_stopped_between_writes_and_delivery_loses_nothing(
    fresh_db_url: str, tmp_path: Path, how: signal.Signals
) -> None:
    program = make_served_program(fresh_db_url)
    with running_receiver() as receiver:
        receiver.default = Behaviour(status=503)  # the receiver is having a bad day
        first = serve(fresh_db_url, tmp_path, "first")
        try:
            hooks = _subscribe(first.base, program, receiver)
            users = [create_user(first.base, program, f"a{n}@example.com") for n in range(3)]
            eventually(  # deliveries failed and wait for their retry...
                lambda: len(receiver.arrivals) >= 1, 60, lambda: "nothing was attempted"
            )
            users += [create_user(first.base, program, f"b{n}@example.com") for n in range(2)]
            rename_user(first.base, program, users[0], "Renamed")
        finally:  # ...and, right after the last write's 2xx, the server goes
            status = first.stop(how)
        if how == signal.SIGTERM:
            assert status in GRACEFUL, first.output()
            assert [h.locked_by for h in program.webhooks()] == [None] * 3
        receiver.default = Behaviour()
        second = serve(fresh_db_url, tmp_path, "second")
        try:
            _all_delivered(program, receiver)
        finally:
            assert second.stop() in GRACEFUL, second.output()
    counts = Counter(receiver.ids())
    assert not any(i.endswith(f"_{hooks['completions']}") for i in receiver.arrivals)
    registrations = [
        r for r in receiver.received if r.message_id.endswith(f"_{hooks['registrations']}")
    ]
    assert len({r.message_id for r in registrations}) == 5
    assert {r.json()["event_type"] for r in registrations} == {"DOMAIN_ENROLLMENT"}
    assert sum(counts.values()) >= 11  # 5 registrations, 5 + 1 rename for "everything"


def test_a_graceful_stop_mid_delivery_releases_its_lease_and_loses_nothing(
    fresh_db_url: str, tmp_path: Path
) -> None:
    program = make_served_program(fresh_db_url)
    with running_receiver() as receiver:
        receiver.script = [Behaviour(delay=60, hang_up=True)]  # the first request stalls
        first = serve(fresh_db_url, tmp_path, "first")
        try:
            created = create_hook(first.base, program, receiver.url, "DOMAIN_ENROLLMENT")
            receiver.secrets.append(created["secret"])
            for n in range(3):
                create_user(first.base, program, f"u{n}@example.com")
            eventually(lambda: receiver.requests >= 1, 60, lambda: "nothing was sent")
            (hook,) = program.webhooks()
            assert hook.locked_by is not None  # the delivery is in flight, under a lease
        finally:
            status = first.stop(signal.SIGTERM)
        assert status in GRACEFUL, first.output()
        (hook,) = program.webhooks()
        assert (hook.locked_by, hook.locked_until, hook.retry_at) == (None, None, None)
        pending = program.deliveries(hook.id)  # the rest may not be fanned out yet
        assert pending
        assert {(d.status, d.attempts) for d in pending} == {(DeliveryStatus.PENDING, 0)}
        second = serve(fresh_db_url, tmp_path, "second")
        try:
            _all_delivered(program, receiver)
        finally:
            assert second.stop() in GRACEFUL, second.output()
    # the abandoned attempt was sent again with the same webhook-id: at least once
    deliveries = program.deliveries(hook.id)
    assert len(deliveries) == 3
    assert receiver.arrivals[:2] == [deliveries[0].message_id] * 2
    assert Counter(receiver.ids()) == Counter({d.message_id: 1 for d in deliveries})


def _stream(base: str, program: Program, last_id: str | None, until: int, into: list[str]) -> None:
    """Follow the SSE stream, appending cursors, until ``until`` events or the server goes."""
    headers = {**program.auth, **({"Last-Event-ID": last_id} if last_id else {})}
    try:
        with httpx.stream(
            "GET", f"{base}/v1/events/stream", headers=headers, timeout=httpx.Timeout(60)
        ) as response:
            assert response.status_code == 200
            for line in response.iter_lines():
                if line.startswith("id: "):
                    into.append(line[4:])
                    if len(into) >= until:
                        return
    except httpx.TransportError:
        return  # the server stopped: the subscriber resumes from its last id


def test_feed_followers_resume_across_a_restart_and_do_not_hold_up_the_stop(
    fresh_db_url: str, tmp_path: Path
) -> None:
    program = make_served_program(fresh_db_url)
    first = serve(fresh_db_url, tmp_path, "first")
    streamed: list[str] = []
    try:
        for n in range(3):
            create_user(first.base, program, f"before{n}@example.com")
        page = httpx.get(
            f"{first.base}/v1/events", params={"limit": 2}, headers=program.auth, timeout=30
        ).json()
        polled = [e["cursor"] for e in page["results"]]
        subscriber = threading.Thread(
            target=_stream, args=(first.base, program, None, 10_000, streamed), daemon=True
        )
        subscriber.start()
        eventually(lambda: len(streamed) >= 3, 60, lambda: f"streamed {streamed}")
    finally:  # with the subscriber still attached
        stopping = time.monotonic()
        status = first.stop(signal.SIGTERM)
    assert status in GRACEFUL, first.output()
    assert time.monotonic() - stopping < 45  # bounded: streams are cut, not waited for
    subscriber.join(timeout=30)
    second = serve(fresh_db_url, tmp_path, "second")
    try:
        for n in range(2):
            create_user(second.base, program, f"after{n}@example.com")
        whole = [
            e["cursor"]
            for e in httpx.get(
                f"{second.base}/v1/events", params={"limit": 1000}, headers=program.auth, timeout=30
            ).json()["results"]
        ]
        after = page["next"]
        while len(polled) < len(whole):
            page = httpx.get(
                f"{second.base}/v1/events",
                params={"after": after, "limit": 2, "wait": 5},
                headers=program.auth,
                timeout=30,
            ).json()
            assert page["results"], f"the cursor follower stalled at {after}"
            polled += [e["cursor"] for e in page["results"]]
            after = page["next"]
        _stream(second.base, program, streamed[-1], len(whole), streamed)
    finally:
        assert second.stop() in GRACEFUL, second.output()
    assert polled == whole  # every event once, in order, across the restart
    assert streamed == whole
