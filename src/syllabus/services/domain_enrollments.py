"""Enrollment in one publication (Skilljar's published course), idempotent for the same user.

The official route requires the user to be registered on the publication's domain; the
guide's route names a course, which must be published somewhere in the program.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid, NotFound
from syllabus.core.fields import UNSET, Maybe, is_set
from syllabus.core.lookups import require
from syllabus.core.validation import clean_aware_datetime
from syllabus.core.versions import Expected, Version, check_version, with_part
from syllabus.domain.courses import Course, PublishedCourse
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.progress import CourseProgress
from syllabus.domain.tenants import Domain
from syllabus.domain.users import User
from syllabus.services.domain_users import membership
from syllabus.services.enrollments import enroll_users_in_courses
from syllabus.services.events import record_event
from syllabus.services.locking import require_locked


@dataclass(frozen=True)
class EnrollmentChanges:
    active: Maybe[bool] = UNSET
    expires_at: Maybe[datetime | None] = UNSET


def _existing(session: Session, ctx: Context, pc_id: int, user_id: int) -> Enrollment | None:
    return session.scalars(
        select(Enrollment).where(
            Enrollment.tenant_id == ctx.tenant_id,
            Enrollment.published_course_id == pc_id,
            Enrollment.user_id == user_id,
        )
    ).first()


def enroll_in_publication(
    session: Session,
    ctx: Context,
    *,
    published_course_id: int,
    user_id: int,
    expires_at: datetime | None = None,
    active: bool = True,
    require_member: bool = True,
) -> tuple[Enrollment, bool]:
    """Enroll the user; returns the enrollment and whether it is new (else it is left as is).
    A new enrollment given ``active=False`` is created, then suspended (enrollment.updated)."""
    publication = require(session, ctx, PublishedCourse, published_course_id, field="pc")
    require(session, ctx, User, user_id, field="user")
    if require_member:
        try:
            membership(session, ctx, publication.domain_id, user_id)
        except NotFound:
            raise Invalid("user", "User is not registered on this domain.") from None
    found = _existing(session, ctx, publication.id, user_id)
    if found is not None:
        return found, False
    enroll_users_in_courses(
        session,
        ctx,
        user_ids=[user_id],
        course_ids=[publication.course_id],
        domain_id=publication.domain_id,
        expires_at=expires_at,
    )
    created = _existing(session, ctx, publication.id, user_id)
    assert created is not None
    if not active:
        created = update_enrollment(
            session, ctx, enrollment_id=created.id, changes=EnrollmentChanges(active=False)
        )
    return created, True


def enroll_in_course(
    session: Session, ctx: Context, *, user_id: int, course_id: int
) -> tuple[Enrollment, bool]:
    """The guide's enrollment by course: into its publication on the first domain it is on."""
    course = require(session, ctx, Course, course_id, field="course_id")
    publication = session.scalar(
        select(PublishedCourse.id)
        .join(Domain, Domain.id == PublishedCourse.domain_id)
        .where(PublishedCourse.tenant_id == ctx.tenant_id, PublishedCourse.course_id == course.id)
        .order_by(Domain.position, PublishedCourse.id)
        .limit(1)
    )
    if publication is None or not course.active:
        raise Invalid("course_id", "Course is not published.")
    return enroll_in_publication(
        session, ctx, published_course_id=publication, user_id=user_id, require_member=False
    )


def enrollment_version(enrollment_version: int, progress: tuple[int, int] | None) -> Version:
    """An enrollment (and a user's progress in a published course) shows the enrollment and
    the user's progress record in its course: ``progress`` is that record's id and version."""
    return with_part(enrollment_version, *(progress or (None, None)))


def require_enrollment(
    session: Session, ctx: Context, *, enrollment_id: int, expected_version: Expected | None
) -> Enrollment:
    """The enrollment a write changes. With an expected version (``enrollment_version``) the
    enrollment and its progress record are locked first and checked: PreconditionFailed when
    either moved since."""
    if expected_version is None:
        return require(session, ctx, Enrollment, enrollment_id, field="enrollment_id")
    enrollment = require_locked(session, ctx, Enrollment, enrollment_id, field="enrollment_id")
    record = session.scalars(
        select(CourseProgress)
        .where(
            CourseProgress.tenant_id == ctx.tenant_id,
            CourseProgress.user_id == enrollment.user_id,
            CourseProgress.course_id == enrollment.course_id,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    shown = (record.id, record.version) if record is not None else None
    check_version(expected_version, enrollment_version(enrollment.version, shown))
    return enrollment


def update_enrollment(
    session: Session,
    ctx: Context,
    *,
    enrollment_id: int,
    changes: EnrollmentChanges,
    expected_version: Expected | None = None,
) -> Enrollment:
    """With ``expected_version`` see ``require_enrollment``."""
    enrollment = require_enrollment(
        session, ctx, enrollment_id=enrollment_id, expected_version=expected_version
    )
    changed = []
    if is_set(changes.active) and enrollment.active != bool(changes.active):
        enrollment.active = bool(changes.active)
        changed.append("active")
    if is_set(changes.expires_at):
        expires = clean_aware_datetime(changes.expires_at, "expires_at")
        if enrollment.expires_at != expires:
            enrollment.expires_at = expires
            changed.append("expires_at")
    if changed:
        session.flush()
        record_event(
            session,
            ctx,
            "enrollment.updated",
            {"enrollment_id": enrollment.id, "user_id": enrollment.user_id, "changed": changed},
        )
    return enrollment
