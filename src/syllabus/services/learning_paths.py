"""Learning paths: ordered courses, and the users and groups that follow them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from syllabus.domain.base import utcnow
from syllabus.domain.courses import Course
from syllabus.domain.groups import Group
from syllabus.domain.learning_paths import (
    LearningPath,
    LearningPathGroup,
    LearningPathItem,
    LearningPathUser,
)
from syllabus.domain.users import User
from syllabus.services.bulk import insert_rows
from syllabus.services.context import Context
from syllabus.services.errors import Invalid
from syllabus.services.events import record_event, record_events
from syllabus.services.fields import UNSET, ChangeSet, Maybe
from syllabus.services.lookups import chunks, possible_ids, require, require_ids
from syllabus.services.validation import clean_ids, clean_required_text, clean_text

PATH_TEXT = {
    "description": 300_000,
    "long_description_html": 100_000,
    "header_html": 100_000,
    "category": 255,
    "course_name_singular": 50,
    "course_name_plural": 50,
    "picture_url": 1000,
}


@dataclass(frozen=True)
class LearningPathData(ChangeSet):
    name: Maybe[str] = UNSET
    description: Maybe[str | None] = UNSET
    long_description_html: Maybe[str | None] = UNSET
    header_html: Maybe[str | None] = UNSET
    category: Maybe[str | None] = UNSET
    force_order: Maybe[bool] = UNSET
    course_name_singular: Maybe[str | None] = UNSET
    course_name_plural: Maybe[str | None] = UNSET
    picture_url: Maybe[str | None] = UNSET
    course_ids: Maybe[Sequence[int]] = UNSET
    """The path's courses in order; replaces the whole list when set."""


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "course_ids":
            continue
        if name == "name":
            out[name] = clean_required_text(value, "name", max_length=500)
        elif name == "force_order":
            if not isinstance(value, bool):
                raise Invalid(name, "force_order must be true or false")
            out[name] = value
        elif name == "category":
            out[name] = clean_text(value, name, max_length=255) or None
        else:
            out[name] = clean_text(value, name, max_length=PATH_TEXT[name]) or ""
    return out


def _set_courses(session: Session, ctx: Context, path_id: int, course_ids: object) -> list[int]:
    ids = clean_ids(course_ids, "course_ids")
    require_ids(session, ctx, Course, ids, field="course_ids", entity="course")
    session.execute(
        delete(LearningPathItem).where(
            LearningPathItem.tenant_id == ctx.tenant_id, LearningPathItem.path_id == path_id
        )
    )
    if ids:
        insert_rows(
            session,
            LearningPathItem,
            [
                {"tenant_id": ctx.tenant_id, "path_id": path_id, "course_id": c, "position": i}
                for i, c in enumerate(ids, 1)
            ],
        )
    return ids


def path_course_ids(session: Session, ctx: Context, path_id: int) -> list[int]:
    return list(
        session.scalars(
            select(LearningPathItem.course_id)
            .where(LearningPathItem.tenant_id == ctx.tenant_id, LearningPathItem.path_id == path_id)
            .order_by(LearningPathItem.position)
        )
    )


def create_learning_path(session: Session, ctx: Context, *, data: LearningPathData) -> LearningPath:
    values = data.set_fields()
    if "name" not in values:
        raise Invalid("name", "name is required")
    path = LearningPath(tenant_id=ctx.tenant_id, **_clean(values))
    session.add(path)
    session.flush()
    courses = (
        _set_courses(session, ctx, path.id, values["course_ids"]) if "course_ids" in values else []
    )
    record_event(
        session,
        ctx,
        "learning_path.created",
        {"learning_path_id": path.id, "name": path.name, "course_ids": courses},
    )
    return path


def update_learning_path(
    session: Session, ctx: Context, *, path_id: int, changes: LearningPathData
) -> LearningPath:
    path = require(session, ctx, LearningPath, path_id, field="learning_path_id")
    values = changes.set_fields()
    columns = _clean(values)
    changed = [name for name, value in columns.items() if getattr(path, name) != value]
    for name in changed:
        setattr(path, name, columns[name])
    if "course_ids" in values:
        before = path_course_ids(session, ctx, path.id)
        if _set_courses(session, ctx, path.id, values["course_ids"]) != before:
            changed.append("course_ids")
    if changed:
        path.updated_at = utcnow()
        session.flush()
        record_event(
            session, ctx, "learning_path.updated", {"learning_path_id": path.id, "changed": changed}
        )
    return path


