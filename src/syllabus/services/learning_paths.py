"""Learning paths: ordered courses, and the users and groups that follow them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.core.fields import UNSET, ChangeSet, Maybe
from syllabus.core.lookups import require, require_ids
from syllabus.core.validation import clean_ids, clean_required_text, clean_text
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
from syllabus.services.events import record_event
from syllabus.services.links import LinkKind, add_links, remove_links

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


def create_learning_path(
    session: Session,
    ctx: Context,
    *,
    data: LearningPathData,
    user_ids: Sequence[int] = (),
    group_ids: Sequence[int] = (),
) -> LearningPath:
    """The path (learning_path.created) with its courses, then the users and groups given
    enrolled in it; an unknown user or group creates nothing (the caller's unit rolls back)."""
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
    if user_ids:
        add_users_to_learning_path(session, ctx, path_id=path.id, user_ids=user_ids)
    if group_ids:
        add_groups_to_learning_path(session, ctx, path_id=path.id, group_ids=group_ids)
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


PATH_USERS = LinkKind(
    LearningPathUser,
    "path_id",
    "user_id",
    "learning_path_id",
    "path.enrollment_created",
    "path.enrollment_removed",
)
PATH_GROUPS = LinkKind(
    LearningPathGroup,
    "path_id",
    "group_id",
    "learning_path_id",
    "path.group_added",
    "path.group_removed",
)


def add_users_to_learning_path(
    session: Session, ctx: Context, *, path_id: int, user_ids: Sequence[int]
) -> list[int]:
    """Enroll users in the path; returns the ids newly enrolled."""
    require(session, ctx, LearningPath, path_id, field="learning_path_id")
    ids = clean_ids(user_ids, "user_ids")
    require_ids(session, ctx, User, ids, field="user_ids", entity="user")
    return add_links(session, ctx, PATH_USERS, path_id, ids)


def remove_users_from_learning_path(
    session: Session, ctx: Context, *, path_id: int, user_ids: Sequence[int]
) -> list[int]:
    require(session, ctx, LearningPath, path_id, field="learning_path_id")
    return remove_links(session, ctx, PATH_USERS, path_id, clean_ids(user_ids, "user_ids"))


def add_groups_to_learning_path(
    session: Session, ctx: Context, *, path_id: int, group_ids: Sequence[int]
) -> list[int]:
    require(session, ctx, LearningPath, path_id, field="learning_path_id")
    ids = clean_ids(group_ids, "group_ids")
    require_ids(session, ctx, Group, ids, field="group_ids", entity="group")
    return add_links(session, ctx, PATH_GROUPS, path_id, ids)


def remove_groups_from_learning_path(
    session: Session, ctx: Context, *, path_id: int, group_ids: Sequence[int]
) -> list[int]:
    require(session, ctx, LearningPath, path_id, field="learning_path_id")
    return remove_links(session, ctx, PATH_GROUPS, path_id, clean_ids(group_ids, "group_ids"))


def add_courses_to_learning_path(
    session: Session, ctx: Context, *, path_id: int, course_ids: Sequence[int]
) -> list[int]:
    """Append courses to the end of the path; returns the ids newly added."""
    require(session, ctx, LearningPath, path_id, field="learning_path_id")
    ids = clean_ids(course_ids, "course_ids")
    require_ids(session, ctx, Course, ids, field="course_ids", entity="course")
    current = path_course_ids(session, ctx, path_id)
    present = set(current)
    new = [c for c in ids if c not in present]
    if new:
        _set_courses(session, ctx, path_id, [*current, *new])
        _touched(session, ctx, path_id, "course_ids")
    return new


def remove_courses_from_learning_path(
    session: Session, ctx: Context, *, path_id: int, course_ids: Sequence[int]
) -> list[int]:
    """Take courses out of the path (the others keep their order); returns the ids removed."""
    require(session, ctx, LearningPath, path_id, field="learning_path_id")
    ids = set(clean_ids(course_ids, "course_ids"))
    current = path_course_ids(session, ctx, path_id)
    gone = [c for c in current if c in ids]
    if gone:
        _set_courses(session, ctx, path_id, [c for c in current if c not in ids])
        _touched(session, ctx, path_id, "course_ids")
    return gone


def _touched(session: Session, ctx: Context, path_id: int, changed: str) -> None:
    path = require(session, ctx, LearningPath, path_id, field="learning_path_id")
    path.updated_at = utcnow()
    session.flush()
    record_event(
        session, ctx, "learning_path.updated", {"learning_path_id": path_id, "changed": [changed]}
    )
