"""Courses, lessons, paths and publications as REST views: keyset listings and single rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import chunks, possible_id, possible_ids
from syllabus.domain.courses import Course, CourseItem, CourseTag, PublishedCourse
from syllabus.domain.learning_paths import (
    LearningPath,
    LearningPathItem,
    LearningPathUser,
    PublishedPath,
)
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.users import User
from syllabus.queries.pages import Listing

_courses = Course.__table__.c
_tags = CourseTag.__table__.c
_items = CourseItem.__table__.c
_paths = LearningPath.__table__.c
_path_items = LearningPathItem.__table__.c
_published = PublishedCourse.__table__.c
PATH_COLUMNS = (
    _paths.name.label("path_name"),
    _paths.description.label("path_description"),
    _paths.long_description_html.label("path_long_description_html"),
    _paths.header_html.label("path_header_html"),
    _paths.course_name_singular.label("path_course_name_singular"),
    _paths.course_name_plural.label("path_course_name_plural"),
    _paths.picture_url.label("path_picture_url"),
)

COURSES = Listing(scoped_select(Course), _courses.id)
LESSONS = Listing(
    scoped_select(CourseItem),
    _items.id,
    {"course_id": lambda: _items.course_id == bindparam("course_id")},
)
PATHS = Listing(scoped_select(LearningPath), _paths.id)
PATH_ITEMS = Listing(
    scoped_select(LearningPathItem, *_path_items, _courses.name.label("course_name")).join(
        Course.__table__, _courses.id == _path_items.course_id
    ),
    _path_items.id,
    {"path_id": lambda: _path_items.path_id == bindparam("path_id")},
)
PUBLISHED_COURSES = Listing(
    scoped_select(PublishedCourse, *_published, _courses.name.label("course_name")).join(
        Course.__table__, _courses.id == _published.course_id
    ),
    _published.id,
    {
        "domain_id": lambda: _published.domain_id == bindparam("domain_id"),
        "course_id": lambda: _published.course_id == bindparam("course_id"),
    },
)

_COURSE = scoped_select(Course).where(_courses.id == bindparam("row_id"))
_LESSON = scoped_select(CourseItem).where(_items.id == bindparam("row_id"))
_PATH = scoped_select(LearningPath).where(_paths.id == bindparam("row_id"))
_PUBLISHED = PUBLISHED_COURSES.base.where(_published.id == bindparam("row_id"))
_TAGS = (
    scoped_select(CourseTag, _tags.course_id, _tags.tag)
    .where(_tags.course_id.in_(bindparam("ids", expanding=True)))
    .order_by(_tags.course_id, _tags.position, _tags.id)
)
_STATEMENTS = {"course": _COURSE, "lesson": _LESSON, "path": _PATH, "published": _PUBLISHED}


def get_row(session: Session, ctx: Context, what: str, row_id: int) -> Row[Any] | None:
    """One row of a view by id: course, lesson, path, published (course), published_path,
    path_enrollment."""
    if not possible_id(row_id):
        return None
    return execute_scoped(session, ctx.tenant_id, _STATEMENTS[what], {"row_id": row_id}).first()


def course_tags(session: Session, ctx: Context, course_ids: Sequence[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = defaultdict(list)
    for part in chunks(sorted(set(possible_ids(course_ids)))):
        for row in execute_scoped(session, ctx.tenant_id, _TAGS, {"ids": list(part)}):
            tags[row.course_id].append(row.tag)
    return tags


_published_paths = PublishedPath.__table__.c
_path_users = LearningPathUser.__table__.c
_people = User.__table__.c

PUBLISHED_PATHS = Listing(
    scoped_select(PublishedPath, *_published_paths, *PATH_COLUMNS).join(
        LearningPath.__table__, _paths.id == _published_paths.path_id
    ),
    _published_paths.id,
    {"domain_id": lambda: _published_paths.domain_id == bindparam("domain_id")},
)
PATH_ENROLLMENTS = Listing(
    scoped_select(
        LearningPathUser, *_path_users, _people.email, _people.first_name, _people.last_name
    ).join(User.__table__, _people.id == _path_users.user_id),
    _path_users.id,
    {"path_id": lambda: _path_users.path_id == bindparam("path_id")},
)
_PUBLISHED_PATH = PUBLISHED_PATHS.base.where(_published_paths.id == bindparam("row_id"))
_PATH_ENROLLMENT = PATH_ENROLLMENTS.base.where(_path_users.id == bindparam("row_id"))
_STATEMENTS["published_path"] = _PUBLISHED_PATH
_STATEMENTS["path_enrollment"] = _PATH_ENROLLMENT

_PUBLICATIONS_OF = scoped_select(PublishedCourse).where(
    _published.domain_id == bindparam("domain_id"),
    _published.course_id.in_(bindparam("ids", expanding=True)),
)


def publications_by_course(
    session: Session, ctx: Context, domain_id: int, course_ids: Sequence[int]
) -> dict[int, Row[Any]]:
    """The publication of each course on one domain (courses not published there are absent)."""
    found: dict[int, Row[Any]] = {}
    for part in chunks(sorted(set(possible_ids(course_ids)))):
        params = {"domain_id": domain_id, "ids": list(part)}
        for row in execute_scoped(session, ctx.tenant_id, _PUBLICATIONS_OF, params):
            found[row.course_id] = row
    return found
