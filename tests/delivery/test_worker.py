"""The worker against real databases: completion, retries, fan-out, leases and crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from syllabus.core.clock import utcnow
from syllabus.core.context import Context, Surface
from syllabus.db.session import unit_of_work
from syllabus.delivery.registry import Registry
from syllabus.delivery.worker import Worker, backoff, wait_idle
from syllabus.domain.events import Event
from syllabus.domain.jobs import Job, JobStatus
from syllabus.services.jobs import enqueue_job
from syllabus.services.tenants import NewTenant, create_tenant
from syllabus.services.users import UserData, create_user


def _enqueue(factory: sessionmaker[Session], kind: str, count: int = 1, **kw: Any) -> list[int]:
    with unit_of_work(factory, tenant_id=None) as session:
        return [
            enqueue_job(session, kind=kind, payload={"n": i}, tenant_id=None, **kw).id
            for i in range(count)
        ]


def _job(factory: sessionmaker[Session], job_id: int) -> Job:
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def test_a_job_runs_once_and_keeps_its_result(factory: sessionmaker[Session]) -> None:
    registry = Registry()
    seen: list[int] = []

    @registry.job("double")
    def double(session: Session, job: Job) -> dict[str, Any]:
        seen.append(job.payload["n"])
        return {"doubled": job.payload["n"] * 2}

    ids = _enqueue(factory, "double", count=3)
    wait_idle(Worker(factory, registry=registry))
    assert sorted(seen) == [0, 1, 2]
    jobs = [_job(factory, i) for i in ids]
    assert [j.status for j in jobs] == [JobStatus.DONE] * 3
    assert [j.result for j in jobs] == [{"doubled": 0}, {"doubled": 2}, {"doubled": 4}]
    assert all(j.attempts == 1 and j.locked_by is None for j in jobs)


def test_a_failing_job_is_retried_with_backoff_then_buried(factory: sessionmaker[Session]) -> None:
    registry = Registry()
    calls: list[int] = []

    @registry.job("flaky")
    def flaky(session: Session, job: Job) -> None:
        calls.append(job.attempts)
        raise ConnectionError("receiver down")

    (job_id,) = _enqueue(factory, "flaky", max_attempts=3)
    worker = Worker(factory, registry=registry)
    worker.run_once()
    job = _job(factory, job_id)
    assert job.status is JobStatus.QUEUED
    assert job.attempts == 1
    assert job.last_error == "ConnectionError: receiver down"
    assert job.run_after > utcnow() + timedelta(milliseconds=500)  # backed off, not due yet
    assert worker.run_once() == 0  # nothing due

    for _ in range(2):  # make it due again instead of sleeping through the backoff
        with unit_of_work(factory, tenant_id=None) as session:
            session.get(Job, job_id).run_after = utcnow()  # type: ignore[union-attr]
        worker.run_once()
    job = _job(factory, job_id)
    assert calls == [1, 2, 3]
    assert job.status is JobStatus.DEAD
    assert job.finished_at is not None


def test_a_failed_job_leaves_none_of_its_writes(factory: sessionmaker[Session]) -> None:
    registry = Registry()
    with unit_of_work(factory, tenant_id=None) as session:
        tenant = create_tenant(
            session, data=NewTenant(acct_key="jobs.example"), actor="t", surface=Surface.CLI
        )

    @registry.job("half")
    def half(session: Session, job: Job) -> None:
        ctx = Context(tenant.id, "worker", Surface.WORKER)
        create_user(session, ctx, data=UserData(email="half@jobs.example"))
        raise RuntimeError("fails after writing")

    _enqueue(factory, "half", max_attempts=1)
    Worker(factory, registry=registry).run_once()
    with unit_of_work(factory, tenant_id=tenant.id, read_only=True) as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Event).where(Event.type == "user.registered")
            )
            == 0
        )


def test_unknown_job_kinds_are_buried_not_lost(factory: sessionmaker[Session]) -> None:
    (job_id,) = _enqueue(factory, "no.such.kind", max_attempts=1)
    Worker(factory, registry=Registry()).run_once()
    job = _job(factory, job_id)
    assert job.status is JobStatus.DEAD
    assert "no handler registered" in (job.last_error or "")


def test_events_are_fanned_out_once_each_in_order(factory: sessionmaker[Session]) -> None:
    registry = Registry()

    @registry.on_event
    def to_job(session: Session, event: Event) -> None:
        enqueue_job(
            session, kind="deliver", payload={"event": event.event_id}, tenant_id=event.tenant_id
        )

    delivered: list[str] = []

    @registry.job("deliver")
    def deliver(session: Session, job: Job) -> None:
        delivered.append(job.payload["event"])

    with unit_of_work(factory, tenant_id=None) as session:
        tenant = create_tenant(
            session, data=NewTenant(acct_key="fan.example"), actor="t", surface=Surface.CLI
        )
    ctx = Context(tenant.id, "t", Surface.CLI)
    with unit_of_work(factory, tenant_id=tenant.id) as session:
        for i in range(3):
            create_user(session, ctx, data=UserData(email=f"u{i}@fan.example"))
    worker = Worker(factory, registry=registry)
    wait_idle(worker)
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        events = session.scalars(select(Event).order_by(Event.id)).all()
    assert [e.dispatched_at is not None for e in events] == [True] * len(events)
    assert delivered == [e.event_id for e in events]  # program.created + 3 x user.registered
    wait_idle(worker)
    assert len(delivered) == len(events)  # a second pass re-sends nothing


def test_concurrent_workers_never_claim_the_same_job(factory: sessionmaker[Session]) -> None:
    ids = _enqueue(factory, "noop", count=60)
    claims: list[list[int]] = []
    lock = threading.Lock()

    def claim(name: str) -> None:
        worker = Worker(factory, name=name, batch_size=7, registry=Registry())
        while True:
            got = worker.claim_jobs()
            if not got:
                return
            with lock:
                claims.append(got)

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    claimed = [job_id for batch in claims for job_id in batch]
    assert sorted(claimed) == sorted(ids)  # every job claimed exactly once


@dataclass
class SteppedClock:
    """A worker's clock that moves only when the test says, so a lease lapses on cue."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


