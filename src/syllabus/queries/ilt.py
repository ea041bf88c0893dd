"""Instructor-led training reads: trainings, timeslots (by date range), registrations, and
a user's calendar. Each page is a constant number of queries; every list has a keyset order
with the id as tie-breaker, so paging while rows are added neither skips nor repeats.

A timeslot row carries ``registration_count``: the seats held (pending, attended, absent),
counted by a correlated subquery on the (tenant, timeslot, status) index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import MAX_ID, chunks, possible_id
from syllabus.domain.ilt import (
    SEAT_STATUSES,
    IltRegistration,
    IltTimeslot,
    InstructorLedTraining,
    RegistrationStatus,
)
from syllabus.domain.tenancy import TENANT_PARAM, execute_scoped, scoped_select
from syllabus.domain.users import User

PAGE = 500
_t = IltTimeslot.__table__.c
_r = IltRegistration.__table__.c
_tr = InstructorLedTraining.__table__.c
_u = User.__table__.c

_SEATS = (
    select(func.count())
    .where(
        _r.tenant_id == bindparam(TENANT_PARAM),
        _r.timeslot_id == _t.id,
        _r.status.in_([s.value for s in SEAT_STATUSES]),
    )
    .correlate(IltTimeslot.__table__)
    .scalar_subquery()
    .label("registration_count")
)
_TIMESLOT_COLUMNS = (*IltTimeslot.__table__.c, _SEATS)

TimeslotRow = Row[Any]
TrainingRow = Row[Any]
RegistrationRow = Row[Any]

_TIMESLOTS_BY_ID = scoped_select(IltTimeslot, *_TIMESLOT_COLUMNS).where(
    _t.id.in_(bindparam("ids", expanding=True))
)
_TIMESLOTS_OF_TRAININGS = (
    scoped_select(IltTimeslot, *_TIMESLOT_COLUMNS)
    .where(_t.training_id.in_(bindparam("ids", expanding=True)))
    .order_by(_t.training_id, _t.commencement_time, _t.id)
)
_TRAININGS_PAGE = (
    scoped_select(InstructorLedTraining)
    .where(_tr.id > bindparam("after_id"))
    .order_by(_tr.id)
    .limit(bindparam("limit"))
)
_TRAINING = scoped_select(InstructorLedTraining).where(_tr.id == bindparam("id"))


@lru_cache(maxsize=16)
def _timeslots_page(dated: bool, start: bool, end: bool, training: bool) -> Select[Any]:
    """Timeslots in (commencement_time, id) order, after a cursor; undated ones have their
    own pass in id order (``dated`` False)."""
    statement = scoped_select(IltTimeslot, *_TIMESLOT_COLUMNS)
    if training:
        statement = statement.where(_t.training_id == bindparam("training_id"))
    if not dated:
        return (
            statement.where(_t.commencement_time.is_(None), _t.id > bindparam("after_id"))
            .order_by(_t.id)
            .limit(bindparam("limit"))
        )
    statement = statement.where(_t.commencement_time.is_not(None))
    if start:
        statement = statement.where(_t.commencement_time >= bindparam("start"))
    if end:
        statement = statement.where(_t.commencement_time < bindparam("end"))
    after = or_(
        _t.commencement_time > bindparam("after_time"),
        and_(_t.commencement_time == bindparam("after_time"), _t.id > bindparam("after_id")),
    )
    return statement.where(after).order_by(_t.commencement_time, _t.id).limit(bindparam("limit"))


_EPOCH = datetime(1, 1, 2, tzinfo=UTC)


def iter_timeslots(
    session: Session,
    ctx: Context,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    training_id: int | None = None,
    page_size: int = PAGE,
) -> Iterator[Sequence[TimeslotRow]]:
    """Pages of timeslots commencing in ``[start, end)`` (either bound optional), in start
    order; without bounds, undated timeslots follow the dated ones."""
    if training_id is not None and not possible_id(training_id):
        return
    params: dict[str, Any] = {"limit": page_size}
    if training_id is not None:
        params["training_id"] = training_id
    if start is not None:
        params["start"] = start
    if end is not None:
        params["end"] = end
    statement = _timeslots_page(True, start is not None, end is not None, training_id is not None)
    after_time, after_id = _EPOCH, 0
    while True:
        rows = execute_scoped(
            session,
            ctx.tenant_id,
            statement,
            {**params, "after_time": after_time, "after_id": after_id},
        ).all()
        if rows:
            yield rows
        if len(rows) < page_size:
            break
        after_time, after_id = rows[-1].commencement_time, rows[-1].id
    if start is not None or end is not None:
        return
    undated = _timeslots_page(False, False, False, training_id is not None)
    after_id = 0
    while True:
        rows = execute_scoped(
            session, ctx.tenant_id, undated, {**params, "after_id": after_id}
        ).all()
        if rows:
            yield rows
        if len(rows) < page_size:
            return
        after_id = rows[-1].id


def get_timeslot(session: Session, ctx: Context, timeslot_id: int) -> TimeslotRow | None:
    if not possible_id(timeslot_id):
        return None
    return execute_scoped(session, ctx.tenant_id, _TIMESLOTS_BY_ID, {"ids": [timeslot_id]}).first()


# --- Trainings ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrainingDetail:
    training: TrainingRow
    timeslot: TimeslotRow | None
    """The timeslot shown with the training: the next one to end, else the latest one."""


def _featured(timeslots: Sequence[TimeslotRow], now: datetime) -> TimeslotRow | None:
    dated = [t for t in timeslots if t.commencement_time is not None]
    upcoming = [t for t in dated if (t.end_time or t.commencement_time) >= now]
    if upcoming:
        return upcoming[0]
    if dated:
        return dated[-1]
    return timeslots[0] if timeslots else None


def _details(
    session: Session, ctx: Context, rows: Sequence[TrainingRow], now: datetime
) -> list[TrainingDetail]:
    slots: dict[int, list[TimeslotRow]] = defaultdict(list)
    ids = [row.id for row in rows]
    for part in chunks(ids):
        for slot in execute_scoped(
            session, ctx.tenant_id, _TIMESLOTS_OF_TRAININGS, {"ids": list(part)}
        ):
            slots[slot.training_id].append(slot)
    out = []
    for row in rows:
        ordered = sorted(
            slots.get(row.id, []),
            key=lambda t: (t.commencement_time is None, t.commencement_time or now, t.id),
        )
        out.append(TrainingDetail(row, _featured(ordered, now)))
    return out


def list_trainings_page(
    session: Session, ctx: Context, *, now: datetime, after_id: int = 0, limit: int = PAGE
) -> list[TrainingDetail]:
    """A keyset page of trainings in id order (two queries)."""
    bounds = {"after_id": max(0, min(after_id, MAX_ID)), "limit": max(1, min(limit, PAGE))}
    rows = execute_scoped(session, ctx.tenant_id, _TRAININGS_PAGE, bounds).all()
    return _details(session, ctx, rows, now) if rows else []


def get_training(
    session: Session, ctx: Context, training_id: int, *, now: datetime
) -> TrainingDetail | None:
    if not possible_id(training_id):
        return None
    row = execute_scoped(session, ctx.tenant_id, _TRAINING, {"id": training_id}).first()
    return None if row is None else _details(session, ctx, [row], now)[0]


# --- Registrations --------------------------------------------------------------------------

_REGISTRATIONS_PAGE = (
    scoped_select(IltRegistration)
    .where(
        _r.timeslot_id == bindparam("timeslot_id"),
        _r.status.in_(bindparam("statuses", expanding=True)),
        _r.id > bindparam("after_id"),
    )
    .order_by(_r.id)
    .limit(bindparam("limit"))
)
ALL_STATUSES = tuple(s.value for s in RegistrationStatus)


def iter_registrations(
    session: Session,
    ctx: Context,
    *,
    timeslot_id: int,
    statuses: Sequence[RegistrationStatus] = (),
    page_size: int = PAGE,
) -> Iterator[Sequence[RegistrationRow]]:
    """Pages of a timeslot's registrations in id (registration) order."""
    wanted = [s.value for s in statuses] or list(ALL_STATUSES)
    after_id = 0
    while True:
        rows = execute_scoped(
            session,
            ctx.tenant_id,
            _REGISTRATIONS_PAGE,
            {
                "timeslot_id": timeslot_id,
                "statuses": wanted,
                "after_id": after_id,
                "limit": page_size,
            },
        ).all()
        if rows:
            yield rows
        if len(rows) < page_size:
            return
        after_id = rows[-1].id


