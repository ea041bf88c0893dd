"""Learning paths as the Skilljar door shows them: keyset listings of paths, their items,
their publications and their enrollments; single rows; course counts; a user's paths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam, func
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import chunks, possible_id, possible_ids
from syllabus.domain.courses import Course
from syllabus.domain.learning_paths import (
    LearningPath,
    LearningPathItem,
    LearningPathUser,
    PublishedPath,
)
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.users import User
from syllabus.queries.learning_paths import PathRow
from syllabus.queries.pages import Listing

_courses = Course.__table__.c
_paths = LearningPath.__table__.c
_path_items = LearningPathItem.__table__.c
_published_paths = PublishedPath.__table__.c
_path_users = LearningPathUser.__table__.c
_people = User.__table__.c

PATH_COLUMNS = (
    _paths.name.label("path_name"),
    _paths.description.label("path_description"),
    _paths.long_description_html.label("path_long_description_html"),
    _paths.header_html.label("path_header_html"),
    _paths.course_name_singular.label("path_course_name_singular"),
    _paths.course_name_plural.label("path_course_name_plural"),
    _paths.picture_url.label("path_picture_url"),
)

SKILLJAR_PATHS = Listing(scoped_select(LearningPath), _paths.id)
SKILLJAR_PATH_ITEMS = Listing(
    scoped_select(LearningPathItem, *_path_items, _courses.name.label("course_name")).join(
        Course.__table__, _courses.id == _path_items.course_id
    ),
    _path_items.id,
    {"path_id": lambda: _path_items.path_id == bindparam("path_id")},
)
SKILLJAR_PUBLISHED_PATHS = Listing(
    scoped_select(PublishedPath, *_published_paths, *PATH_COLUMNS).join(
        LearningPath.__table__, _paths.id == _published_paths.path_id
    ),
    _published_paths.id,
    {"domain_id": lambda: _published_paths.domain_id == bindparam("domain_id")},
)
SKILLJAR_PATH_ENROLLMENTS = Listing(
    scoped_select(
        LearningPathUser, *_path_users, _people.email, _people.first_name, _people.last_name
    ).join(User.__table__, _people.id == _path_users.user_id),
    _path_users.id,
    {"path_id": lambda: _path_users.path_id == bindparam("path_id")},
)

_PATH = scoped_select(LearningPath).where(_paths.id == bindparam("row_id"))
_PUBLISHED_PATH = SKILLJAR_PUBLISHED_PATHS.base.where(_published_paths.id == bindparam("row_id"))
_PATH_ENROLLMENT = SKILLJAR_PATH_ENROLLMENTS.base.where(_path_users.id == bindparam("row_id"))
_USER_PATHS = (
    scoped_select(
        LearningPathUser,
        *_path_users,
        _paths.name.label("path_name"),
    )
    .join(LearningPath.__table__, _paths.id == _path_users.path_id)
    .where(_path_users.user_id == bindparam("user_id"))
    .order_by(_path_users.id)
)
_COURSE_COUNTS = (
    scoped_select(LearningPathItem, _path_items.path_id, func.count().label("n"))
    .where(_path_items.path_id.in_(bindparam("ids", expanding=True)))
    .group_by(_path_items.path_id)
)


def _one(session: Session, ctx: Context, statement: Select[Any], row_id: int) -> PathRow | None:
    if not possible_id(row_id):
        return None
    return execute_scoped(session, ctx.tenant_id, statement, {"row_id": row_id}).first()


def skilljar_path(session: Session, ctx: Context, path_id: int) -> PathRow | None:
    return _one(session, ctx, _PATH, path_id)


def skilljar_published_path(session: Session, ctx: Context, published_id: int) -> PathRow | None:
    """A path's publication on a domain, with the path's own columns (``PATH_COLUMNS``)."""
    return _one(session, ctx, _PUBLISHED_PATH, published_id)


def skilljar_path_enrollment(session: Session, ctx: Context, enrollment_id: int) -> PathRow | None:
    """A user's enrollment in a path, with the user's identity columns."""
    return _one(session, ctx, _PATH_ENROLLMENT, enrollment_id)


def skilljar_user_path_enrollments(
    session: Session, ctx: Context, user_id: int
) -> Sequence[PathRow]:
    """All of one user's path enrollments, with the path's name."""
    if not possible_id(user_id):
        return []
    return execute_scoped(session, ctx.tenant_id, _USER_PATHS, {"user_id": user_id}).all()


def skilljar_path_course_counts(
    session: Session, ctx: Context, path_ids: Sequence[int]
) -> dict[int, int]:
    counts: dict[int, int] = {}
    for part in chunks(sorted(set(possible_ids(path_ids)))):
        for row in execute_scoped(session, ctx.tenant_id, _COURSE_COUNTS, {"ids": list(part)}):
            counts[row.path_id] = int(row.n)
    return counts
