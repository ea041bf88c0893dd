"""The groups aggregate's reads: groups with their category name, their members, a user's
groups, managers; and, in the modules beside this one, each door's own projection
(``skilljar``: REST listings with member counts and rules; ``scim``: counted, filtered pages).

Core statements built once; each list is one query, ordered by id. Every function takes
``(session, ctx, ...)`` and reads the context's program only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import possible_id
from syllabus.domain.groups import Group, GroupCategory, GroupCourse, GroupManager, GroupMembership
from syllabus.domain.learning_paths import LearningPath, LearningPathGroup
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.users import User

GroupRow = Row[Any]
"""The groups aggregate's row type: a groups row (here plus ``category_name``), or a door's
projection of one, with attribute access by column name."""

_groups = Group.__table__.c
_categories = GroupCategory.__table__
_members = GroupMembership.__table__
_group_courses = GroupCourse.__table__
_managers = GroupManager.__table__
_users = User.__table__.c
_path_groups = LearningPathGroup.__table__
_paths = LearningPath.__table__.c

_GROUPS = scoped_select(Group, *_groups, _categories.c.name.label("category_name")).outerjoin(
    _categories, _categories.c.id == _groups.category_id
)
_ALL = _GROUPS.order_by(_groups.id)
_BY_ID = _GROUPS.where(_groups.id == bindparam("group_id"))
_OF_USER = (
    _GROUPS.join(_members, _members.c.group_id == _groups.id)
    .where(_members.c.user_id == bindparam("user_id"))
    .order_by(_groups.id)
)
_MEMBERS = (
    scoped_select(User)
    .join(_members, _members.c.user_id == _users.id)
    .where(_members.c.group_id == bindparam("group_id"))
    .order_by(_users.id)
)
_COURSE_IDS = (
    scoped_select(GroupCourse, _group_courses.c.course_id)
    .where(_group_courses.c.group_id == bindparam("group_id"))
    .order_by(_group_courses.c.id)
)
_PATHS = (
    scoped_select(LearningPath)
    .join(_path_groups, _path_groups.c.path_id == _paths.id)
    .where(_path_groups.c.group_id == bindparam("group_id"))
    .order_by(_paths.id)
)
_MANAGER = scoped_select(GroupManager).where(
    _managers.c.group_id == bindparam("group_id"), _managers.c.user_id == bindparam("user_id")
)


def list_groups(session: Session, ctx: Context) -> Sequence[GroupRow]:
    return execute_scoped(session, ctx.tenant_id, _ALL).all()


def get_group(session: Session, ctx: Context, group_id: int) -> GroupRow | None:
    if not possible_id(group_id):
        return None
    return execute_scoped(session, ctx.tenant_id, _BY_ID, {"group_id": group_id}).first()


def groups_of_user(session: Session, ctx: Context, user_id: int) -> Sequence[GroupRow]:
    """The groups the user is a member of."""
    if not possible_id(user_id):
        return []
    return execute_scoped(session, ctx.tenant_id, _OF_USER, {"user_id": user_id}).all()


def group_members(session: Session, ctx: Context, group_id: int) -> Sequence[Row[Any]]:
    """The members' users rows, by id."""
    return execute_scoped(session, ctx.tenant_id, _MEMBERS, {"group_id": group_id}).all()


def group_course_ids(session: Session, ctx: Context, group_id: int) -> list[int]:
    """The courses the group gives its members, in the order they were added."""
    rows = execute_scoped(session, ctx.tenant_id, _COURSE_IDS, {"group_id": group_id})
    return list(rows.scalars())


def group_learning_paths(session: Session, ctx: Context, group_id: int) -> Sequence[Row[Any]]:
    """The learning paths the group follows, by id."""
    return execute_scoped(session, ctx.tenant_id, _PATHS, {"group_id": group_id}).all()


def get_group_manager(
    session: Session, ctx: Context, group_id: int, user_id: int
) -> Row[Any] | None:
    if not (possible_id(group_id) and possible_id(user_id)):
        return None
    return execute_scoped(
        session, ctx.tenant_id, _MANAGER, {"group_id": group_id, "user_id": user_id}
    ).first()
