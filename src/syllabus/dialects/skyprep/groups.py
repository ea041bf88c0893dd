"""The user group actions of SkyPrep's admin API, and the group manager permissions.

get_user_groups, get_user_group, create_user_group, update_user_group, destroy_user_group,
enroll_user_in_user_group, remove_user_from_user_group, get_user_group_enrollments_for_user,
remove_course_from_user_group (also remove_course_from_course_group);
get_manager_permissions_from_user_group, assign_manager_to_user_group,
update_manager_permissions_in_user_group, remove_manager_from_user_group.

Each parses its parameters, calls one service (or query), and renders groups as the spec's
samples show them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from syllabus.core.errors import DomainError, NotFound
from syllabus.core.fields import is_set
from syllabus.dialects.skyprep.actions import Call, Handler, action
from syllabus.dialects.skyprep.embedded import course_list
from syllabus.dialects.skyprep.params import Params
from syllabus.dialects.skyprep.render import Named, Program, load_program
from syllabus.dialects.skyprep.users import find_user, user_json
from syllabus.domain.groups import MANAGER_PERMISSIONS
from syllabus.queries import courses as course_queries
from syllabus.queries import groups as group_queries
from syllabus.queries import users as user_queries
from syllabus.queries.groups import GroupRow
from syllabus.services import group_managers, groups
from syllabus.services.group_creation import create_group_with_members
from syllabus.services.group_managers import ManagerPermissions
from syllabus.services.groups import GroupData

SUCCESS = {"message": "success"}
PARENT_PARAMS = ("parent_user_group_id", "parent_id")
WIRE_FIELDS = {"group_id": "user_group_id", "group_ids": "user_group_ids"}
"""Service field names that SkyPrep's parameters spell differently."""


def wire_action(name: str, *, read_only: bool = False) -> Callable[[Handler], Handler]:
    """``action``, with errors naming the parameter as the caller spelled it."""

    def register(fn: Handler) -> Handler:
        @functools.wraps(fn)
        def handler(session: Session, call: Call) -> Any:
            try:
                return fn(session, call)
            except DomainError as error:
                error.field = WIRE_FIELDS.get(error.field or "", error.field)
                raise

        action(name, read_only=read_only)(handler)
        return handler

    return register


# --- Rendering ------------------------------------------------------------------------------


def group_json(row: GroupRow, program: Program) -> dict[str, Any]:
    """A group as the spec's samples show one; ``user_group_id`` is the parent group."""
    return {
        "id": row.id,
        "name": row.name,
        "full_name": row.full_name,
        "user_group_id": row.parent_id,
        "created_at": program.local(row.created_at),
        "updated_at": program.local(row.updated_at),
        "description": row.description,
        "user_group_type": row.group_type,
        "category": row.category_name,
        "force_order": row.force_order,
    }


def path_json(row: Row[Any], program: Program) -> dict[str, Any]:
    """A learning path in the group shape (SkyPrep's paths are groups of another type)."""
    return {
        "id": row.id,
        "name": row.name,
        "full_name": row.name,
        "user_group_id": None,
        "created_at": program.local(row.created_at),
        "updated_at": program.local(row.updated_at),
        "description": row.description,
        "user_group_type": "learning_path",
        "category": row.category,
        "force_order": row.force_order,
    }


# --- Parameters -----------------------------------------------------------------------------


def find_group(session: Session, call: Call, p: Params) -> GroupRow:
    group_id = p.required_id("user_group_id")
    row = group_queries.get_group(session, call.ctx, group_id)
    if row is None:
        raise NotFound("user group", [group_id], field="user_group_id")
    return row


def group_data(p: Params, *, parent_params: tuple[str, ...]) -> GroupData:
    fields: dict[str, Any] = {}
    for name in ("name", "description", "category"):
        if is_set(text := p.text(name)):
            fields[name] = text
    if is_set(group_type := p.text("user_group_type")):
        fields["group_type"] = group_type
    if is_set(force_order := p.boolean("force_order")):
        fields["force_order"] = force_order
    for name in parent_params:
        if name in p:
            parent = p.id(name)
            fields["parent_id"] = parent if is_set(parent) else None
            break
    return GroupData(**fields)