def delete_learning_path(session: Session, ctx: Context, *, path_id: int) -> None:
    path = require(session, ctx, LearningPath, path_id, field="learning_path_id")
    record_event(
        session, ctx, "learning_path.deleted", {"learning_path_id": path.id, "name": path.name}
    )
    session.delete(path)
    session.flush()


def add_users_to_learning_path(
    session: Session, ctx: Context, *, path_id: int, user_ids: Sequence[int]
) -> list[int]:
    """Enroll users in the path; returns the ids newly enrolled."""
    require(session, ctx, LearningPath, path_id, field="learning_path_id")
    ids = clean_ids(user_ids, "user_ids")
    require_ids(session, ctx, User, ids, field="user_ids", entity="user")
    existing = _path_users(session, ctx, path_id, ids)
    new = [u for u in ids if u not in existing]
    if new:
        now = utcnow()
        insert_rows(
            session,
            LearningPathUser,
            [
                {
                    "tenant_id": ctx.tenant_id,
                    "path_id": path_id,
                    "user_id": u,
                    "enrolled_at": now,
                    "active": True,
                }
                for u in new
            ],
        )
        record_events(
            session,
            ctx,
            "path.enrollment_created",
            [{"learning_path_id": path_id, "user_id": u} for u in new],
        )
    return new


def remove_users_from_learning_path(
    session: Session, ctx: Context, *, path_id: int, user_ids: Sequence[int]
) -> list[int]:
    require(session, ctx, LearningPath, path_id, field="learning_path_id")
    ids = clean_ids(user_ids, "user_ids")
    current = _path_users(session, ctx, path_id, ids)
    present = [u for u in ids if u in current]
    for part in chunks(present):
        session.execute(
            delete(LearningPathUser).where(
                LearningPathUser.tenant_id == ctx.tenant_id,
                LearningPathUser.path_id == path_id,
                LearningPathUser.user_id.in_(part),
            )
        )
    record_events(
        session,
        ctx,
        "path.enrollment_removed",
        [{"learning_path_id": path_id, "user_id": u} for u in present],
    )
    return present


def _path_users(session: Session, ctx: Context, path_id: int, ids: list[int]) -> set[int]:
    found: set[int] = set()
    for part in chunks(possible_ids(ids)):
        found.update(
            session.scalars(
                select(LearningPathUser.user_id).where(
                    LearningPathUser.tenant_id == ctx.tenant_id,
                    LearningPathUser.path_id == path_id,
                    LearningPathUser.user_id.in_(part),
                )
            )
        )
    return found


def add_groups_to_learning_path(
    session: Session, ctx: Context, *, path_id: int, group_ids: Sequence[int]
) -> list[int]:
    require(session, ctx, LearningPath, path_id, field="learning_path_id")
    ids = clean_ids(group_ids, "group_ids")
    require_ids(session, ctx, Group, ids, field="group_ids", entity="group")
    existing = set(
        session.scalars(
            select(LearningPathGroup.group_id).where(
                LearningPathGroup.tenant_id == ctx.tenant_id, LearningPathGroup.path_id == path_id
            )
        )
    )
    new = [g for g in ids if g not in existing]
    if new:
        now = utcnow()
        insert_rows(
            session,
            LearningPathGroup,
            [
                {"tenant_id": ctx.tenant_id, "path_id": path_id, "group_id": g, "created_at": now}
                for g in new
            ],
        )
        record_events(
            session,
            ctx,
            "path.group_added",
            [{"learning_path_id": path_id, "group_id": g} for g in new],
        )
    return new


def remove_groups_from_learning_path(
    session: Session, ctx: Context, *, path_id: int, group_ids: Sequence[int]
) -> list[int]:
    require(session, ctx, LearningPath, path_id, field="learning_path_id")
    ids = clean_ids(group_ids, "group_ids")
    existing = set(
        session.scalars(
            select(LearningPathGroup.group_id).where(
                LearningPathGroup.tenant_id == ctx.tenant_id, LearningPathGroup.path_id == path_id
            )
        )
    )
    gone = [g for g in ids if g in existing]
    if gone:
        session.execute(
            delete(LearningPathGroup).where(
                LearningPathGroup.tenant_id == ctx.tenant_id,
                LearningPathGroup.path_id == path_id,
                LearningPathGroup.group_id.in_(gone),
            )
        )
        record_events(
            session,
            ctx,
            "path.group_removed",
            [{"learning_path_id": path_id, "group_id": g} for g in gone],
        )
    return gone
