"""Enrollments as the Skilljar door shows them: with their course, publication and domain, and
the user's identity columns; keyset listings of a user's or a publication's, single rows.

Each list is one keyset query (its lesson counts are the courses queries').
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import possible_id
from syllabus.domain.courses import Course, PublishedCourse
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.tenants import Domain
from syllabus.domain.users import User
from syllabus.queries.pages import Listing

_enrollments = Enrollment.__table__.c
_published = PublishedCourse.__table__.c
_domains = Domain.__table__.c
_courses = Course.__table__.c
_users = User.__table__.c

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

EnrollmentRow = Row[Any]
"""The enrollments aggregate's row type: an enrollment with domain_id, domain_name,
course_name and the user's identity columns."""


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
