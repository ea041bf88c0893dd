"""A timeslot's seats: the lock every seat-changing write takes, the count, the waitlist.

Capacity holds under concurrent writers because every write that can take or free a seat
first locks the timeslot row (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite every write
transaction already holds the database's write lock from ``BEGIN IMMEDIATE``), then counts
the seats taken, all in one transaction. Two registrations for the last seat therefore run
one after the other, and the second sees the first.

When a seat frees up (a cancellation, a deletion, a larger capacity), the registrations that
have waited longest are promoted to ``pending``: the waitlist is a queue, ordered by when each
joined it (a seat holder moved to the waitlist joins at the back).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import NotFound
from syllabus.core.lookups import possible_id
from syllabus.domain.ilt import (
    SEAT_STATUSES,
    IltRegistration,
    IltTimeslot,
    RegistrationStatus,
)
from syllabus.services.events import record_events

EVENT_TYPES = {
    RegistrationStatus.PENDING: "ilt.registered",
    RegistrationStatus.ATTENDED: "ilt.attended",
    RegistrationStatus.ABSENT: "ilt.absent",
    RegistrationStatus.CANCELLED: "ilt.cancelled",
    RegistrationStatus.WAITLISTED: "ilt.waitlisted",
}


def lock_timeslot(session: Session, ctx: Context, timeslot_id: int, *, field: str) -> IltTimeslot:
    """Load the timeslot and hold its row lock until the transaction ends."""
    if not possible_id(timeslot_id):
        raise NotFound("instructor_led_training_timeslot", [timeslot_id], field=field)
    row = session.scalars(
        select(IltTimeslot)
        .where(IltTimeslot.id == timeslot_id, IltTimeslot.tenant_id == ctx.tenant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound("instructor_led_training_timeslot", [timeslot_id], field=field)
    return row


def seats_taken(session: Session, ctx: Context, timeslot_id: int) -> int:
    """Seats held now; call it only while holding the timeslot's lock."""
    session.flush()
    return (
        session.scalar(
            select(func.count())
            .select_from(IltRegistration)
            .where(
                IltRegistration.tenant_id == ctx.tenant_id,
                IltRegistration.timeslot_id == timeslot_id,
                IltRegistration.status.in_(SEAT_STATUSES),
            )
        )
        or 0
    )


def free_seats(session: Session, ctx: Context, timeslot: IltTimeslot) -> int | None:
    """Seats left (None: unlimited); the caller holds the lock."""
    if timeslot.capacity is None:
        return None
    return max(0, timeslot.capacity - seats_taken(session, ctx, timeslot.id))


def event_payload(registration: IltRegistration, timeslot: IltTimeslot) -> dict[str, Any]:
    return {
        "registration_id": registration.id,
        "timeslot_id": timeslot.id,
        "training_id": timeslot.training_id,
        "user_id": registration.user_id,
        "status": registration.status.value,
    }


def record_status_events(
    session: Session,
    ctx: Context,
    timeslot: IltTimeslot,
    registrations: Iterable[IltRegistration],
    *,
    status: RegistrationStatus | None = None,
    **extra: Any,
) -> None:
    """One ``ilt.<status>`` event per registration (its own status unless ``status`` says
    what happened to it), one executemany per status."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for registration in registrations:
        payload = {**event_payload(registration, timeslot), **extra}
        if status is not None:
            payload["status"] = status.value
        by_type.setdefault(EVENT_TYPES[status or registration.status], []).append(payload)
    for event_type, payloads in by_type.items():
        record_events(session, ctx, event_type, payloads)


def promote_waitlist(session: Session, ctx: Context, timeslot: IltTimeslot) -> list[int]:
    """Give free seats to those who have waited longest; returns the promoted ids."""
    free = free_seats(session, ctx, timeslot)
    if free == 0:
        return []
    waiting = (
        select(IltRegistration)
        .where(
            IltRegistration.tenant_id == ctx.tenant_id,
            IltRegistration.timeslot_id == timeslot.id,
            IltRegistration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(IltRegistration.waitlisted_at, IltRegistration.id)
    )
    if free is not None:
        waiting = waiting.limit(free)
    promoted: Sequence[IltRegistration] = session.scalars(waiting).all()
    if not promoted:
        return []
    ids = [r.id for r in promoted]
    session.execute(
        update(IltRegistration)
        .where(IltRegistration.tenant_id == ctx.tenant_id, IltRegistration.id.in_(ids))
        .values(status=RegistrationStatus.PENDING, updated_at=utcnow(), waitlisted_at=None)
        .execution_options(synchronize_session="fetch")
    )
    record_status_events(session, ctx, timeslot, promoted, promoted_from_waitlist=True)
    return ids
