"""Instructor-led trainings and their timeslots: create, change, delete.

Times are stored in UTC. A time given without an offset is wall-clock time in the timeslot's
display time zone (what an admin typing "9:00" means), so changing only the display time zone
moves no session. Lowering a capacity below the seats already held is refused; raising it
promotes the waitlist.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.core.fields import UNSET, ChangeSet, Maybe
from syllabus.core.lookups import require
from syllabus.core.validation import (
    clean_enum,
    clean_int,
    clean_required_text,
    clean_text,
    clean_time_zone,
)
from syllabus.domain.courses import Course
from syllabus.domain.ilt import (
    IltRegistration,
    IltTimeslot,
    InstructorLedTraining,
    RegistrationStatus,
    SessionType,
)
from syllabus.domain.users import User
from syllabus.services.events import record_event
from syllabus.services.ilt_seats import (
    lock_timeslot,
    promote_waitlist,
    record_status_events,
    seats_taken,
)

MAX_CAPACITY = 1_000_000
EARLIEST, LATEST = 1900, 9998
"""Years a session may be in: keeps every time representable in every zone."""


@dataclass(frozen=True)
class TrainingData(ChangeSet):
    name: Maybe[str] = UNSET
    description: Maybe[str | None] = UNSET
    session_type: Maybe[str] = UNSET
    course_id: Maybe[int | None] = UNSET
    metadata: Maybe[list[Any]] = UNSET


@dataclass(frozen=True)
class TimeslotData(ChangeSet):
    name: Maybe[str | None] = UNSET
    """Blank or absent on create: the training's name."""
    description: Maybe[str | None] = UNSET
    location: Maybe[str | None] = UNSET
    capacity: Maybe[int | None] = UNSET
    """None: unlimited."""
    display_timezone: Maybe[str] = UNSET
    """IANA name."""
    primary_instructor_user_id: Maybe[int | None] = UNSET
    instructor: Maybe[str | None] = UNSET
    commencement_time: Maybe[datetime | None] = UNSET
    end_time: Maybe[datetime | None] = UNSET
    session_type: Maybe[str] = UNSET


# --- Trainings ------------------------------------------------------------------------------


def create_training(session: Session, ctx: Context, *, data: TrainingData) -> InstructorLedTraining:
    values = data.set_fields()
    training = InstructorLedTraining(
        tenant_id=ctx.tenant_id,
        name=clean_required_text(values.get("name"), "name", max_length=500),
        description=clean_text(values.get("description"), "description", max_length=100_000) or "",
        session_type=clean_enum(
            values.get("session_type", SessionType.IN_PERSON.value), SessionType, "session_type"
        ),
        extra_metadata=_clean_metadata(values.get("metadata", [])),
    )
    course_id = values.get("course_id")
    if course_id is not None:
        training.course_id = require(session, ctx, Course, course_id, field="course_id").id
    session.add(training)
    session.flush()
    record_event(session, ctx, "ilt.training_created", {"training_id": training.id})
    return training


