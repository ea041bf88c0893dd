"""Courses, lessons, paths and publications as REST views: keyset listings and single rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam
from sqlalchemy.orm import Session

from syllabus.domain.courses import Course, CourseItem, CourseTag, PublishedCourse
from syllabus.domain.learning_paths import LearningPath, LearningPathItem
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.queries.pages import Listing
from syllabus.services.context import Context
from syllabus.services.lookups import chunks, possible_id, possible_ids

_courses = Course.__table__.c
_tags = CourseTag.__table__.c
_items = CourseItem.__table__.c
_paths = LearningPath.__table__.c
_path_items = LearningPathItem.__table__.c
_published = PublishedCourse.__table__.c

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
    """One course, lesson, path or published course (with ``course_name``) by id."""
    if not possible_id(row_id):
        return None
    return execute_scoped(session, ctx.tenant_id, _STATEMENTS[what], {"row_id": row_id}).first()


def course_tags(session: Session, ctx: Context, course_ids: Sequence[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = defaultdict(list)
    for part in chunks(sorted(set(possible_ids(course_ids)))):
        for row in execute_scoped(session, ctx.tenant_id, _TAGS, {"ids": list(part)}):
            tags[row.course_id].append(row.tag)
    return tags
