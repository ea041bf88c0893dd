"""Users' registrations in instructor-led training timeslots.

Registering asks for a seat: a user gets one while seats are free and goes on the waitlist
when the timeslot is full (an explicit ``waitlisted`` always waitlists). Asking outright for a
seat status (``pending``, ``attended``, ``absent``) for more users than there are free seats
is refused as a whole, with the numbers. Registering a user who already holds a registration
returns it unchanged (or changes its status, when one is given). Every call over many users or
registrations is all or nothing: unknown ids are all named and nothing is written.

Cancelling or deleting a registration that held a seat promotes the waitlist (see ilt_seats).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Conflict, Invalid, NotFound
from syllabus.core.fields import UNSET, Maybe, is_set
from syllabus.core.lookups import chunks, missing_ids, require
from syllabus.core.validation import clean_enum, clean_ids, clean_int
from syllabus.domain.courses import Course
from syllabus.domain.ilt import (
    SEAT_STATUSES,
    IltRegistration,
    IltTimeslot,
    InstructorLedTraining,
    RegistrationStatus,
)
from syllabus.domain.progress import CourseProgress
from syllabus.domain.users import User
from syllabus.services.ilt_seats import (
    free_seats,
    lock_timeslot,
    promote_waitlist,
    record_status_events,
)

STATUS_ALIASES = {"registered": RegistrationStatus.PENDING.value}
"""Words clients use for a held seat."""
MAX_USERS_PER_CALL = 10_000


def clean_status(value: object, field: str = "status") -> RegistrationStatus:
    if isinstance(value, str):
        value = STATUS_ALIASES.get(value.strip().lower(), value.strip().lower())
    return clean_enum(value, RegistrationStatus, field)


def _clean_progress_id(
    session: Session, ctx: Context, value: int | None, *, user_id: int, timeslot: IltTimeslot
) -> int | None:
    """A progress record may only be the registered user's own, in the training's course:
    anything else would show someone else's progress on this registration."""
    if value is None:
        return None
    field = "course_progress_id"
    progress_id = clean_int(value, field, minimum=1, maximum=2**31 - 1)
    progress = require(session, ctx, CourseProgress, progress_id, field=field)
    if progress.user_id != user_id:
        raise Invalid(field, f"course_progress {progress_id} belongs to another user")
    training = session.get_one(InstructorLedTraining, timeslot.training_id)
    if training.course_id is not None and progress.course_id != training.course_id:
        raise Invalid(
            field,
            f"course_progress {progress_id} is not in the training's course {training.course_id}",
        )
    return progress_id


def set_status(registration: IltRegistration, status: RegistrationStatus, now: datetime) -> None:
    """Joining the waitlist puts a registration at the back of the line."""
    registration.status = status
    registration.updated_at = now
    registration.waitlisted_at = now if status is RegistrationStatus.WAITLISTED else None


def _seat_conflict(timeslot: IltTimeslot, wanted: int, free: int) -> Conflict:
    return Conflict(
        f"instructor_led_training_timeslot {timeslot.id} is full: {wanted} seat(s) asked, "
        f"{free} of {timeslot.capacity} free",
        field="status",
        timeslot_id=timeslot.id,
        capacity=timeslot.capacity,
        free=free,
    )


def _check_course(session: Session, ctx: Context, timeslot: IltTimeslot, course_id: int) -> None:
    course = require(session, ctx, Course, course_id, field="course_id")
    training = session.get_one(InstructorLedTraining, timeslot.training_id)
    if training.course_id is not None and training.course_id != course.id:
        raise Invalid(
            "course_id",
            f"the timeslot's training belongs to course {training.course_id}, not {course.id}",
        )


