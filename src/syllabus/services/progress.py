"""Course progress records: create (which enrolls), change by hand, delete.

Item-by-item progress and its roll-up into these records live in services/item_progress.py;
opening records on enrollment and the shared status transitions in services/progress_records.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.core.fields import UNSET, ChangeSet, Maybe, is_set
from syllabus.core.lookups import require
from syllabus.core.validation import clean_aware_datetime, clean_enum, clean_int
from syllabus.core.versions import Expected
from syllabus.domain.courses import Course
from syllabus.domain.progress import CourseProgress, EnrollmentStatus, ProgressStatus
from syllabus.domain.users import User
from syllabus.services.domain_enrollments import require_enrollment
from syllabus.services.enrollments import enroll_users_in_courses, unenroll_users_from_courses
from syllabus.services.events import record_event
from syllabus.services.progress_records import change_status


def find_course_progress(
    session: Session, ctx: Context, *, user_id: int, course_id: int, for_update: bool = False
) -> CourseProgress | None:
    statement = select(CourseProgress).where(
        CourseProgress.tenant_id == ctx.tenant_id,
        CourseProgress.user_id == user_id,
        CourseProgress.course_id == course_id,
    )
    if for_update:
        statement = statement.with_for_update()
    return session.scalars(statement).first()


def require_course_progress(
    session: Session, ctx: Context, progress_id: int, *, field: str = "course_progress_id"
) -> CourseProgress:
    """The record, locked for the rest of the transaction (item updates to it queue here)."""
    progress = require(session, ctx, CourseProgress, progress_id, field=field)
    session.refresh(progress, with_for_update=True)
    return progress


def create_course_progress(
    session: Session, ctx: Context, *, user_id: int, course_id: int
) -> CourseProgress:
    """Enroll the user in the course and return their progress record (not-started when new).

    A course progress is SkyPrep's enrollment: creating one for a user who already has one
    returns it unchanged (reactivated if an unenrollment had left it inactive).
    """
    require(session, ctx, User, user_id, field="user_id")
    require(session, ctx, Course, course_id, field="course_id")
    # Enrolling opens the record (or reactivates it), whether the enrollment is new or not.
    enroll_users_in_courses(session, ctx, user_ids=[user_id], course_ids=[course_id])
    progress = find_course_progress(session, ctx, user_id=user_id, course_id=course_id)
    assert progress is not None
    session.refresh(progress)
    return progress


@dataclass(frozen=True)
class CourseProgressChanges(ChangeSet):
    status: Maybe[str] = UNSET
    enrollment_status: Maybe[str] = UNSET
    completed_at: Maybe[datetime | None] = UNSET
    """Only meaningful with (or on) a passed record: a completion date set by hand."""
    deadline_at: Maybe[datetime | None] = UNSET
    expires_at: Maybe[datetime | None] = UNSET
    score: Maybe[int | None] = UNSET


def update_course_progress(
    session: Session, ctx: Context, *, progress_id: int, changes: CourseProgressChanges
) -> CourseProgress:
    """An administrator's change: status (with its dates and events), enrollment status,
    deadline, expiry, score. Only the fields given change."""
    progress = require_course_progress(session, ctx, progress_id)
    now = utcnow()
    completed_at = changes.completed_at
    if is_set(completed_at):
        completed_at = clean_aware_datetime(completed_at, "completed_at")
    if is_set(changes.score):
        progress.score = (
            None
            if changes.score is None
            else clean_int(changes.score, "score", minimum=0, maximum=100)
        )
    if is_set(changes.enrollment_status):
        progress.enrollment_status = clean_enum(
            changes.enrollment_status, EnrollmentStatus, "enrollment_status"
        )
    for name in ("deadline_at", "expires_at"):
        value = getattr(changes, name)
        if is_set(value):
            setattr(progress, name, clean_aware_datetime(value, name))
    if is_set(changes.status):
        status = clean_enum(changes.status, ProgressStatus, "status")
        course = require(session, ctx, Course, progress.course_id, field="course_id")
        change_status(
            session,
            ctx,
            progress,
            status,
            course=course,
            now=now,
            completed_at=completed_at or None,
        )
    elif is_set(completed_at):
        if progress.status is not ProgressStatus.PASSED and completed_at is not None:
            raise Invalid("completed_at", "only a passed course progress has a completion date")
        if completed_at is not None:
            progress.completed_at = completed_at
    progress.updated_at = now
    session.flush()
    record_event(
        session,
        ctx,
        "course_progress.updated",
        {
            "course_progress_id": progress.id,
            "user_id": progress.user_id,
            "course_id": progress.course_id,
            "status": progress.status.value,
        },
    )
    return progress


def _percentage(score: Maybe[int | None], max_score: Maybe[int | None]) -> Maybe[int | None]:
    """Scores are kept as percentages: ``score`` out of ``max_score`` (100 when not given),
    rounded half up."""
    if not is_set(score):
        if is_set(max_score) and max_score is not None:
            raise Invalid("max_score", "Requires a score.")
        return UNSET
    if score is None:
        return None
    maximum = max_score if is_set(max_score) and max_score is not None else 100
    if maximum == 0:
        raise Invalid("max_score", "Ensure this value is greater than or equal to 1.")
    if score > maximum:
        raise Invalid("score", f"Ensure this value is less than or equal to {maximum}.")
    return (score * 100 + maximum // 2) // maximum


def record_course_progress(
    session: Session,
    ctx: Context,
    *,
    user_id: int,
    course_id: int,
    completed_at: Maybe[datetime | None] = UNSET,
    score: Maybe[int | None] = UNSET,
    max_score: Maybe[int | None] = UNSET,
    enrollment_id: int | None = None,
    expected_version: Expected | None = None,
) -> CourseProgress:
    """A learner's result reported from outside (Skilljar's progress PUT/PATCH): a completion
    date passes the course, a null one takes a passed course back to under way (or not started
    if it never was); ``score`` out of ``max_score`` is kept as a percentage. Opens the record
    when the enrollment predates it. Only what is given changes. With ``enrollment_id`` and
    ``expected_version`` (an If-Match on the enrollment's progress) both are locked and checked
    first (``require_enrollment``)."""
    if enrollment_id is not None:
        require_enrollment(
            session, ctx, enrollment_id=enrollment_id, expected_version=expected_version
        )
    percentage = _percentage(score, max_score)
    record = find_course_progress(session, ctx, user_id=user_id, course_id=course_id)
    if record is None:  # enrolled before records were opened: open it now
        record = create_course_progress(session, ctx, user_id=user_id, course_id=course_id)
    status: Maybe[str] = UNSET
    completed: Maybe[datetime | None] = UNSET
    if is_set(completed_at):
        if completed_at is not None:
            status, completed = ProgressStatus.PASSED.value, completed_at
        elif record.status is ProgressStatus.PASSED:
            started = record.started_at is not None
            status = (ProgressStatus.IN_PROGRESS if started else ProgressStatus.NOT_STARTED).value
    if not is_set(status) and not is_set(percentage):
        return record
    changes = CourseProgressChanges(status=status, completed_at=completed, score=percentage)
    return update_course_progress(session, ctx, progress_id=record.id, changes=changes)


def delete_course_progress(session: Session, ctx: Context, *, progress_id: int) -> None:
    """Delete the record with its item progress and attempts, and the user's direct enrollment
    in the course (in SkyPrep a course progress is the enrollment)."""
    progress = require_course_progress(session, ctx, progress_id)
    user_id, course_id = progress.user_id, progress.course_id
    session.delete(progress)
    session.flush()
    unenroll_users_from_courses(session, ctx, user_ids=[user_id], course_ids=[course_id])
    record_event(
        session,
        ctx,
        "course_progress.deleted",
        {"course_progress_id": progress_id, "user_id": user_id, "course_id": course_id},
    )
