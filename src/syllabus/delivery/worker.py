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

from sqlalchemy import or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from syllabus.db.session import unit_of_work
from syllabus.delivery import domain_users as _domain_users  # noqa: F401  (registers its job)
from syllabus.delivery import report_jobs as _report_jobs  # noqa: F401  (registers its job)
from syllabus.delivery.registry import Registry, registry
from syllabus.domain.base import utcnow
from syllabus.domain.events import Event
from syllabus.domain.jobs import Job, JobStatus

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
    """Further work run on every pass (webhook sending, feed pruning); each returns work done."""

    def dispatch_events(self) -> int:
        """Fan out a batch of undispatched events to the event handlers, in one transaction."""
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
            now = utcnow()
            for event in events:
                for handler in self.registry.event_handlers:
                    handler(session, event)
                event.dispatched_at = now
            return len(events)

    def claim_jobs(self, limit: int | None = None) -> list[int]:
        """Lease up to ``limit`` due jobs (queued, or running with an expired lease)."""
        now = utcnow()
        with unit_of_work(self.factory, tenant_id=None) as session:
            ids = list(
                session.scalars(
                    select(Job.id)
                    .where(
                        or_(
                            (Job.status == JobStatus.QUEUED) & (Job.run_after <= now),
                            (Job.status == JobStatus.RUNNING) & (Job.locked_until < now),
                        )
                    )
                    .order_by(Job.run_after, Job.id)
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
                job.finished_at = utcnow()
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
                job.finished_at = utcnow()
            else:
                job.status = JobStatus.QUEUED
                job.run_after = utcnow() + backoff(job.attempts)

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
        log.info("worker %s started", self.name)
        while not stop.is_set():
            if until is not None and utcnow() >= until:
                break
            try:
                busy = self.run_once()
            except Exception:
                log.exception("worker pass failed; retrying")
                busy = 0
            if not busy:
                stop.wait(self.poll_seconds)
        log.info("worker %s stopped", self.name)


def start_in_thread(worker: Worker) -> tuple[threading.Thread, threading.Event]:
    """The embedded worker of ``syllabus serve``."""
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_forever, args=(stop,), name="syllabus-worker", daemon=True
    )
    thread.start()
    return thread, stop


def wait_idle(worker: Worker, *, timeout: float = 10.0) -> None:
    """Run passes until nothing is due (for tests and one-shot CLI runs)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not worker.run_once():
            return
    raise TimeoutError("worker still busy")