def register_users(
    session: Session,
    ctx: Context,
    *,
    timeslot_id: int,
    user_ids: Sequence[int],
    status: RegistrationStatus | str | None = None,
    course_progress_id: int | None = None,
    course_id: int | None = None,
) -> list[IltRegistration]:
    """Register users in a timeslot; returns their registrations in the order of
    ``user_ids``. ``status`` None: a seat while there are seats, else the waitlist.
    ``course_id``, when given, must be the course the training belongs to (if it belongs to
    one)."""
    users = clean_ids(list(user_ids), "user_ids")
    if not users:
        raise Invalid("user_ids", "at least one user is required")
    if len(users) > MAX_USERS_PER_CALL:
        raise Invalid("user_ids", f"at most {MAX_USERS_PER_CALL} users per call")
    wanted = None if status is None else clean_status(status)
    if wanted is RegistrationStatus.CANCELLED:
        raise Invalid("status", "a new registration cannot be cancelled")
    timeslot = lock_timeslot(session, ctx, timeslot_id, field="instructor_led_training_timeslot_id")
    if course_progress_id is not None and len(users) > 1:
        raise Invalid("course_progress_id", "a course progress belongs to one user: register one")
    progress_id = _clean_progress_id(
        session, ctx, course_progress_id, user_id=users[0], timeslot=timeslot
    )
    if course_id is not None:
        _check_course(session, ctx, timeslot, course_id)
    unknown = missing_ids(session, ctx, User, users)
    if unknown:
        raise NotFound("user", unknown, field="user_ids")

    existing: dict[int, IltRegistration] = {}
    for part in chunks(users):
        for registration in session.scalars(
            select(IltRegistration).where(
                IltRegistration.tenant_id == ctx.tenant_id,
                IltRegistration.timeslot_id == timeslot.id,
                IltRegistration.user_id.in_(part),
            )
        ):
            existing[registration.user_id] = registration

    # Who changes: new users, cancelled ones coming back, and live ones given a new status.
    changing: list[int] = []
    for user_id in users:
        current = existing.get(user_id)
        if (
            current is None
            or current.status is RegistrationStatus.CANCELLED
            or (wanted is not None and current.status is not wanted)
        ):
            changing.append(user_id)

    free = free_seats(session, ctx, timeslot)
    new_status: dict[int, RegistrationStatus] = {}
    if wanted is None:
        for user_id in changing:
            if free is None or free > 0:
                new_status[user_id] = RegistrationStatus.PENDING
                free = None if free is None else free - 1
            else:
                new_status[user_id] = RegistrationStatus.WAITLISTED
    else:
        if wanted in SEAT_STATUSES and free is not None:
            needing = [
                u for u in changing if u not in existing or existing[u].status not in SEAT_STATUSES
            ]
            if len(needing) > free:
                raise _seat_conflict(timeslot, len(needing), free)
        new_status = dict.fromkeys(changing, wanted)

    now = utcnow()
    changed: list[IltRegistration] = []
    freed = False
    for user_id in changing:
        found = existing.get(user_id)
        if found is None:
            registration = IltRegistration(
                tenant_id=ctx.tenant_id,
                timeslot_id=timeslot.id,
                user_id=user_id,
                course_progress_id=progress_id,
                status=new_status[user_id],
                waitlisted_at=now if new_status[user_id] is RegistrationStatus.WAITLISTED else None,
            )
            session.add(registration)
            existing[user_id] = registration
        else:
            registration = found
            freed |= (
                registration.status in SEAT_STATUSES and new_status[user_id] not in SEAT_STATUSES
            )
            set_status(registration, new_status[user_id], now)
            if progress_id is not None:
                registration.course_progress_id = progress_id
        changed.append(registration)
    session.flush()
    record_status_events(session, ctx, timeslot, changed)
    if freed:
        promote_waitlist(session, ctx, timeslot)
    return [existing[user_id] for user_id in users]


