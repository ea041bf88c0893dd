"""The worker's wait between passes: a commit that records events in this process wakes it
(no waiting for the poll), and stopping it does not wait for the poll either."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import pytest
from sqlalchemy.orm import Session, sessionmaker

from syllabus.db.session import unit_of_work
from syllabus.delivery.registry import Registry
from syllabus.delivery.worker import Worker, start_in_thread
from syllabus.domain.events import Event
from syllabus.services.events import record_events
from tests.factories import make_tenant

POLL = 30.0
"""Far longer than any wait below: only a wake-up can explain a prompt pass."""


def test_a_commit_that_records_events_wakes_the_worker(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory, tenant_id=None) as session:
        _, ctx = make_tenant(session)
    seen: list[str] = []
    arrived = threading.Event()
    registry = Registry()

    @registry.on_event
    def note(session: Session, event: Event) -> None:
        if event.type == "test.ping":
            seen.append(event.data["n"])
            arrived.set()

    worker = Worker(factory, registry=registry, poll_seconds=POLL)
    thread, stop = start_in_thread(worker)
    try:
        time.sleep(0.5)  # the first pass is over: the worker now waits for its poll
        for n in range(3):
            arrived.clear()
            with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
                record_events(session, ctx, "test.ping", [{"n": n}])
            assert arrived.wait(5.0), f"event {n} waited for the poll"
        with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
            record_events(session, ctx, "test.ping", [{"n": "rolled back"}])
            session.rollback()
        arrived.clear()
        assert not arrived.wait(0.5)
    finally:
        started = time.monotonic()
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert time.monotonic() - started < 5.0  # stopping does not wait for the poll either
    assert seen == [0, 1, 2]


WRITER_SCRIPT = textwrap.dedent(
    """
    import sys
    from syllabus.db.engine import make_engine
    from syllabus.db.session import make_sessionmaker, unit_of_work
    from syllabus.core.context import Surface
    from syllabus.core.context import Context
    from syllabus.services.events import record_events

    factory = make_sessionmaker(make_engine(sys.argv[1]))
    ctx = Context(int(sys.argv[2]), "other-process", Surface.CLI)
    with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
        record_events(session, ctx, "test.ping", [{"n": "elsewhere"}])
    """
)


@pytest.mark.parametrize("fresh_db_url", ["postgresql"], indirect=True)
def test_on_postgresql_a_commit_in_another_process_wakes_the_worker(
    fresh_db_url: str, factory: sessionmaker[Session]
) -> None:
    with unit_of_work(factory, tenant_id=None) as session:
        _, ctx = make_tenant(session)
    arrived = threading.Event()
    registry = Registry()

    @registry.on_event
    def note(session: Session, event: Event) -> None:
        if event.type == "test.ping":
            arrived.set()

    worker = Worker(factory, registry=registry, poll_seconds=POLL)
    thread, stop = start_in_thread(worker)
    try:
        deadline = time.monotonic() + 10
        while worker.listener is None or not worker.listener.listening.is_set():
            assert time.monotonic() < deadline, "the listener never listened"
            time.sleep(0.05)
        time.sleep(0.3)  # past the pass the listener's start triggers
        subprocess.run(
            [sys.executable, "-c", WRITER_SCRIPT, fresh_db_url, str(ctx.tenant_id)],
            check=True,
            timeout=60,
        )
        assert arrived.wait(10.0), "the worker waited for its poll"
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