def _clean_metadata(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid("metadata", "metadata must be a list")
    return value


# --- Timeslots ------------------------------------------------------------------------------


def _aware(value: datetime | None, zone_name: str, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise Invalid(field, f"{field} must be a date and time")
    if value.tzinfo is None:
        value = value.replace(tzinfo=zoneinfo.ZoneInfo(zone_name))
    try:
        moment = value.astimezone(UTC)
    except (OverflowError, ValueError):
        moment = None
    if moment is None or not EARLIEST <= moment.year <= LATEST:
        raise Invalid(field, f"{field} must be between the years {EARLIEST} and {LATEST}")
    return moment


def _apply_timeslot(
    session: Session, ctx: Context, timeslot: IltTimeslot, values: dict[str, Any]
) -> None:
    """Check and set the given fields; the times last, read in the (new) display zone."""
    if "display_timezone" in values:
        timeslot.display_timezone = clean_time_zone(values["display_timezone"], "display_timezone")
    for name, limit in (("description", 100_000), ("location", 500), ("instructor", 255)):
        if name in values:
            setattr(timeslot, name, clean_text(values[name], name, max_length=limit) or "")
    if "name" in values:
        new_name = clean_text(values["name"], "name", max_length=500)
        if new_name:
            timeslot.name = new_name
    if "capacity" in values:
        capacity = values["capacity"]
        timeslot.capacity = (
            None
            if capacity is None
            else clean_int(capacity, "capacity", minimum=1, maximum=MAX_CAPACITY)
        )
    if "session_type" in values:
        timeslot.session_type = clean_enum(values["session_type"], SessionType, "session_type")
    if "primary_instructor_user_id" in values:
        instructor_id = values["primary_instructor_user_id"]
        timeslot.primary_instructor_user_id = (
            None
            if instructor_id is None
            else require(session, ctx, User, instructor_id, field="primary_instructor_user_id").id
        )
    for name in ("commencement_time", "end_time"):
        if name in values:
            setattr(timeslot, name, _aware(values[name], timeslot.display_timezone, name))
    start, end = timeslot.commencement_time, timeslot.end_time
    if start is not None and end is not None and end <= start:
        field = "end_time" if "end_time" in values else "commencement_time"
        raise Invalid(field, "end_time must be after commencement_time")


def create_timeslot(
    session: Session, ctx: Context, *, training_id: int, data: TimeslotData
) -> IltTimeslot:
    training = require(
        session, ctx, InstructorLedTraining, training_id, field="instructor_led_training_id"
    )
    timeslot = IltTimeslot(
        tenant_id=ctx.tenant_id,
        training_id=training.id,
        name=training.name,
        description="",
        location="",
        instructor="",
        display_timezone="UTC",
        session_type=training.session_type,
    )
    _apply_timeslot(session, ctx, timeslot, data.set_fields())
    session.add(timeslot)
    session.flush()
    record_event(
        session,
        ctx,
        "ilt.timeslot_created",
        {"timeslot_id": timeslot.id, "training_id": training.id},
    )
    return timeslot


def update_timeslot(
    session: Session, ctx: Context, *, timeslot_id: int, changes: TimeslotData
) -> IltTimeslot:
    """Only the given fields change. A capacity below the seats held is refused."""
    timeslot = lock_timeslot(session, ctx, timeslot_id, field="instructor_led_training_timeslot_id")
    values = changes.set_fields()
    _apply_timeslot(session, ctx, timeslot, values)
    if "capacity" in values and timeslot.capacity is not None:
        taken = seats_taken(session, ctx, timeslot.id)
        if timeslot.capacity < taken:
            raise Invalid(
                "capacity",
                f"capacity {timeslot.capacity} is below the {taken} seats already registered",
            )
    session.flush()
    if "capacity" in values:
        promote_waitlist(session, ctx, timeslot)
    record_event(
        session,
        ctx,
        "ilt.timeslot_updated",
        {"timeslot_id": timeslot.id, "training_id": timeslot.training_id},
    )
    return timeslot


def delete_timeslot(session: Session, ctx: Context, *, timeslot_id: int) -> None:
    """Deletes the timeslot and its registrations; every live registration is cancelled."""
    timeslot = lock_timeslot(session, ctx, timeslot_id, field="instructor_led_training_timeslot_id")
    live = session.scalars(
        select(IltRegistration)
        .where(
            IltRegistration.tenant_id == ctx.tenant_id,
            IltRegistration.timeslot_id == timeslot.id,
            IltRegistration.status != RegistrationStatus.CANCELLED,
        )
        .order_by(IltRegistration.id)
    ).all()
    record_status_events(
        session, ctx, timeslot, live, status=RegistrationStatus.CANCELLED, timeslot_deleted=True
    )
    record_event(
        session,
        ctx,
        "ilt.timeslot_deleted",
        {"timeslot_id": timeslot.id, "training_id": timeslot.training_id},
    )
    session.delete(timeslot)
    session.flush()
