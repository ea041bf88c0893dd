"""Three ``syllabus serve`` processes on one database, each with its embedded worker, taking
writes at once: each event reaches each subscribed webhook, claimed by one worker at a time
(a second request for a ``webhook-id`` only after a genuine failure), in order; and consumers
following ``/v1/events`` across the processes, and its SSE stream, see every event exactly
once in commit order while the writes run."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from syllabus.domain.webhooks import DeliveryStatus
from tests.delivery.receiver import Behaviour, Receiver, running_receiver
from tests.delivery.served import (
    GRACEFUL,
    Program,
    Served,
    create_hook,
    create_user,
    eventually,
    launch,
    make_served_program,
    rename_user,
    wait_ready,
)

pytestmark = pytest.mark.slow
SERVERS = 3
USERS_PER_WRITER = 8
TIMEOUT = 180.0


class Follower(threading.Thread):
    """Reads the feed as a consumer would until told how many events there are."""

    def __init__(self, program: Program) -> None:
        super().__init__(daemon=True)
        self.program = program
        self.seen: list[str] = []
        self.target: int | None = None
        self.error: BaseException | None = None
        self.deadline = time.monotonic() + TIMEOUT

    def done(self) -> bool:
        return self.target is not None and len(self.seen) >= self.target

    def run(self) -> None:
        try:
            self.follow()
        except BaseException as error:  # reported by the test thread
            self.error = error

    def follow(self) -> None:
        raise NotImplementedError


class CursorFollower(Follower):
    """``GET /v1/events?after=`` with long polls, each page from the next server in turn."""

    def __init__(self, program: Program, bases: list[str]) -> None:
        super().__init__(program)
        self.bases = bases

    def follow(self) -> None:
        after: str | None = None
        turn = 0
        with httpx.Client(headers=self.program.auth, timeout=60) as client:
            while not self.done() and time.monotonic() < self.deadline:
                params: dict[str, Any] = {"limit": 7, "wait": 1}
                if after is not None:
                    params["after"] = after
                answer = client.get(
                    f"{self.bases[turn % len(self.bases)]}/v1/events", params=params
                )
                turn += 1
                assert answer.status_code == 200, answer.text
                page = answer.json()
                self.seen += [event["id"] for event in page["results"]]
                after = page["next"]


class StreamFollower(Follower):
    """``GET /v1/events/stream`` on one server while the others take writes."""

    def __init__(self, program: Program, base: str) -> None:
        super().__init__(program)
        self.base = base
        self.cursors: list[str] = []

    def follow(self) -> None:
        with (
            httpx.Client(headers=self.program.auth, timeout=httpx.Timeout(60, read=30)) as client,
            client.stream("GET", f"{self.base}/v1/events/stream", params={"duration": 600}) as r,
        ):
            assert r.status_code == 200
            for line in r.iter_lines():
                if line.startswith("id: "):
                    self.cursors.append(line[4:])
                elif line.startswith("data: "):
                    self.seen.append(orjson.loads(line[6:])["id"])
                if self.done() or time.monotonic() > self.deadline:
                    return


def _whole_feed(base: str, program: Program) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1000}
        if after is not None:
            params["after"] = after
        page = httpx.get(f"{base}/v1/events", params=params, headers=program.auth, timeout=60)
        assert page.status_code == 200, page.text
        if not page.json()["results"]:
            return events
        events += page.json()["results"]
        after = page.json()["next"]


@pytest.fixture
def servers(fresh_db_url: str, tmp_path: Path) -> Iterator[list[Served]]:
    with ExitStack() as stack:
        started: list[Served] = []

        def stop_all() -> None:
            statuses = [s.stop() for s in started]
            assert set(statuses) <= GRACEFUL, [s.output() for s in started]

        stack.callback(stop_all)
        started += [launch(fresh_db_url, tmp_path, f"server{n}") for n in range(SERVERS)]
        for served in started:  # started together: on a busy machine each takes seconds
            wait_ready(served)
        yield started


def _write(base: str, program: Program, writer: int, errors: list[BaseException]) -> None:
    try:
        for n in range(USERS_PER_WRITER):
            user = create_user(base, program, f"w{writer}u{n}@example.com")
            rename_user(base, program, user, f"Writer{writer}")  # causally after its creation
    except BaseException as error:
        errors.append(error)


def _check_webhooks(program: Program, receiver: Receiver, hooks: dict[str, int]) -> None:
    events = program.events()
    by_id = {e.event_id: e for e in events}
    for hook in program.webhooks():
        wanted = program.expected(hook, events)
        deliveries = program.deliveries(hook.id)
        assert {d.message_id for d in deliveries} == set(wanted)
        assert {d.status for d in deliveries} <= {DeliveryStatus.DELIVERED}
        got = [i for i in dict.fromkeys(receiver.ids()) if i.endswith(f"_{hook.id}")]
        assert got == [d.message_id for d in deliveries], f"webhook {hook.id} out of order"
        # each user's events (created, then renamed by the same client) arrive in that order
        event_of = {d.message_id: by_id[e] for d in deliveries for e in [_uuid(d.message_id)]}
        per_user: dict[int, list[str]] = {}
        for message in got:
            event = event_of[message]
            per_user.setdefault(event.data["user_id"], []).append(event.type)
        for types in per_user.values():
            assert types == sorted(types, key=["user.registered", "user.updated"].index)
    assert not any(i.endswith(f"_{hooks['completions']}") for i in receiver.arrivals)
    # one worker at a time: a webhook-id came again only after a genuine failure
    failures = receiver.failures()
    for message, count in Counter(receiver.arrivals).items():
        assert count == 1 + failures[message], message
    assert sum(failures.values()) == 3


def _uuid(message: str) -> str:
    hexed = message.split("_")[1]
    return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"


def test_several_servers_deliver_each_event_once_and_feed_it_in_commit_order(
    fresh_db_url: str, servers: list[Served]
) -> None:
    program = make_served_program(fresh_db_url)
    bases = [s.base for s in servers]
    with running_receiver() as receiver:
        hooks: dict[str, int] = {}
        for n, (name, event_type) in enumerate(
            (("registrations", "DOMAIN_ENROLLMENT"), ("everything", None)),
        ):
            created = create_hook(bases[n], program, f"{receiver.url}/{name}", event_type)
            receiver.secrets.append(created["secret"])
        created = create_hook(bases[2], program, f"{receiver.url}/c", "COURSE_COMPLETION")
        receiver.secrets.append(created["secret"])
        hooks = {
            name: next(h.id for h in program.webhooks() if h.target_url.endswith(suffix))
            for name, suffix in (
                ("registrations", "/registrations"),
                ("everything", "/everything"),
                ("completions", "/c"),
            )
        }
        receiver.script = [  # genuine failures, wherever they fall
            Behaviour(status=500),
            Behaviour(hang_up=True),
            Behaviour(status=429, headers={"Retry-After": "1"}),
        ]
        cursor, stream = CursorFollower(program, bases), StreamFollower(program, bases[1])
        cursor.start()
        stream.start()
        errors: list[BaseException] = []
        writers = [
            threading.Thread(target=_write, args=(bases[n], program, n, errors))
            for n in range(SERVERS)
        ]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(timeout=TIMEOUT)
        assert not errors, errors
        whole = [e["id"] for e in _whole_feed(bases[0], program)]
        cursor.target = stream.target = len(whole)
        for follower in (cursor, stream):
            follower.join(timeout=TIMEOUT)
            assert follower.error is None, follower.error
        assert len(whole) == len(set(whole)) == len(program.events())
        assert cursor.seen == whole  # exactly once each, in the feed's one order
        assert stream.seen == whole
        assert stream.cursors == [e["cursor"] for e in _whole_feed(bases[2], program)]
        registered = 3 * USERS_PER_WRITER
        eventually(
            lambda: len(set(receiver.ids())) >= 2 * registered + registered,
            TIMEOUT,
            lambda: f"received {len(set(receiver.ids()))}",
        )
        _check_webhooks(program, receiver, hooks)
    assert receiver.unverified == []
