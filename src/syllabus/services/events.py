"""Recording domain events in the outbox, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session
from uuid6 import uuid7

from syllabus.domain.base import utcnow
from syllabus.domain.events import Event
from syllabus.services.bulk import insert_rows
from syllabus.services.context import Context


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
