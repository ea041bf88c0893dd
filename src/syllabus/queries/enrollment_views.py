"""Enrollments as REST views: with their course, publication and domain, and lesson counts.

Each list is one keyset query plus one grouped count of lessons per page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam, case, func
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import chunks, possible_id, possible_ids
from syllabus.domain.courses import Course, CourseItem, ItemType, PublishedCourse
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.learning_paths import LearningPath, LearningPathItem, LearningPathUser
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.tenants import Domain
from syllabus.domain.users import User
from syllabus.queries.pages import Listing

_enrollments = Enrollment.__table__.c
_published = PublishedCourse.__table__.c
_domains = Domain.__table__.c
_courses = Course.__table__.c
_users = User.__table__.c
_items = CourseItem.__table__.c
_path_users = LearningPathUser.__table__.c
_paths = LearningPath.__table__.c
_path_items = LearningPathItem.__table__.c

_VIEW = (
    scoped_select(
        Enrollment,
        *_enrollments,
        _published.domain_id,
        _domains.name.label("domain_name"),
        _courses.name.label("course_name"),
        _users.email.label("user_email"),
        _users.first_name.label("user_first_name"),
        _users.last_name.label("user_last_name"),
    )
    .join(PublishedCourse.__table__, _published.id == _enrollments.published_course_id)
    .join(Domain.__table__, _domains.id == _published.domain_id)
    .join(Course.__table__, _courses.id == _enrollments.course_id)
    .join(User.__table__, _users.id == _enrollments.user_id)
)

OF_USER = Listing(
    _VIEW,
    _enrollments.id,
    {
        "user_id": lambda: _enrollments.user_id == bindparam("user_id"),
        "course_id": lambda: _enrollments.course_id == bindparam("course_id"),
    },
)
OF_PUBLICATION = Listing(
    _VIEW,
    _enrollments.id,
    {
        "published_course_id": lambda: (
            _enrollments.published_course_id == bindparam("published_course_id")
        )
    },
)
_ONE = _VIEW.where(_enrollments.id == bindparam("enrollment_id"))
_OF_USER_ALL = _VIEW.where(_enrollments.user_id == bindparam("user_id")).order_by(_enrollments.id)
_LESSON_COUNTS = (
    scoped_select(
        CourseItem,
        _items.course_id,
        func.count().label("lessons"),
        func.sum(case((_items.mandatory.is_(True), 1), else_=0)).label("required"),
    )
    .where(
        _items.course_id.in_(bindparam("ids", expanding=True)),
        _items.item_type != ItemType.SECTION.value,
    )
    .group_by(_items.course_id)
)
_PATH_ENROLLMENTS = (
    scoped_select(
        LearningPathUser,
        *_path_users,
        _paths.name.label("path_name"),
    )
    .join(LearningPath.__table__, _paths.id == _path_users.path_id)
    .where(_path_users.user_id == bindparam("user_id"))
    .order_by(_path_users.id)
)
_PATH_COURSE_COUNTS = (
    scoped_select(LearningPathItem, _path_items.path_id, func.count().label("n"))
    .where(_path_items.path_id.in_(bindparam("ids", expanding=True)))
    .group_by(_path_items.path_id)
)

EnrollmentRow = Row[Any]
"""An enrollment with domain_id, domain_name, course_name and the user's identity columns."""


def get_enrollment(session: Session, ctx: Context, enrollment_id: int) -> EnrollmentRow | None:
    if not possible_id(enrollment_id):
        return None
    params = {"enrollment_id": enrollment_id}
    return execute_scoped(session, ctx.tenant_id, _ONE, params).first()


def user_enrollments(session: Session, ctx: Context, user_id: int) -> Sequence[EnrollmentRow]:
    """All of one user's enrollments (a learner has tens, not thousands)."""
    if not possible_id(user_id):
        return []
    return execute_scoped(session, ctx.tenant_id, _OF_USER_ALL, {"user_id": user_id}).all()


def lesson_counts(
    session: Session, ctx: Context, course_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """Per course: (lessons, required lessons); sections are not lessons."""
    counts: dict[int, tuple[int, int]] = {}
    for part in chunks(sorted(set(possible_ids(course_ids)))):
        for row in execute_scoped(session, ctx.tenant_id, _LESSON_COUNTS, {"ids": list(part)}):
            counts[row.course_id] = (int(row.lessons), int(row.required or 0))
    return counts


def user_path_enrollments(session: Session, ctx: Context, user_id: int) -> Sequence[Row[Any]]:
    if not possible_id(user_id):
        return []
    return execute_scoped(session, ctx.tenant_id, _PATH_ENROLLMENTS, {"user_id": user_id}).all()


def path_course_counts(session: Session, ctx: Context, path_ids: Sequence[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for part in chunks(sorted(set(possible_ids(path_ids)))):
        for row in execute_scoped(session, ctx.tenant_id, _PATH_COURSE_COUNTS, {"ids": list(part)}):
            counts[row.path_id] = int(row.n)
    return counts
