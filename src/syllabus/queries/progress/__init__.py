"""The progress aggregate's reads: filtered pages of course progress in a stable order (as
SkyPrep lists them), lookups, item progress resolution; ``skilljar`` beside this module holds
the Skilljar door's batched views.

Every page is one indexed query (tenant_id first) in an order with a unique tie-breaker (id):
- no date filter: id ascending (creation order; new records land at the end);
- updated_at filters: most recently updated first (updated_at, id descending);
- completion date filters: most recently completed first (completed_at, id descending).
A page can start after the last row of the previous one (keyset: depth costs nothing, and
records inserted or moved ahead of it shift nothing) or at an offset (page numbers).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, or_
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid, NotFound
from syllabus.core.lookups import possible_id
from syllabus.domain.base import UTCDateTime
from syllabus.domain.courses import CourseItem, ItemType
from syllabus.domain.progress import CourseProgress, ItemProgress
from syllabus.domain.tenancy import execute_scoped, scoped_select

MAX_PER_PAGE = 100
MAX_OFFSET = 2**62

_p = CourseProgress.__table__.c
_items = CourseItem.__table__.c
_ip = ItemProgress.__table__.c

ProgressRow = Row[Any]
"""The progress aggregate's row type: a course or item progress row, with attribute access by
column name."""


class ProgressOrder(enum.Enum):
    ID = "id"
    UPDATED = "updated_at"
    COMPLETED = "completed_at"


@dataclass(frozen=True)
class ProgressFilter:
    course_id: int | None = None
    user_id: int | None = None
    statuses: tuple[str, ...] = ()
    enrollment_statuses: tuple[str, ...] = ()
    completed_after: datetime | None = None
    completed_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None

    @property
    def order(self) -> ProgressOrder:
        """The list's order, which the date filters decide; mixing the two kinds is refused."""
        updated = self.updated_after is not None or self.updated_before is not None
        completed = self.completed_after is not None or self.completed_before is not None
        if updated and completed:
            raise Invalid(
                "updated_at_greater_than",
                "updated_at and completion_date filters cannot be used in the same request",
            )
        if updated:
            return ProgressOrder.UPDATED
        return ProgressOrder.COMPLETED if completed else ProgressOrder.ID


Key = tuple[Any, ...]
"""A row's position in its order: (id,) or (updated_at | completed_at, id)."""


def sort_key(row: ProgressRow, order: ProgressOrder) -> Key:
    return (row.id,) if order is ProgressOrder.ID else (getattr(row, order.value), row.id)


_FILTERS = (
    "course_id",
    "user_id",
    "statuses",
    "enrollment_statuses",
    "completed_after",
    "completed_before",
    "updated_after",
    "updated_before",
)
"""ProgressFilter's fields, each bound under its own name."""


@lru_cache(maxsize=1024)
def _page_statement(
    present: frozenset[str], order: ProgressOrder, keyset: bool, offset: bool
) -> Select[Any]:
    """The page's statement for one combination of filters given, built once and reused (so
    it is compiled and checked for its tenant scope once); values are bound per call."""
    statement = scoped_select(CourseProgress)
    conditions = {
        "course_id": _p.course_id == bindparam("course_id"),
        "user_id": _p.user_id == bindparam("user_id"),
        "statuses": _p.status.in_(bindparam("statuses", expanding=True)),
        "enrollment_statuses": _p.enrollment_status.in_(
            bindparam("enrollment_statuses", expanding=True)
        ),
        "completed_after": _p.completed_at > bindparam("completed_after", type_=UTCDateTime()),
        "completed_before": _p.completed_at < bindparam("completed_before", type_=UTCDateTime()),
        "updated_after": _p.updated_at > bindparam("updated_after", type_=UTCDateTime()),
        "updated_before": _p.updated_at < bindparam("updated_before", type_=UTCDateTime()),
    }
    for name in sorted(present):
        statement = statement.where(conditions[name])
    if order is ProgressOrder.ID:
        if keyset:
            statement = statement.where(_p.id > bindparam("after_id"))
        statement = statement.order_by(_p.id)
    else:
        column = _p[order.value]
        if keyset:
            moment = bindparam("after_at", type_=UTCDateTime())
            statement = statement.where(
                or_(column < moment, and_(column == moment, _p.id < bindparam("after_id")))
            )
        statement = statement.order_by(column.desc(), _p.id.desc())
    statement = statement.limit(bindparam("limit"))
    return statement.offset(bindparam("offset")) if offset else statement


