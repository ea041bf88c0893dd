"""Opening and closing course progress records as users are enrolled and unenrolled, and the
status transitions every path (admin update, item roll-up) shares with their events.

Kept apart from services/progress.py so that the enrollments service can open records without
importing the module that enrolls (create_course_progress enrolls through it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.lookups import chunks
from syllabus.domain.courses import Course
from syllabus.domain.progress import CourseProgress, EnrollmentStatus, ProgressStatus
from syllabus.services.bulk import insert_new_rows
from syllabus.services.certificates import issue_certificate, revoke_certificates
from syllabus.services.events import record_event

CHUNK = 10_000


def open_course_progresses(
    session: Session,
    ctx: Context,
    *,
    user_ids: Sequence[int],
    course_ids: Sequence[int],
    enrolled_at: datetime | None = None,
) -> int:
    """Open a not-started record for every (user, course) pair that has none; set-based.

    Re-enrolling is idempotent: an existing record keeps its progress, and one left inactive
    by an unenrollment becomes active again. Ids are the caller's, already checked. Returns
    the number of records opened.
    """
    now = enrolled_at or utcnow()
    opened = 0
    for course_id in course_ids:
        for part in chunks(list(user_ids), CHUNK):
            rows = [
                {
                    "tenant_id": ctx.tenant_id,
                    "user_id": user_id,
                    "course_id": course_id,
                    "status": ProgressStatus.NOT_STARTED.value,
                    "enrollment_status": EnrollmentStatus.ACTIVE.value,
                    "enrolled_at": now,
                    "override_dates": False,
                    "skip_prerequisites": False,
                    "percent_viewed": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for user_id in part
            ]
            opened += len(
                insert_new_rows(
                    session,
                    CourseProgress,
                    rows,
                    unique=("user_id", "course_id"),
                    returning=("id",),
                )
            )
            _set_enrollment_status(
                session,
                ctx,
                course_id,
                part,
                EnrollmentStatus.ACTIVE,
                only=EnrollmentStatus.INACTIVE,
                now=now,
            )
    return opened


def close_course_progresses(
    session: Session, ctx: Context, *, pairs: Sequence[tuple[int, int]]
) -> None:
    """Unenrolled (user, course) pairs keep their records as history, marked inactive."""
    by_course: dict[int, list[int]] = defaultdict(list)
    for user_id, course_id in pairs:
        by_course[course_id].append(user_id)
    now = utcnow()
    for course_id, users in by_course.items():
        for part in chunks(users, CHUNK):
            _set_enrollment_status(
                session,
                ctx,
                course_id,
                part,
                EnrollmentStatus.INACTIVE,
                only=EnrollmentStatus.ACTIVE,
                now=now,
            )


def _set_enrollment_status(
    session: Session,
    ctx: Context,
    course_id: int,
    user_ids: Sequence[int],
    status: EnrollmentStatus,
    *,
    only: EnrollmentStatus,
    now: datetime,
) -> None:
    session.execute(
        update(CourseProgress)
        .where(
            CourseProgress.tenant_id == ctx.tenant_id,
            CourseProgress.course_id == course_id,
            CourseProgress.user_id.in_(list(user_ids)),
            CourseProgress.enrollment_status == only,
        )
        .values(enrollment_status=status, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def _payload(progress: CourseProgress) -> dict[str, object]:
    return {
        "course_progress_id": progress.id,
        "user_id": progress.user_id,
        "course_id": progress.course_id,
    }


def start_course(
    session: Session, ctx: Context, progress: CourseProgress, *, now: datetime
) -> None:
    """First activity: the course is under way (course.started, once)."""
    if progress.started_at is None:
        progress.started_at = now
        record_event(session, ctx, "course.started", _payload(progress))


def complete_course(
    session: Session,
    ctx: Context,
    progress: CourseProgress,
    *,
    course: Course,
    now: datetime,
    completed_at: datetime | None = None,
) -> None:
    """The course is passed: completion date, course.completed, and certificate.issued when
    the course awards one. Idempotent: a record already passed records nothing again."""
    start_course(session, ctx, progress, now=now)
    already = progress.status is ProgressStatus.PASSED
    progress.status = ProgressStatus.PASSED
    progress.completed_at = completed_at or progress.completed_at or now
    progress.percent_viewed = 100 if not already else progress.percent_viewed
    if already:
        return
    payload = _payload(progress)
    payload["completed_at"] = progress.completed_at.isoformat()
    payload["score"] = progress.score
    record_event(session, ctx, "course.completed", payload)
    certificate = issue_certificate(session, ctx, progress, course=course, now=now)
    if certificate is not None:
        record_event(
            session,
            ctx,
            "certificate.issued",
            {
                **_payload(progress),
                "certificate_id": certificate.id,
                "issued_at": certificate.issued_at.isoformat(),
                "expires_at": certificate.expires_at.isoformat()
                if certificate.expires_at
                else None,
            },
        )


def change_status(
    session: Session,
    ctx: Context,
    progress: CourseProgress,
    status: ProgressStatus,
    *,
    course: Course,
    now: datetime,
    completed_at: datetime | None = None,
) -> None:
    """Move a record to ``status``, keeping its dates consistent with it."""
    if status is ProgressStatus.PASSED:
        complete_course(session, ctx, progress, course=course, now=now, completed_at=completed_at)
        return
    if status in (ProgressStatus.IN_PROGRESS, ProgressStatus.FAILED):
        start_course(session, ctx, progress, now=now)
        _withdraw_completion(session, ctx, progress, now=now)
    elif status is ProgressStatus.NOT_STARTED:
        progress.started_at = None
        _withdraw_completion(session, ctx, progress, now=now)
    progress.status = status


def _withdraw_completion(
    session: Session, ctx: Context, progress: CourseProgress, *, now: datetime
) -> None:
    """No completion date any more; a completion that had one loses its certificate."""
    if progress.completed_at is not None:
        revoke_certificates(session, ctx, progress, now=now)
    progress.completed_at = None
