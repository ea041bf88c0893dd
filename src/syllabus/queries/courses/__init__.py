"""The courses aggregate's reads: keyset pages of courses with their tags and items, a
constant number of queries per page (one for the courses, one for their tags, one for their
items), as SkyPrep shows them; ``skilljar`` beside this module holds the Skilljar door's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, bindparam
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import MAX_ID, chunks, possible_id, possible_ids
from syllabus.domain.courses import Course, CourseItem, CourseTag
from syllabus.domain.tenancy import execute_scoped, scoped_select

MAX_PAGE = 1000

_courses = Course.__table__.c
_tags = CourseTag.__table__.c
_items = CourseItem.__table__.c
_PAGE = (
    scoped_select(Course)
    .where(_courses.id > bindparam("after_id"))
    .order_by(_courses.id)
    .limit(bindparam("limit"))
)
_BY_IDS = scoped_select(Course).where(_courses.id.in_(bindparam("ids", expanding=True)))
_TAGS = (
    scoped_select(CourseTag, _tags.course_id, _tags.tag)
    .where(_tags.course_id.in_(bindparam("ids", expanding=True)))
    .order_by(_tags.course_id, _tags.position, _tags.id)
)
_ITEMS = (
    scoped_select(CourseItem)
    .where(_items.course_id.in_(bindparam("ids", expanding=True)))
    .order_by(_items.course_id, _items.position, _items.id)
)

CourseRow = Row[Any]
"""The courses aggregate's row type: a course, course item or publication row, with
attribute access by column name."""
ItemRow = Row[Any]


@dataclass
class CourseDetail:
    """A course row with its tags and its items, both in the author's order."""

    course: CourseRow
    tags: list[str] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)


def _details(session: Session, ctx: Context, rows: Sequence[CourseRow]) -> list[CourseDetail]:
    details = [CourseDetail(row) for row in rows]
    if not details:
        return details
    ids = [row.id for row in rows]
    tags: dict[int, list[str]] = defaultdict(list)
    items: dict[int, list[ItemRow]] = defaultdict(list)
    for part in chunks(ids):
        for tag in execute_scoped(session, ctx.tenant_id, _TAGS, {"ids": list(part)}):
            tags[tag.course_id].append(tag.tag)
        for item in execute_scoped(session, ctx.tenant_id, _ITEMS, {"ids": list(part)}):
            items[item.course_id].append(item)
    for detail in details:
        detail.tags = tags.get(detail.course.id, [])
        detail.items = items.get(detail.course.id, [])
    return details


def list_courses_page(
    session: Session, ctx: Context, *, after_id: int | None = None, limit: int = 100
) -> list[CourseDetail]:
    """A keyset page of the program's courses in id order, with tags and items."""
    bounds = {"after_id": max(0, min(after_id or 0, MAX_ID)), "limit": max(1, min(limit, MAX_PAGE))}
    rows = execute_scoped(session, ctx.tenant_id, _PAGE, bounds).all()
    return _details(session, ctx, rows)


def get_courses(session: Session, ctx: Context, course_ids: Sequence[int]) -> list[CourseDetail]:
    """The program's courses among ``course_ids``, in id order; unknown ids are skipped."""
    ids = sorted(set(possible_ids(course_ids)))
    rows: list[CourseRow] = []
    for part in chunks(ids):
        rows.extend(execute_scoped(session, ctx.tenant_id, _BY_IDS, {"ids": list(part)}))
    rows.sort(key=lambda row: row.id)
    return _details(session, ctx, rows)


def get_course(session: Session, ctx: Context, course_id: int) -> CourseDetail | None:
    if not possible_id(course_id):
        return None
    found = get_courses(session, ctx, [course_id])
    return found[0] if found else None


_COURSE_EXISTS = scoped_select(Course, Course.__table__.c.id).where(
    Course.__table__.c.id == bindparam("course_id")
)


def course_exists(session: Session, ctx: Context, course_id: int) -> bool:
    if not possible_id(course_id):
        return False
    found = execute_scoped(session, ctx.tenant_id, _COURSE_EXISTS, {"course_id": course_id})
    return found.first() is not None
