"""Recording domain events in the outbox, inside the caller's transaction."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session
from uuid6 import uuid7

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.domain.events import Event
from syllabus.services.bulk import insert_rows

_WRITTEN = "outbox_written"
OUTBOX_CHANNEL = "syllabus_outbox"
"""PostgreSQL: NOTIFY'd by every transaction that records events, at its commit."""
_NOTIFY = text(f"SELECT pg_notify('{OUTBOX_CHANNEL}', '')")


class OutboxSignal:
    """Wakes this process's workers when a transaction that recorded events commits, so
    they fan out at once instead of at their next poll (other processes still poll)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[threading.Event] = set()

    def subscribe(self, wake: threading.Event) -> None:
        with self._lock:
            self._waiters.add(wake)

    def unsubscribe(self, wake: threading.Event) -> None:
        with self._lock:
            self._waiters.discard(wake)

    def notify(self) -> None:
        with self._lock:
            waiters = list(self._waiters)
        for wake in waiters:
            wake.set()


outbox_signal = OutboxSignal()


@event.listens_for(Session, "after_commit")
def _wake_workers(session: Session) -> None:
    if session.info.pop(_WRITTEN, False):
        outbox_signal.notify()


@event.listens_for(Session, "after_rollback")
def _forget_events(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def record_event(session: Session, ctx: Context, event_type: str, data: dict[str, Any]) -> None:
    record_events(session, ctx, event_type, [data])


def record_events(
    session: Session, ctx: Context, event_type: str, payloads: Sequence[dict[str, Any]]
) -> None:
    """One executemany for any number of events of one type."""
    if not payloads:
        return
    now = utcnow()
    rows = [
        {
            "event_id": str(uuid7()),
            "tenant_id": ctx.tenant_id,
            "type": event_type,
            "occurred_at": now,
            "surface": ctx.surface.value,
            "actor": ctx.actor,
            "data": data,
        }
        for data in payloads
    ]
    insert_rows(session, Event, rows)
    if not session.info.get(_WRITTEN) and session.get_bind().dialect.name == "postgresql":
        session.connection().execute(_NOTIFY)  # workers in other processes wake at commit
    session.info[_WRITTEN] = True
