"""Mass enrollment: many users into courses, groups and learning paths in one call, all or none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import NotFoundMany
from syllabus.core.lookups import missing_ids
from syllabus.core.validation import clean_ids, clean_text
from syllabus.domain.courses import Course
from syllabus.domain.groups import Group
from syllabus.domain.learning_paths import LearningPath
from syllabus.domain.users import User
from syllabus.queries.users import user_ids_by_emails
from syllabus.services.enrollments import EnrollmentResult, enroll_users_in_courses
from syllabus.services.groups import add_users_to_group
from syllabus.services.learning_paths import add_users_to_learning_path

MAX_EMAIL = 254


@dataclass
class MassEnrollmentResult:
    courses: EnrollmentResult = field(default_factory=EnrollmentResult)
    group_members_added: dict[int, list[int]] = field(default_factory=dict)
    """Per group, the user ids that joined it in this call."""
    path_users_added: dict[int, list[int]] = field(default_factory=dict)
    """Per learning path, the user ids enrolled in it in this call."""


def mass_enroll(
    session: Session,
    ctx: Context,
    *,
    user_ids: Sequence[int] = (),
    user_emails: Sequence[str] = (),
    course_ids: Sequence[int] = (),
    group_ids: Sequence[int] = (),
    learning_path_ids: Sequence[int] = (),
) -> MassEnrollmentResult:
    """Enroll every user (by id or email) in every course, group and learning path; pairs
    already linked stay as they are.

    Every email and id is checked before anything is written: if any is unknown, nothing is
    applied and NotFoundMany names every unknown one, of every kind.
    """
    users = clean_ids(user_ids, "user_ids")
    emails = [clean_text(e, "user_emails", max_length=MAX_EMAIL) or "" for e in user_emails]
    courses = clean_ids(course_ids, "course_ids")
    groups = clean_ids(group_ids, "group_ids")
    paths = clean_ids(learning_path_ids, "learning_path_ids")
    missing: dict[str, tuple[str, Sequence[object]]] = {}
    by_email, unknown_emails = user_ids_by_emails(session, ctx, [e for e in emails if e])
    for field_name, entity, unknown in (
        ("user_emails", "user", unknown_emails),
        ("user_ids", "user", missing_ids(session, ctx, User, users)),
        ("course_ids", "course", missing_ids(session, ctx, Course, courses)),
        ("group_ids", "group", missing_ids(session, ctx, Group, groups)),
        ("learning_path_ids", "learning_path", missing_ids(session, ctx, LearningPath, paths)),
    ):
        if unknown:
            missing[field_name] = (entity, unknown)
    if missing:
        raise NotFoundMany(missing)
    users = list(dict.fromkeys([*by_email, *users]))
    result = MassEnrollmentResult()
    if not users:
        return result
    if courses:
        result.courses = enroll_users_in_courses(session, ctx, user_ids=users, course_ids=courses)
    for group_id in groups:  # one set-based insert per group
        result.group_members_added[group_id] = add_users_to_group(
            session, ctx, group_id=group_id, user_ids=users
        )
    for path_id in paths:  # one set-based insert per path
        result.path_users_added[path_id] = add_users_to_learning_path(
            session, ctx, path_id=path_id, user_ids=users
        )
    return result
