"""A course's ordered items (lessons): add, change, move, remove, reorder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.core.fields import UNSET, ChangeSet, Maybe, is_set
from syllabus.core.lookups import require
from syllabus.core.validation import (
    clean_aware_datetime,
    clean_enum,
    clean_ids,
    clean_int,
    clean_required_text,
    clean_text,
)
from syllabus.domain.courses import (
    Course,
    CourseItem,
    ItemType,
)
from syllabus.services.events import record_event


@dataclass(frozen=True)
class CourseItemData(ChangeSet):
    item_type: Maybe[str] = UNSET
    name: Maybe[str] = UNSET
    description: Maybe[str | None] = UNSET
    position: Maybe[int] = UNSET
    """1-based; omitted on create appends at the end."""
    mandatory: Maybe[bool] = UNSET
    start_date: Maybe[datetime | None] = UNSET
    content_id: Maybe[int | None] = UNSET
    content_html: Maybe[str | None] = UNSET
    tooltip_html: Maybe[str | None] = UNSET
    search_keywords: Maybe[str | None] = UNSET
    display_fullscreen: Maybe[bool] = UNSET
    time_seconds: Maybe[int | None] = UNSET
    passing_score: Maybe[int | None] = UNSET
    max_attempts: Maybe[int | None] = UNSET


ITEM_TEXT = {
    "description": 100_000,
    "content_html": 1_000_000,
    "tooltip_html": 100_000,
    "search_keywords": 5000,
}
ITEM_INTS = {
    "content_id": (1, 2**31 - 1),
    "time_seconds": (0, 2**31 - 1),
    "passing_score": (0, 100),
    "max_attempts": (1, 1000),
}


def _clean_item(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "position":
            continue
        if name == "item_type":
            out[name] = clean_enum(value, ItemType, "item_type")
        elif name == "name":
            out[name] = clean_required_text(value, "name", max_length=500)
        elif name in ITEM_TEXT:
            out[name] = clean_text(value, name, max_length=ITEM_TEXT[name]) or ""
        elif name in ("mandatory", "display_fullscreen"):
            if not isinstance(value, bool):
                raise Invalid(name, f"{name} must be true or false")
            out[name] = value
        elif name == "start_date":
            out[name] = clean_aware_datetime(value, name)
        elif name in ITEM_INTS:
            low, high = ITEM_INTS[name]
            out[name] = None if value is None else clean_int(value, name, minimum=low, maximum=high)
        else:  # pragma: no cover
            raise Invalid(name, f"unknown field {name}")
    return out


def _item_ids(session: Session, ctx: Context, course_id: int) -> list[int]:
    return list(
        session.scalars(
            select(CourseItem.id)
            .where(CourseItem.tenant_id == ctx.tenant_id, CourseItem.course_id == course_id)
            .order_by(CourseItem.position, CourseItem.id)
        )
    )


def _renumber(session: Session, ctx: Context, ordered_ids: list[int]) -> None:
    if ordered_ids:
        table = CourseItem.__table__
        assert isinstance(table, Table)
        statement = (
            update(table)
            .where(table.c.tenant_id == ctx.tenant_id, table.c.id == bindparam("item_id"))
            .values(position=bindparam("new_position"))
        )
        session.connection().execute(
            statement,
            [{"item_id": i, "new_position": pos} for pos, i in enumerate(ordered_ids, start=1)],
        )
        moved = set(ordered_ids)
        for obj in list(session.identity_map.values()):
            if isinstance(obj, CourseItem) and obj.id in moved:
                session.expire(obj, ["position"])


def add_course_item(
    session: Session, ctx: Context, *, course_id: int, data: CourseItemData
) -> CourseItem:
    course = require(session, ctx, Course, course_id, field="course_id")
    values = data.set_fields()
    for required in ("item_type", "name"):
        if required not in values:
            raise Invalid(required, f"{required} is required")
    columns = _clean_item(values)
    position = clean_int(data.position, "position", minimum=1) if is_set(data.position) else None
    ordered = _item_ids(session, ctx, course.id)
    item = CourseItem(
        tenant_id=ctx.tenant_id, course_id=course.id, position=len(ordered) + 1, **columns
    )
    session.add(item)
    session.flush()
    if position is not None:
        ordered.insert(min(position, len(ordered) + 1) - 1, item.id)
        _renumber(session, ctx, ordered)
    course.updated_at = utcnow()
    session.flush()
    session.refresh(item)
    record_event(
        session,
        ctx,
        "course_item.created",
        {"course_id": course.id, "course_item_id": item.id, "item_type": item.item_type.value},
    )
    return item


def update_course_item(
    session: Session, ctx: Context, *, item_id: int, changes: CourseItemData
) -> CourseItem:
    item = require(session, ctx, CourseItem, item_id, field="course_item_id")
    columns = _clean_item(changes.set_fields())
    changed = [name for name, value in columns.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, columns[name])
    if is_set(changes.position):
        position = clean_int(changes.position, "position", minimum=1)
        ordered = [i for i in _item_ids(session, ctx, item.course_id) if i != item.id]
        ordered.insert(min(position, len(ordered) + 1) - 1, item.id)
        if ordered.index(item.id) + 1 != item.position:  # past the end means last
            changed.append("position")
        _renumber(session, ctx, ordered)
    if changed:
        item.updated_at = utcnow()
        session.flush()
        session.refresh(item)
        record_event(
            session,
            ctx,
            "course_item.updated",
            {"course_id": item.course_id, "course_item_id": item.id, "changed": changed},
        )
    return item


def delete_course_item(session: Session, ctx: Context, *, item_id: int) -> None:
    item = require(session, ctx, CourseItem, item_id, field="course_item_id")
    course_id = item.course_id
    session.delete(item)
    session.flush()
    _renumber(session, ctx, _item_ids(session, ctx, course_id))
    record_event(
        session, ctx, "course_item.deleted", {"course_id": course_id, "course_item_id": item_id}
    )


def reorder_course_items(
    session: Session, ctx: Context, *, course_id: int, item_ids: Sequence[int]
) -> None:
    """Set the order of all of a course's items at once; the list must name each exactly once."""
    require(session, ctx, Course, course_id, field="course_id")
    wanted = clean_ids(item_ids, "course_item_ids")
    current = _item_ids(session, ctx, course_id)
    if sorted(wanted) != sorted(current) or len(wanted) != len(item_ids):
        raise Invalid("course_item_ids", "list every item of the course exactly once")
    _renumber(session, ctx, wanted)
    record_event(
        session, ctx, "course_item.reordered", {"course_id": course_id, "course_item_ids": wanted}
    )
