"""The worker: fans out outbox events and runs queued jobs, claimed in the database.

Claiming sets a lease (``locked_until``). A worker that dies mid-job simply lets its lease
run out, and another worker claims the job again: nothing is lost, work is at least once.
On PostgreSQL several workers claim with ``FOR UPDATE SKIP LOCKED``; on SQLite, writers are
serialized by the database lock, which gives the same guarantee on one machine.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from syllabus.core.clock import utcnow
from syllabus.db.session import unit_of_work
from syllabus.delivery import domain_users as _domain_users  # noqa: F401  (registers its job)
from syllabus.delivery import report_jobs as _report_jobs  # noqa: F401  (registers its job)
from syllabus.delivery.outbox_listener import OutboxListener, listener_for
from syllabus.delivery.registry import Registry, registry
from syllabus.domain.events import Event
from syllabus.domain.jobs import Job, JobStatus
from syllabus.services.events import outbox_signal

log = logging.getLogger("syllabus.worker")

MAX_ERROR_LENGTH = 4000
DISPATCH_LOCK = 0x53594C4C41  # PostgreSQL advisory lock key: "SYLLA"


def _dispatch_turn(session: Session) -> bool:
    """One dispatcher at a time on PostgreSQL. With two, B could fan out and commit event Y
    while A, holding the earlier X, has not committed yet: Y's delivery would be sent first,
    though Y was written after X committed. Others skip dispatch this pass (no waiting).
    SQLite's write lock already serializes dispatch."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    taken = session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": DISPATCH_LOCK})
    return bool(taken)


def backoff(attempt: int, *, base: float = 2.0, cap: float = 3600.0) -> timedelta:
    """Exponential backoff with jitter (50-100% of the step) so retries do not stampede."""
    step = min(cap, base * 2 ** max(0, attempt - 1))
    return timedelta(seconds=step * random.uniform(0.5, 1.0))


