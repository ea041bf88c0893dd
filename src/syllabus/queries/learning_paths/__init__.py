"""The learning paths aggregate's reads: paths, their enrolled users and their courses in
order (as SkyPrep shows them); ``skilljar`` beside this module holds the Skilljar door's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import possible_id
from syllabus.domain.learning_paths import LearningPath, LearningPathItem, LearningPathUser
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.users import User

PathRow = Row[Any]
"""The learning paths aggregate's row type: a path, path item, publication or path
enrollment row, with attribute access by column name."""

_paths = LearningPath.__table__.c
_items = LearningPathItem.__table__
_path_users = LearningPathUser.__table__
_users = User.__table__.c

_ALL = scoped_select(LearningPath).order_by(_paths.id)
_BY_ID = scoped_select(LearningPath).where(_paths.id == bindparam("path_id"))
_USERS = (
    scoped_select(User)
    .join(_path_users, _path_users.c.user_id == _users.id)
    .where(_path_users.c.path_id == bindparam("path_id"))
    .order_by(_users.id)
)
_COURSE_IDS = (
    scoped_select(LearningPathItem, _items.c.course_id)
    .where(_items.c.path_id == bindparam("path_id"))
    .order_by(_items.c.position, _items.c.id)
)


def list_learning_paths(session: Session, ctx: Context) -> Sequence[PathRow]:
    return execute_scoped(session, ctx.tenant_id, _ALL).all()


def get_learning_path(session: Session, ctx: Context, path_id: int) -> PathRow | None:
    if not possible_id(path_id):
        return None
    return execute_scoped(session, ctx.tenant_id, _BY_ID, {"path_id": path_id}).first()


def learning_path_users(session: Session, ctx: Context, path_id: int) -> Sequence[Row[Any]]:
    """The users enrolled in the path directly, by id."""
    return execute_scoped(session, ctx.tenant_id, _USERS, {"path_id": path_id}).all()


def learning_path_course_ids(session: Session, ctx: Context, path_id: int) -> list[int]:
    """The path's courses in their order."""
    rows = execute_scoped(session, ctx.tenant_id, _COURSE_IDS, {"path_id": path_id})
    return list(rows.scalars())