def _emails(p: Params, name: str) -> list[str]:
    """A list of emails, separated by commas or semicolons."""
    values = p.strings(name)
    if not is_set(values):
        return []
    return [part.strip() for value in values for part in value.split(";") if part.strip()]


def _ids(p: Params, name: str) -> list[int]:
    values = p.ids(name)
    return values if is_set(values) else []


def find_course_id(session: Session, call: Call, p: Params) -> int:
    course_id = p.required_id("course_id")
    if not course_queries.course_exists(session, call.ctx, course_id):
        raise NotFound("course", [course_id], field="course_id")
    return course_id


# --- Groups ---------------------------------------------------------------------------------


@wire_action("get_user_groups", read_only=True)
def get_user_groups(session: Session, call: Call) -> Named:
    program = load_program(call.acct_key, call.time_zone)
    rows = group_queries.list_groups(session, call.ctx)
    return Named("user_groups", [group_json(row, program) for row in rows])


@wire_action("get_user_group", read_only=True)
def get_user_group(session: Session, call: Call) -> Named:
    """The group with its users, its courses and (as the sample shows) a learning path."""
    p = Params(call.params)
    row = find_group(session, call, p)
    program = load_program(call.acct_key, call.time_zone)
    ctx = call.ctx
    paths = group_queries.group_learning_paths(session, ctx, row.id)
    out = group_json(row, program)
    out["users"] = [
        user_json(u, program) for u in group_queries.group_members(session, ctx, row.id)
    ]
    out["courses"] = course_list(
        session, call, group_queries.group_course_ids(session, ctx, row.id)
    )
    out["learning_paths"] = path_json(paths[0], program) if paths else None
    return Named("user_group", out)


@wire_action("create_user_group")
def create_user_group(session: Session, call: Call) -> Named:
    """``user_ids``, ``user_emails`` and ``course_ids`` are applied all or nothing."""
    p = Params(call.params)
    data = group_data(p, parent_params=(*PARENT_PARAMS, "user_group_id"))
    group = create_group_with_members(
        session,
        call.ctx,
        data=data,
        user_ids=_ids(p, "user_ids"),
        user_emails=_emails(p, "user_emails"),
        course_ids=_ids(p, "course_ids"),
    )
    row = group_queries.get_group(session, call.ctx, group.id)
    assert row is not None  # written in this transaction
    return Named("user_group", group_json(row, load_program(call.acct_key, call.time_zone)))


@wire_action("update_user_group")
def update_user_group(session: Session, call: Call) -> dict[str, str]:
    """Only the parameters given change; ``parent_user_group_id`` moves the group."""
    p = Params(call.params)
    changes = group_data(p, parent_params=PARENT_PARAMS)
    group_id = find_group(session, call, p).id
    groups.update_group(session, call.ctx, group_id=group_id, changes=changes)
    return SUCCESS


@wire_action("destroy_user_group")
def destroy_user_group(session: Session, call: Call) -> dict[str, str]:
    p = Params(call.params)
    groups.delete_group(session, call.ctx, group_id=find_group(session, call, p).id)
    return SUCCESS


@wire_action("enroll_user_in_user_group")
def enroll_user_in_user_group(session: Session, call: Call) -> dict[str, str]:
    p = Params(call.params)
    group_id = find_group(session, call, p).id
    user_id = find_user(session, call, p).id
    groups.add_users_to_group(session, call.ctx, group_id=group_id, user_ids=[user_id])
    return SUCCESS


@wire_action("remove_user_from_user_group")
def remove_user_from_user_group(session: Session, call: Call) -> dict[str, str]:
    p = Params(call.params)
    group_id = find_group(session, call, p).id
    user_id = find_user(session, call, p).id
    groups.remove_users_from_group(session, call.ctx, group_id=group_id, user_ids=[user_id])
    return SUCCESS


