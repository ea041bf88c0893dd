"""Mass enrollment: many users into courses, groups and learning paths in one call, all or none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from syllabus.domain.courses import Course
from syllabus.domain.groups import Group
from syllabus.domain.learning_paths import LearningPath
from syllabus.domain.users import User
from syllabus.services.context import Context
from syllabus.services.enrollments import EnrollmentResult, enroll_users_in_courses
from syllabus.services.groups import add_users_to_group
from syllabus.services.learning_paths import add_users_to_learning_path
from syllabus.services.lookups import require_ids
from syllabus.services.validation import clean_ids


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
    user_ids: Sequence[int],
    course_ids: Sequence[int] = (),
    group_ids: Sequence[int] = (),
    learning_path_ids: Sequence[int] = (),
) -> MassEnrollmentResult:
    """Enroll every user in every course, group and learning path; pairs already linked stay.

    Every id is checked before anything is written: an unknown id of any kind fails the whole
    call with a NotFound naming every unknown id of that kind (users first, then courses,
    groups, learning paths).
    """
    users = clean_ids(user_ids, "user_ids")
    courses = clean_ids(course_ids, "course_ids")
    groups = clean_ids(group_ids, "group_ids")
    paths = clean_ids(learning_path_ids, "learning_path_ids")
    require_ids(session, ctx, User, users, field="user_ids", entity="user")
    require_ids(session, ctx, Course, courses, field="course_ids", entity="course")
    require_ids(session, ctx, Group, groups, field="group_ids", entity="group")
    require_ids(
        session, ctx, LearningPath, paths, field="learning_path_ids", entity="learning_path"
    )
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