def test_an_expired_lease_is_claimed_again(factory: sessionmaker[Session]) -> None:
    (job_id,) = _enqueue(factory, "noop")
    lease = 2.0
    clock = SteppedClock(utcnow())
    first = Worker(factory, name="first", lease_seconds=lease, registry=Registry(), clock=clock)
    assert first.claim_jobs() == [job_id]
    second = Worker(factory, name="second", registry=Registry(), clock=clock)
    held = second.claim_jobs()
    assert held == []  # lease still held
    clock.now += timedelta(seconds=lease + 0.2)
    assert second.claim_jobs() == [job_id]
    assert first.run_job(job_id) is False  # the first worker lost it and must not finish it


WORKER_SCRIPT = textwrap.dedent(
    """
    import sys, threading, time
    from syllabus.db.engine import make_engine
    from syllabus.db.session import make_sessionmaker
    from syllabus.delivery.registry import Registry
    from syllabus.delivery.worker import Worker

    url, marker = sys.argv[1], sys.argv[2]
    registry = Registry()

    @registry.job("slow")
    def slow(session, job):
        open(marker, "w").write(str(job.attempts))
        time.sleep(60)

    Worker(make_sessionmaker(make_engine(url)), name="doomed", lease_seconds=1.0,
           poll_seconds=0.05, registry=registry).run_forever(threading.Event())
    """
)


@pytest.mark.slow
def test_a_worker_killed_mid_job_loses_nothing(
    fresh_db_url: str, factory: sessionmaker[Session], tmp_path: Path
) -> None:
    (job_id,) = _enqueue(factory, "slow")
    script, marker = tmp_path / "worker.py", tmp_path / "started"
    script.write_text(WORKER_SCRIPT)
    process = subprocess.Popen([sys.executable, str(script), fresh_db_url, str(marker)])
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert process.poll() is None, "worker process died before starting the job"
            assert time.monotonic() < deadline, "worker never started the job"
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    job = _job(factory, job_id)
    assert job.status is JobStatus.RUNNING
    assert job.locked_by == "doomed"

    registry = Registry()
    finished: list[int] = []

    @registry.job("slow")
    def slow(session: Session, job: Job) -> None:
        finished.append(job.attempts)

    survivor = Worker(factory, name="survivor", registry=registry)
    deadline = time.monotonic() + 10
    while not finished and time.monotonic() < deadline:
        survivor.run_once()
        time.sleep(0.1)
    assert finished == [2]  # picked up again once the dead worker's lease ran out
    job = _job(factory, job_id)
    assert job.status is JobStatus.DONE
    assert job.attempts == 2


def test_backoff_grows_and_is_capped() -> None:
    steps = [backoff(n).total_seconds() for n in range(1, 20)]
    assert 1.0 <= steps[0] <= 2.0
    assert 8.0 <= steps[3] <= 16.0
    assert max(steps) <= 3600.0
