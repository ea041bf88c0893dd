"""Courses, lessons and course publications as the Skilljar door shows them: keyset listings,
single rows, tags, lesson counts and a domain's publications of a page of courses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam, case, func
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import chunks, possible_id, possible_ids
from syllabus.domain.courses import Course, CourseItem, CourseTag, ItemType, PublishedCourse
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.queries.courses import CourseRow
from syllabus.queries.pages import Listing

_courses = Course.__table__.c
_tags = CourseTag.__table__.c
_items = CourseItem.__table__.c
_published = PublishedCourse.__table__.c

SKILLJAR_COURSES = Listing(scoped_select(Course), _courses.id)
SKILLJAR_LESSONS = Listing(
    scoped_select(CourseItem),
    _items.id,
    {"course_id": lambda: _items.course_id == bindparam("course_id")},
)
SKILLJAR_PUBLISHED_COURSES = Listing(
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
_PUBLISHED = SKILLJAR_PUBLISHED_COURSES.base.where(_published.id == bindparam("row_id"))
_TAGS = (
    scoped_select(CourseTag, _tags.course_id, _tags.tag)
    .where(_tags.course_id.in_(bindparam("ids", expanding=True)))
    .order_by(_tags.course_id, _tags.position, _tags.id)
)
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
_PUBLICATIONS_OF = scoped_select(PublishedCourse).where(
    _published.domain_id == bindparam("domain_id"),
    _published.course_id.in_(bindparam("ids", expanding=True)),
)


def _one(session: Session, ctx: Context, statement: Select[Any], row_id: int) -> CourseRow | None:
    if not possible_id(row_id):
        return None
    return execute_scoped(session, ctx.tenant_id, statement, {"row_id": row_id}).first()


def skilljar_course(session: Session, ctx: Context, course_id: int) -> CourseRow | None:
    return _one(session, ctx, _COURSE, course_id)


def skilljar_lesson(session: Session, ctx: Context, item_id: int) -> CourseRow | None:
    """A course item (lesson or section) by id."""
    return _one(session, ctx, _LESSON, item_id)


def skilljar_published_course(
    session: Session, ctx: Context, published_id: int
) -> CourseRow | None:
    """A course's publication on a domain, with the course's name."""
    return _one(session, ctx, _PUBLISHED, published_id)


def skilljar_course_tags(
    session: Session, ctx: Context, course_ids: Sequence[int]
) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = defaultdict(list)
    for part in chunks(sorted(set(possible_ids(course_ids)))):
        for row in execute_scoped(session, ctx.tenant_id, _TAGS, {"ids": list(part)}):
            tags[row.course_id].append(row.tag)
    return tags


def skilljar_lesson_counts(
    session: Session, ctx: Context, course_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """Per course: (lessons, required lessons); sections are not lessons."""
    counts: dict[int, tuple[int, int]] = {}
    for part in chunks(sorted(set(possible_ids(course_ids)))):
        for row in execute_scoped(session, ctx.tenant_id, _LESSON_COUNTS, {"ids": list(part)}):
            counts[row.course_id] = (int(row.lessons), int(row.required or 0))
    return counts


def skilljar_publications_by_course(
    session: Session, ctx: Context, domain_id: int, course_ids: Sequence[int]
) -> dict[int, CourseRow]:
    """The publication of each course on one domain (courses not published there are absent)."""
    found: dict[int, CourseRow] = {}
    for part in chunks(sorted(set(possible_ids(course_ids)))):
        params = {"domain_id": domain_id, "ids": list(part)}
        for row in execute_scoped(session, ctx.tenant_id, _PUBLICATIONS_OF, params):
            found[row.course_id] = row
    return found