@dataclass
class Worker:
    factory: sessionmaker[Session]
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    lease_seconds: float = 300.0
    poll_seconds: float = 0.5
    batch_size: int = 50
    registry: Registry = field(default_factory=lambda: registry)
    extra_passes: list[Callable[[], int]] = field(default_factory=list)
    """Further work run on every pass (webhook sending, feed pruning); each returns work done
    (started: webhook drains go on in the background after their pass)."""
    background: list[Callable[[float | None], bool]] = field(default_factory=list)
    """Waits for what the extra passes left running (webhook drains): each waits up to the
    given seconds and says whether anything was running. ``wait_idle`` uses them."""
    pass_interval: float = 0.05
    """Passes start at least this far apart: a commit after a quiet spell is fanned out at
    once, while a stream of commits is fanned out (and sent) in batches, not one by one."""
    wake: threading.Event = field(default_factory=threading.Event, repr=False)
    """Set to end the wait between passes early (a commit that recorded events, a stop)."""
    listener: OutboxListener | None = field(default=None, init=False, repr=False)
    """PostgreSQL: the LISTEN side of the wake-up, while ``run_forever`` runs."""
    clock: Callable[[], datetime] = utcnow
    """What leases, backoff and ``until`` are timed by (tests step a fake one)."""

    def _nothing_due(self, probe: Any) -> bool:
        """A read before a write transaction: an idle pass must not take SQLite's write
        lock (``BEGIN IMMEDIATE``) from the application's writers."""
        with unit_of_work(self.factory, tenant_id=None, read_only=True) as session:
            return session.execute(probe.limit(1)).first() is None

    def dispatch_events(self) -> int:
        """Fan out a batch of undispatched events to the event handlers, in one transaction."""
        if self._nothing_due(select(Event.id).where(Event.dispatched_at.is_(None))):
            return 0
        with unit_of_work(self.factory, tenant_id=None) as session:
            if not _dispatch_turn(session):
                return 0
            events = list(
                session.scalars(
                    select(Event)
                    .where(Event.dispatched_at.is_(None))
                    .order_by(Event.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            for handler in self.registry.event_handlers:
                batch = getattr(handler, "handle_batch", None)
                if batch is not None:
                    batch(session, events)
                else:
                    for event in events:
                        handler(session, event)
            now = self.clock()
            for event in events:
                event.dispatched_at = now
            return len(events)

    def claim_jobs(self, limit: int | None = None) -> list[int]:
        """Lease up to ``limit`` due jobs (queued, or running with an expired lease)."""
        now = self.clock()
        due = select(Job.id).where(
            or_(
                (Job.status == JobStatus.QUEUED) & (Job.run_after <= now),
                (Job.status == JobStatus.RUNNING) & (Job.locked_until < now),
            )
        )
        if self._nothing_due(due):
            return []
        with unit_of_work(self.factory, tenant_id=None) as session:
            ids = list(
                session.scalars(
                    due.order_by(Job.run_after, Job.id)
                    .limit(limit or self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            if ids:
                session.execute(
                    update(Job)
                    .where(Job.id.in_(ids))
                    .values(
                        status=JobStatus.RUNNING,
                        locked_by=self.name,
                        locked_until=now + timedelta(seconds=self.lease_seconds),
                        attempts=Job.attempts + 1,
                    )
                    .execution_options(synchronize_session=False)
                )
            return ids

    def run_job(self, job_id: int) -> bool:
        """Run one claimed job; True when it completed. Failures are rescheduled or buried."""
        try:
            with unit_of_work(self.factory, tenant_id=None) as probe:
                job = probe.get(Job, job_id)
                tenant_id = job.tenant_id if job else None
                if job is None or job.locked_by != self.name or job.status != JobStatus.RUNNING:
                    return False  # our lease ran out and someone else has it
            with unit_of_work(self.factory, tenant_id=tenant_id) as session:
                job = session.get(Job, job_id)
                assert job is not None
                handler = self.registry.handler_for(job.kind)
                result = handler(session, job)
                job.status = JobStatus.DONE
                job.result = result
                job.finished_at = self.clock()
                job.locked_by = None
                job.locked_until = None
                job.last_error = None
            return True
        except Exception as error:
            log.warning("job %s failed: %s", job_id, type(error).__name__, exc_info=True)
            self._record_failure(job_id, error)
            return False

    def _record_failure(self, job_id: int, error: Exception) -> None:
        with unit_of_work(self.factory, tenant_id=None) as session:
            job = session.get(Job, job_id)
            if job is None or job.locked_by != self.name:
                return
            job.last_error = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
            job.locked_by = None
            job.locked_until = None
            if job.attempts >= job.max_attempts:
                job.status = JobStatus.DEAD
                job.finished_at = self.clock()
            else:
                job.status = JobStatus.QUEUED
                job.run_after = self.clock() + backoff(job.attempts)

    def run_once(self) -> int:
        """One pass: fan out events, then claim and run due jobs. Returns work done."""
        done = self.dispatch_events()
        for job_id in self.claim_jobs():
            self.run_job(job_id)
            done += 1
        for extra in self.extra_passes:
            done += extra()
        return done

    def run_forever(self, stop: threading.Event, *, until: datetime | None = None) -> None:
        """Pass after pass; between idle passes, wait for the poll interval or until a commit
        records events (in this process: ``outbox_signal``; in any, on PostgreSQL: the
        ``OutboxListener``) or ``stop`` is set through
        ``start_in_thread`` (a plain event is seen within the poll interval)."""
        log.info("worker %s started", self.name)
        outbox_signal.subscribe(self.wake)
        listener = self.listener = listener_for(self.factory.kw.get("bind"), self.wake)
        if listener is not None:
            listener.start()
        try:
            while not stop.is_set():
                if until is not None and self.clock() >= until:
                    break
                self.wake.clear()  # a commit during the pass brings the next one forward
                started = time.monotonic()
                try:
                    busy = self.run_once()
                except Exception:
                    log.exception("worker pass failed; retrying")
                    busy = 0
                if not busy:
                    self.wake.wait(self.poll_seconds)
                pause = started + self.pass_interval - time.monotonic()
                if pause > 0:
                    stop.wait(pause)
        finally:
            outbox_signal.unsubscribe(self.wake)
            if listener is not None:
                listener.stop()
        log.info("worker %s stopped", self.name)


class _Stop(threading.Event):
    """A stop event that also wakes its worker from the wait between passes."""

    def __init__(self, wake: threading.Event) -> None:
        super().__init__()
        self._wake = wake

    def set(self) -> None:
        super().set()
        self._wake.set()


def stop_event(worker: Worker) -> threading.Event:
    """An event that stops ``worker.run_forever`` at once when set, even mid-wait."""
    return _Stop(worker.wake)


def start_in_thread(worker: Worker) -> tuple[threading.Thread, threading.Event]:
    """The embedded worker of ``syllabus serve``."""
    stop = stop_event(worker)
    thread = threading.Thread(
        target=worker.run_forever, args=(stop,), name="syllabus-worker", daemon=True
    )
    thread.start()
    return thread, stop


def wait_idle(worker: Worker, *, timeout: float | None = 10.0) -> None:
    """Run passes until nothing is due and nothing started is still running, so everything
    due has been attempted (for tests and one-shot CLI runs; ``timeout=None``: no limit)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while deadline is None or time.monotonic() < deadline:
        if worker.run_once():
            continue
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        running = False
        for settle in worker.background:
            running = settle(left) or running
        if not running:
            return
    raise TimeoutError("worker still busy")
