"""Course progress as the Skilljar door shows it: batched reads for pages of enrollments,
users and paths, and a user's progress on a page of a course's lessons.

A page of enrollments names (user, course) pairs; its progress records, their completed-lesson
counts and a page of users' completion counts are each read with one query per 500 ids, never
one per row; a page of lessons' progress is one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, case, func
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import chunks, possible_id, possible_ids
from syllabus.domain.courses import CourseItem, ItemType
from syllabus.domain.learning_paths import LearningPathItem
from syllabus.domain.progress import CourseProgress, ItemProgress, ItemStatus, ProgressStatus
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.queries.progress import ProgressRow

_p = CourseProgress.__table__.c
_ip = ItemProgress.__table__.c
_items = CourseItem.__table__.c
_path_items = LearningPathItem.__table__.c

_LESSONS_OF = scoped_select(ItemProgress).where(
    _ip.course_progress_id == bindparam("progress_id"),
    _ip.course_item_id.in_(bindparam("ids", expanding=True)),
)

_OF_USERS = scoped_select(CourseProgress).where(_p.user_id.in_(bindparam("ids", expanding=True)))
_OF_COURSES = scoped_select(CourseProgress).where(
    _p.course_id.in_(bindparam("ids", expanding=True))
)
_COMPLETED_LESSONS = (
    scoped_select(
        ItemProgress,
        _ip.course_progress_id,
        func.count().label("done"),
        func.sum(case((_items.mandatory.is_(True), 1), else_=0)).label("required"),
    )
    .join(CourseItem.__table__, _items.id == _ip.course_item_id)
    .where(
        _ip.course_progress_id.in_(bindparam("ids", expanding=True)),
        _ip.status == ItemStatus.PASSED.value,
        _items.item_type != ItemType.SECTION.value,
    )
    .group_by(_ip.course_progress_id)
)
_COMPLETIONS = (
    scoped_select(CourseProgress, _p.user_id, func.count().label("n"))
    .where(
        _p.user_id.in_(bindparam("ids", expanding=True)),
        _p.status == ProgressStatus.PASSED.value,
    )
    .group_by(_p.user_id)
)

_PATH_PROGRESS = (
    scoped_select(
        LearningPathItem,
        _path_items.path_id,
        func.sum(case((_p.status == ProgressStatus.PASSED.value, 1), else_=0)).label("passed"),
        func.max(_p.completed_at).label("completed_at"),
        func.max(_p.updated_at).label("updated_at"),
    )
    .join(
        CourseProgress.__table__,
        (_p.course_id == _path_items.course_id)
        & (_p.tenant_id == _path_items.tenant_id)
        & (_p.user_id == bindparam("user_id")),
    )
    .where(_path_items.path_id.in_(bindparam("ids", expanding=True)))
    .group_by(_path_items.path_id)
)


@dataclass(frozen=True)
class ProgressView:
    """A course progress record with its completed lessons (sections are not lessons)."""

    id: int
    status: ProgressStatus
    completed_at: datetime | None
    updated_at: datetime
    score: int | None
    percent_viewed: int
    version: int = 1
    completed_lessons: int = 0
    completed_required_lessons: int = 0


ProgressByPair = dict[tuple[int, int], ProgressView]
"""Progress records by (user_id, course_id)."""


def skilljar_progress_for_pairs(
    session: Session, ctx: Context, pairs: Iterable[tuple[int, int]]
) -> ProgressByPair:
    """The progress records of (user_id, course_id) pairs, with completed-lesson counts.

    Reads by whichever side has fewer distinct ids (a user's courses: by user; a course's
    learners: by course), then one grouped count of passed lessons.
    """
    wanted = {(u, c) for u, c in pairs}
    users = sorted(set(possible_ids([u for u, _ in wanted])))
    courses = sorted(set(possible_ids([c for _, c in wanted])))
    if not users or not courses:
        return {}
    statement, ids = (_OF_USERS, users) if len(users) <= len(courses) else (_OF_COURSES, courses)
    rows: dict[tuple[int, int], ProgressRow] = {}
    for part in chunks(ids):
        for row in execute_scoped(session, ctx.tenant_id, statement, {"ids": list(part)}):
            if (row.user_id, row.course_id) in wanted:
                rows[(row.user_id, row.course_id)] = row
    done: dict[int, tuple[int, int]] = {}
    for part in chunks(sorted(r.id for r in rows.values())):
        params = {"ids": list(part)}
        for row in execute_scoped(session, ctx.tenant_id, _COMPLETED_LESSONS, params):
            done[row.course_progress_id] = (int(row.done), int(row.required or 0))
    return {
        pair: ProgressView(
            id=row.id,
            status=ProgressStatus(row.status),
            completed_at=row.completed_at,
            updated_at=row.updated_at,
            score=row.score,
            percent_viewed=row.percent_viewed,
            version=row.version,
            completed_lessons=done.get(row.id, (0, 0))[0],
            completed_required_lessons=done.get(row.id, (0, 0))[1],
        )
        for pair, row in rows.items()
    }


def skilljar_completion_counts(
    session: Session, ctx: Context, user_ids: Sequence[int]
) -> dict[int, int]:
    """Per user: how many courses they have passed."""
    counts: dict[int, int] = {}
    for part in chunks(sorted(set(possible_ids(user_ids)))):
        for row in execute_scoped(session, ctx.tenant_id, _COMPLETIONS, {"ids": list(part)}):
            counts[row.user_id] = int(row.n)
    return counts


@dataclass(frozen=True)
class PathProgress:
    """A user's progress through a path's courses: how many passed, the last completion and
    the last change of any of their records."""

    passed: int
    completed_at: datetime | None
    updated_at: datetime | None


def skilljar_path_progress(
    session: Session, ctx: Context, user_id: int, path_ids: Sequence[int]
) -> dict[int, PathProgress]:
    """Per path of one user's: their progress through its courses, one query per 500 paths."""
    found: dict[int, PathProgress] = {}
    for part in chunks(sorted(set(possible_ids(path_ids)))):
        params = {"ids": list(part), "user_id": user_id}
        for row in execute_scoped(session, ctx.tenant_id, _PATH_PROGRESS, params):
            found[row.path_id] = PathProgress(
                int(row.passed or 0), row.completed_at, row.updated_at
            )
    return found


def skilljar_lesson_progress(
    session: Session, ctx: Context, progress_id: int | None, item_ids: Iterable[int]
) -> dict[int, ProgressRow]:
    """The item progress rows of one course progress record, by course item id."""
    if progress_id is None or not possible_id(progress_id):
        return {}
    found: dict[int, ProgressRow] = {}
    for part in chunks(sorted(set(possible_ids(item_ids)))):
        params = {"progress_id": progress_id, "ids": list(part)}
        for row in execute_scoped(session, ctx.tenant_id, _LESSONS_OF, params):
            found[row.course_item_id] = row
    return found