# --- Calendar -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CalendarOwner:
    tenant_id: int
    user_id: int
    calendar_key: str
    name: str


def calendar_owner(session: Session, user_id: int) -> CalendarOwner | None:
    """The user a calendar URL names, whatever the program: the URL's key is checked next.

    Runs in a cross-tenant unit of work (the URL carries no program key).
    """
    if not possible_id(user_id):
        return None
    row = session.execute(
        select(_u.tenant_id, _u.id, _u.calendar_key, _u.first_name, _u.last_name, _u.email).where(
            _u.id == user_id, _u.is_active.is_(True)
        )
    ).first()
    if row is None:
        return None
    name = f"{row.first_name or ''} {row.last_name or ''}".strip() or row.email
    return CalendarOwner(row.tenant_id, row.id, row.calendar_key, name)


_CALENDAR = (
    scoped_select(
        IltRegistration,
        _r.id.label("registration_id"),
        _r.status,
        _r.updated_at.label("registration_updated_at"),
        _t.id.label("timeslot_id"),
        _t.name,
        _t.description,
        _t.location,
        _t.instructor,
        _t.commencement_time,
        _t.end_time,
        _t.display_timezone,
        _t.updated_at,
        _tr.name.label("training_name"),
    )
    .join(IltTimeslot.__table__, _t.id == _r.timeslot_id)
    .join(InstructorLedTraining.__table__, _tr.id == _t.training_id)
    .where(
        _r.user_id == bindparam("user_id"),
        _r.status != RegistrationStatus.CANCELLED.value,
        _t.commencement_time.is_not(None),
    )
    .order_by(_t.commencement_time, _t.id)
)


def calendar_entries(session: Session, ctx: Context, user_id: int) -> Sequence[Row[Any]]:
    """The user's live registrations (seats and waitlist) with their dated timeslots."""
    return execute_scoped(session, ctx.tenant_id, _CALENDAR, {"user_id": user_id}).all()