@wire_action("get_user_group_enrollments_for_user", read_only=True)
def get_user_group_enrollments_for_user(session: Session, call: Call) -> Named:
    p = Params(call.params)
    user_id = find_user(session, call, p).id
    program = load_program(call.acct_key, call.time_zone)
    rows = group_queries.groups_of_user(session, call.ctx, user_id)
    return Named("user_groups", [group_json(row, program) for row in rows])


def remove_course_from_user_group(session: Session, call: Call) -> dict[str, str]:
    p = Params(call.params)
    group_id = find_group(session, call, p).id
    course_id = find_course_id(session, call, p)
    groups.remove_courses_from_group(session, call.ctx, group_id=group_id, course_ids=[course_id])
    return SUCCESS


wire_action("remove_course_from_user_group")(remove_course_from_user_group)
wire_action("remove_course_from_course_group")(remove_course_from_user_group)


# --- Managers -------------------------------------------------------------------------------


def _permissions(p: Params) -> ManagerPermissions:
    flags = {name: flag for name in MANAGER_PERMISSIONS if is_set(flag := p.boolean(name))}
    return ManagerPermissions(**flags)


def _manager_json(session: Session, call: Call, group_id: int, user_id: int) -> Named:
    """The manager record as the samples show it: the user, the flags, the group."""
    program = load_program(call.acct_key, call.time_zone)
    manager = group_queries.get_group_manager(session, call.ctx, group_id, user_id)
    if manager is None:
        raise NotFound("group manager", [user_id], field="user_id")
    user = user_queries.get_user(session, call.ctx, user_id)
    group = group_queries.get_group(session, call.ctx, group_id)
    assert user is not None  # found by the caller in this transaction
    assert group is not None
    flags = {name: getattr(manager, name) for name in MANAGER_PERMISSIONS}
    out: dict[str, Any] = {"id": manager.id, "user": user_json(user, program)}
    for name in MANAGER_PERMISSIONS[:5]:
        out[name] = flags[name]
    out["user_group"] = group_json(group, program)
    for name in MANAGER_PERMISSIONS[5:]:
        out[name] = flags[name]
    return Named("user_group_manager", out)


@wire_action("get_manager_permissions_from_user_group", read_only=True)
def get_manager_permissions_from_user_group(session: Session, call: Call) -> Named:
    p = Params(call.params)
    group_id = find_group(session, call, p).id
    user_id = find_user(session, call, p).id
    return _manager_json(session, call, group_id, user_id)


@wire_action("assign_manager_to_user_group")
def assign_manager_to_user_group(session: Session, call: Call) -> Named:
    p = Params(call.params)
    permissions = _permissions(p)
    group_id = find_group(session, call, p).id
    user_id = find_user(session, call, p).id
    group_managers.assign_manager_to_group(
        session, call.ctx, group_id=group_id, user_id=user_id, permissions=permissions
    )
    return _manager_json(session, call, group_id, user_id)


@wire_action("update_manager_permissions_in_user_group")
def update_manager_permissions_in_user_group(session: Session, call: Call) -> Named:
    p = Params(call.params)
    permissions = _permissions(p)
    group_id = find_group(session, call, p).id
    user_id = find_user(session, call, p).id
    group_managers.update_manager_permissions(
        session, call.ctx, group_id=group_id, user_id=user_id, permissions=permissions
    )
    return _manager_json(session, call, group_id, user_id)


@wire_action("remove_manager_from_user_group")
def remove_manager_from_user_group(session: Session, call: Call) -> dict[str, str]:
    p = Params(call.params)
    group_id = find_group(session, call, p).id
    user_id = find_user(session, call, p).id
    group_managers.remove_manager_from_group(session, call.ctx, group_id=group_id, user_id=user_id)
    return SUCCESS
