"""Direct enrollment of users in courses, one at a time or many users by many courses at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.core.lookups import chunks, require, require_ids
from syllabus.core.validation import clean_aware_datetime, clean_ids
from syllabus.domain.courses import Course, PublishedCourse
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.tenants import Domain, DomainMembership
from syllabus.domain.users import User
from syllabus.services.bulk import insert_new_rows
from syllabus.services.events import record_events
from syllabus.services.progress_records import close_course_progresses, open_course_progresses
from syllabus.services.publications import publish_course
from syllabus.services.tenants import primary_domain

MAX_PAIRS = 5_000_000
"""A guard against a typo enrolling a whole program into every course in one request."""


@dataclass
class EnrollmentResult:
    created: list[tuple[int, int, int]] = field(default_factory=list)
    """(enrollment_id, user_id, course_id) of each new enrollment."""
    already_enrolled: int = 0
    """Pairs that were enrolled before the call; left unchanged."""


def enroll_users_in_courses(
    session: Session,
    ctx: Context,
    *,
    user_ids: Sequence[int],
    course_ids: Sequence[int],
    domain_id: int | None = None,
    expires_at: datetime | None = None,
) -> EnrollmentResult:
    """Enroll every user in every course, set-based; pairs already enrolled are left alone.

    Enrollment is into each course's publication on ``domain_id`` (default: the program's
    first domain, where SkyPrep enrollments live); a course not yet published there is
    published first. Unknown ids fail the whole call, naming them.
    """
    users = clean_ids(user_ids, "user_ids")
    courses = clean_ids(course_ids, "course_ids")
    if len(users) * len(courses) > MAX_PAIRS:
        raise Invalid("user_ids", f"at most {MAX_PAIRS} user-course pairs per call")
    expires = clean_aware_datetime(expires_at, "expires_at")
    if not users or not courses:
        return EnrollmentResult()
    require_ids(session, ctx, User, users, field="user_ids", entity="user")
    require_ids(session, ctx, Course, courses, field="course_ids", entity="course")
    domain = (
        require(session, ctx, Domain, domain_id, field="domain_id")
        if domain_id
        else primary_domain(session, ctx)
    )
    publications = _publications(session, ctx, domain.id, courses)

    now = utcnow()
    result = EnrollmentResult()
    rows = [
        {
            "tenant_id": ctx.tenant_id,
            "user_id": user_id,
            "published_course_id": publications[course_id],
            "course_id": course_id,
            "enrolled_at": now,
            "expires_at": expires,
            "active": True,
        }
        for course_id in courses
        for user_id in users
    ]
    for part in chunks(rows, 10_000):
        created = insert_new_rows(
            session,
            Enrollment,
            part,
            unique=("published_course_id", "user_id"),
            returning=("id", "user_id", "course_id"),
        )
        result.created.extend((r.id, r.user_id, r.course_id) for r in created)
    result.already_enrolled = len(rows) - len(result.created)
    _ensure_domain_members(session, ctx, domain.id, users, now)
    open_course_progresses(session, ctx, user_ids=users, course_ids=courses, enrolled_at=now)
    record_events(
        session,
        ctx,
        "enrollment.created",
        [
            {
                "enrollment_id": e,
                "user_id": u,
                "course_id": c,
                "published_course_id": publications[c],
                "domain_id": domain.id,
            }
            for e, u, c in result.created
        ],
    )
    return result


def _publications(
    session: Session, ctx: Context, domain_id: int, courses: list[int]
) -> dict[int, int]:
    found: dict[int, int] = {}
    for part in chunks(courses):
        found.update(
            session.execute(
                select(PublishedCourse.course_id, PublishedCourse.id).where(
                    PublishedCourse.tenant_id == ctx.tenant_id,
                    PublishedCourse.domain_id == domain_id,
                    PublishedCourse.course_id.in_(part),
                )
            ).all()
        )
    for course_id in courses:
        if course_id not in found:
            found[course_id] = publish_course(
                session, ctx, course_id=course_id, domain_id=domain_id
            ).id
    return found


def _ensure_domain_members(
    session: Session, ctx: Context, domain_id: int, users: list[int], now: datetime
) -> None:
    """Enrolling on a domain makes the user a member of it (Skilljar requires membership)."""
    for part in chunks(users, 10_000):
        insert_new_rows(
            session,
            DomainMembership,
            [
                {
                    "tenant_id": ctx.tenant_id,
                    "domain_id": domain_id,
                    "user_id": u,
                    "active": True,
                    "enrolled_at": now,
                }
                for u in part
            ],
            unique=("domain_id", "user_id"),
        )


def unenroll_users_from_courses(
    session: Session,
    ctx: Context,
    *,
    user_ids: Sequence[int],
    course_ids: Sequence[int],
) -> list[tuple[int, int, int]]:
    """Remove direct enrollments on every domain; return (enrollment, user, course) ids.

    Access a user has through a group or a learning path is not direct and is not touched.
    """
    users = clean_ids(user_ids, "user_ids")
    courses = clean_ids(course_ids, "course_ids")
    require_ids(session, ctx, User, users, field="user_ids", entity="user")
    require_ids(session, ctx, Course, courses, field="course_ids", entity="course")
    removed: list[tuple[int, int, int]] = []
    for user_part in chunks(users):
        rows = session.execute(
            select(Enrollment.id, Enrollment.user_id, Enrollment.course_id).where(
                Enrollment.tenant_id == ctx.tenant_id,
                Enrollment.user_id.in_(user_part),
                Enrollment.course_id.in_(courses),
            )
        ).all()
        removed.extend((r.id, r.user_id, r.course_id) for r in rows)
    for part in chunks([r[0] for r in removed]):
        session.execute(
            delete(Enrollment).where(Enrollment.tenant_id == ctx.tenant_id, Enrollment.id.in_(part))
        )
    close_course_progresses(session, ctx, pairs=[(u, c) for _, u, c in removed])
    record_events(
        session,
        ctx,
        "enrollment.removed",
        [{"enrollment_id": e, "user_id": u, "course_id": c} for e, u, c in removed],
    )
    return removed