def list_course_progresses(
    session: Session,
    ctx: Context,
    f: ProgressFilter,
    *,
    limit: int = MAX_PER_PAGE,
    after: Key | None = None,
    offset: int = 0,
) -> Sequence[ProgressRow]:
    """One page of the filtered records in the filter's order: after the row at ``after``
    (keyset) or from ``offset``. One query."""
    order = f.order
    params: dict[str, Any] = {"limit": max(1, min(limit, MAX_PER_PAGE))}
    for name in _FILTERS:
        value = getattr(f, name)
        if value is not None and value != ():
            params[name] = list(value) if isinstance(value, tuple) else value
    if after is not None:
        params["after_id"] = after[-1]
        if order is not ProgressOrder.ID:
            params["after_at"] = after[0]
    use_offset = after is None and offset > 0
    if use_offset:
        params["offset"] = min(offset, MAX_OFFSET)
    present = frozenset(params).intersection(_FILTERS)
    statement = _page_statement(present, order, after is not None, use_offset)
    return execute_scoped(session, ctx.tenant_id, statement, params).all()


_BY_ID = scoped_select(CourseProgress).where(_p.id == bindparam("id"))
_BY_PAIR = scoped_select(CourseProgress).where(
    _p.user_id == bindparam("user_id"), _p.course_id == bindparam("course_id")
)


def get_course_progress(session: Session, ctx: Context, progress_id: int) -> ProgressRow | None:
    if not possible_id(progress_id):
        return None
    return execute_scoped(session, ctx.tenant_id, _BY_ID, {"id": progress_id}).first()


def course_progress_of(
    session: Session, ctx: Context, *, user_id: int, course_id: int
) -> ProgressRow | None:
    if not (possible_id(user_id) and possible_id(course_id)):
        return None
    params = {"user_id": user_id, "course_id": course_id}
    return execute_scoped(session, ctx.tenant_id, _BY_PAIR, params).first()


# --- Item progress --------------------------------------------------------------------------

_ITEM = scoped_select(CourseItem).where(_items.id == bindparam("id"))
_EXAM_ITEM = (
    scoped_select(CourseItem)
    .where(
        _items.course_id == bindparam("course_id"),
        _items.item_type == ItemType.EXAM.value,
        _items.content_id == bindparam("exam_id"),
    )
    .order_by(_items.position, _items.id)
    .limit(1)
)
_ITEM_PROGRESS = scoped_select(ItemProgress).where(
    _ip.course_progress_id == bindparam("progress_id"), _ip.course_item_id == bindparam("item_id")
)


@dataclass(frozen=True)
class ItemTarget:
    """Whose progress on which item: what get/set_course_item_progress act on."""

    user_id: int
    course_id: int
    item: Row[Any]
    progress: ProgressRow | None
    """None when the user has no record in the course yet."""


def resolve_item_target(
    session: Session,
    ctx: Context,
    *,
    course_progress_id: int | None = None,
    user_id: int | None = None,
    course_id: int | None = None,
    course_item_id: int | None = None,
    exam_id: int | None = None,
) -> ItemTarget:
    """Find the item and the user's course progress from any sufficient combination:
    a course progress (which names user and course) or a user with a course or a course item;
    and a course item, or an exam (the course's first item taking that exam).

    Raises Invalid naming what is missing when the combination is not enough, NotFound for
    ids the program does not have (``user_id`` is the caller's, already checked).
    """
    progress = None
    if course_progress_id is not None:
        progress = get_course_progress(session, ctx, course_progress_id)
        if progress is None:
            raise NotFound("course_progress", [course_progress_id], field="course_progress_id")
        if user_id is not None and user_id != progress.user_id:
            raise Invalid("user_id", "user_id is not the course progress's user")
        user_id = progress.user_id
        if course_id is not None and course_id != progress.course_id:
            raise Invalid("course_id", "course_id is not the course progress's course")
        course_id = progress.course_id
    if user_id is None:
        raise Invalid("user_id", "user_id, user_email or course_progress_id is required")

    item = None
    if course_item_id is not None:
        item = (
            execute_scoped(session, ctx.tenant_id, _ITEM, {"id": course_item_id}).first()
            if possible_id(course_item_id)
            else None
        )
        if item is None:
            raise NotFound("course_item", [course_item_id], field="course_item_id")
        if course_id is not None and item.course_id != course_id:
            raise Invalid("course_item_id", f"course item {item.id} is not in course {course_id}")
        course_id = item.course_id
    elif exam_id is not None:
        if course_id is None:
            raise Invalid("course_id", "course_id or course_progress_id is required with exam_id")
        params = {"course_id": course_id, "exam_id": exam_id}
        item = (
            execute_scoped(session, ctx.tenant_id, _EXAM_ITEM, params).first()
            if possible_id(exam_id) and possible_id(course_id)
            else None
        )
        if item is None:
            raise NotFound("exam", [exam_id], field="exam_id")
    else:
        raise Invalid("course_item_id", "course_item_id or exam_id is required")
    assert course_id is not None
    if progress is None:
        progress = course_progress_of(session, ctx, user_id=user_id, course_id=course_id)
    return ItemTarget(user_id=user_id, course_id=course_id, item=item, progress=progress)


def item_progress_of(
    session: Session, ctx: Context, *, progress_id: int, item_id: int
) -> ProgressRow | None:
    params = {"progress_id": progress_id, "item_id": item_id}
    return execute_scoped(session, ctx.tenant_id, _ITEM_PROGRESS, params).first()