def update_registration(
    session: Session,
    ctx: Context,
    *,
    registration_id: int,
    status: Maybe[RegistrationStatus | str] = UNSET,
    course_progress_id: Maybe[int | None] = UNSET,
) -> IltRegistration:
    """Change a registration's status (attendance, cancellation, a seat from the waitlist)."""
    field = "instructor_led_training_timeslot_registration_id"
    registration = require(session, ctx, IltRegistration, registration_id, field=field)
    timeslot = lock_timeslot(session, ctx, registration.timeslot_id, field=field)
    session.refresh(registration)  # its status may have changed while we waited for the lock
    if is_set(course_progress_id):
        registration.course_progress_id = _clean_progress_id(
            session, ctx, course_progress_id, user_id=registration.user_id, timeslot=timeslot
        )
        registration.updated_at = utcnow()
    if not is_set(status):
        session.flush()
        return registration
    wanted = clean_status(status)
    before = registration.status
    if wanted is before:
        session.flush()
        return registration
    if wanted in SEAT_STATUSES and before not in SEAT_STATUSES:
        free = free_seats(session, ctx, timeslot)
        if free is not None and free < 1:
            raise _seat_conflict(timeslot, 1, free)
    set_status(registration, wanted, utcnow())
    session.flush()
    record_status_events(session, ctx, timeslot, [registration])
    if before in SEAT_STATUSES and wanted not in SEAT_STATUSES:
        promote_waitlist(session, ctx, timeslot)
    return registration


def delete_registrations(
    session: Session, ctx: Context, *, registration_ids: Sequence[int]
) -> list[IltRegistration]:
    """Delete registrations (all or none); returns them as they were, in the order given.

    Live registrations are recorded as cancelled, and freed seats go to the waitlist.
    """
    field = "instructor_led_training_timeslot_registration_ids"
    ids = clean_ids(list(registration_ids), field)
    if not ids:
        raise Invalid(field, f"{field} is required")
    unknown = missing_ids(session, ctx, IltRegistration, ids)
    if unknown:
        raise NotFound("instructor_led_training_timeslot_registration", unknown, field=field)
    timeslot_ids: set[int] = set()
    for part in chunks(ids):
        timeslot_ids.update(
            session.scalars(
                select(IltRegistration.timeslot_id).where(
                    IltRegistration.tenant_id == ctx.tenant_id, IltRegistration.id.in_(part)
                )
            )
        )
    # Locks in id order, so two deletions spanning the same timeslots cannot deadlock.
    timeslots = {t: lock_timeslot(session, ctx, t, field=field) for t in sorted(timeslot_ids)}
    rows: dict[int, IltRegistration] = {}
    for part in chunks(ids):
        for registration in session.scalars(
            select(IltRegistration)
            .where(IltRegistration.tenant_id == ctx.tenant_id, IltRegistration.id.in_(part))
            .execution_options(populate_existing=True)
        ):
            rows[registration.id] = registration
    gone = [i for i in ids if i not in rows]  # deleted while we waited for the locks
    if gone:
        raise NotFound("instructor_led_training_timeslot_registration", gone, field=field)
    for timeslot_id, timeslot in timeslots.items():
        live = [
            r
            for r in rows.values()
            if r.timeslot_id == timeslot_id and r.status is not RegistrationStatus.CANCELLED
        ]
        record_status_events(
            session, ctx, timeslot, live, status=RegistrationStatus.CANCELLED, deleted=True
        )
    for part in chunks(ids):
        session.execute(
            delete(IltRegistration)
            .where(IltRegistration.tenant_id == ctx.tenant_id, IltRegistration.id.in_(part))
            .execution_options(synchronize_session=False)
        )
    for registration in rows.values():
        session.expunge(registration)
    for timeslot in timeslots.values():
        promote_waitlist(session, ctx, timeslot)
    return [rows[i] for i in ids]


def delete_user_registrations(
    session: Session, ctx: Context, *, user_id: int
) -> list[IltRegistration]:
    """Delete every registration of a user about to be deleted, as ``delete_registrations``
    does: live ones recorded as cancelled, their seats given to the waitlist. The database's
    cascade on the user would silently drop them and leave the freed seats empty."""
    ids = list(
        session.scalars(
            select(IltRegistration.id)
            .where(IltRegistration.tenant_id == ctx.tenant_id, IltRegistration.user_id == user_id)
            .order_by(IltRegistration.id)
        )
    )
    if not ids:
        return []
    return delete_registrations(session, ctx, registration_ids=ids)
