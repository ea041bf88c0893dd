"""Which courses can a user access, and why: direct enrollment, a group, or a learning path."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Integer, literal, null, select, union_all
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import possible_id
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.groups import GroupCourse, GroupMembership
from syllabus.domain.learning_paths import LearningPathGroup, LearningPathItem, LearningPathUser

NO_GROUP = sql_cast(null(), Integer)
"""A typed NULL: PostgreSQL resolves an untyped NULL in a UNION's first branch as text."""


class Via(enum.StrEnum):
    DIRECT = "direct"
    GROUP = "group"
    LEARNING_PATH = "learning_path"
    GROUP_LEARNING_PATH = "group_learning_path"


@dataclass(frozen=True, order=True)
class Reason:
    via: Via
    source_id: int
    """The enrollment, group or learning path that grants access."""
    group_id: int | None = None
    """For GROUP_LEARNING_PATH: the group through which the path reached the user."""


@dataclass
class CourseAccess:
    course_id: int
    reasons: list[Reason] = field(default_factory=list)


def course_access(session: Session, ctx: Context, user_id: int) -> list[CourseAccess]:
    """The union of the three ways in, in one query; ordered by course id."""
    if not possible_id(user_id):
        return []
    t = ctx.tenant_id
    direct = select(
        Enrollment.course_id.label("course_id"),
        literal(Via.DIRECT.value).label("via"),
        Enrollment.id.label("source_id"),
        NO_GROUP.label("group_id"),
    ).where(Enrollment.tenant_id == t, Enrollment.user_id == user_id, Enrollment.active.is_(True))
    by_group = (
        select(
            GroupCourse.course_id,
            literal(Via.GROUP.value),
            GroupCourse.group_id,
            NO_GROUP,
        )
        .join(GroupMembership, GroupMembership.group_id == GroupCourse.group_id)
        .where(
            GroupCourse.tenant_id == t,
            GroupMembership.tenant_id == t,
            GroupMembership.user_id == user_id,
        )
    )
    by_path = (
        select(
            LearningPathItem.course_id,
            literal(Via.LEARNING_PATH.value),
            LearningPathItem.path_id,
            NO_GROUP,
        )
        .join(LearningPathUser, LearningPathUser.path_id == LearningPathItem.path_id)
        .where(
            LearningPathItem.tenant_id == t,
            LearningPathUser.tenant_id == t,
            LearningPathUser.user_id == user_id,
            LearningPathUser.active.is_(True),
        )
    )
    by_group_path = (
        select(
            LearningPathItem.course_id,
            literal(Via.GROUP_LEARNING_PATH.value),
            LearningPathItem.path_id,
            LearningPathGroup.group_id,
        )
        .join(LearningPathGroup, LearningPathGroup.path_id == LearningPathItem.path_id)
        .join(GroupMembership, GroupMembership.group_id == LearningPathGroup.group_id)
        .where(
            LearningPathItem.tenant_id == t,
            LearningPathGroup.tenant_id == t,
            GroupMembership.tenant_id == t,
            GroupMembership.user_id == user_id,
        )
    )
    rows: list[Any] = list(session.execute(union_all(direct, by_group, by_path, by_group_path)))
    grouped: dict[int, list[Reason]] = defaultdict(list)
    for row in rows:
        course_id, via, source_id, group_id = cast(tuple[int, str, int, int | None], tuple(row))
        grouped[course_id].append(Reason(Via(via), source_id, group_id))
    return [
        CourseAccess(course_id, sorted(set(reasons)))
        for course_id, reasons in sorted(grouped.items())
    ]


def accessible_course_ids(session: Session, ctx: Context, user_id: int) -> set[int]:
    return {access.course_id for access in course_access(session, ctx, user_id)}
