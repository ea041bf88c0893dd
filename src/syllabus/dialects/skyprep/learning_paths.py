"""The learning path actions of SkyPrep's admin API.

get_learning_paths, get_learning_path, create_learning_path, update_learning_path,
destroy_learning_path, add_course_to_learning_path, remove_course_from_learning_path,
add_group_to_learning_path, remove_group_from_learning_path (also
remove_group_from_course_group). SkyPrep shows a path in the shape of a group
(``user_group_type`` ``learning_path``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.errors import NotFound
from syllabus.core.fields import is_set
from syllabus.dialects.skyprep.actions import Call
from syllabus.dialects.skyprep.embedded import course_list
from syllabus.dialects.skyprep.groups import (
    SUCCESS,
    find_course_id,
    find_group,
    path_json,
    wire_action,
)
from syllabus.dialects.skyprep.params import Params
from syllabus.dialects.skyprep.render import Named, load_program
from syllabus.dialects.skyprep.users import user_json
from syllabus.queries import learning_paths as path_queries
from syllabus.queries.learning_paths import PathRow
from syllabus.services import learning_paths as path_service
from syllabus.services.learning_paths import LearningPathData

TEXT_FIELDS = ("name", "description", "category")


def find_path(session: Session, call: Call, p: Params) -> PathRow:
    path_id = p.required_id("learning_path_id")
    row = path_queries.get_learning_path(session, call.ctx, path_id)
    if row is None:
        raise NotFound("learning path", [path_id], field="learning_path_id")
    return row


def path_data(p: Params) -> LearningPathData:
    fields: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if is_set(text := p.text(name)):
            fields[name] = text
    if is_set(force_order := p.boolean("force_order")):
        fields["force_order"] = force_order
    if is_set(course_ids := p.ids("course_ids")):
        fields["course_ids"] = course_ids
    return LearningPathData(**fields)


# --- Actions --------------------------------------------------------------------------------


@wire_action("get_learning_paths", read_only=True)
def get_learning_paths(session: Session, call: Call) -> Named:
    program = load_program(call.acct_key, call.time_zone)
    rows = path_queries.list_learning_paths(session, call.ctx)
    return Named("learning_paths", [path_json(row, program) for row in rows])


@wire_action("get_learning_path", read_only=True)
def get_learning_path(session: Session, call: Call) -> Named:
    """The path with its enrolled users and its courses in order."""
    p = Params(call.params)
    row = find_path(session, call, p)
    program = load_program(call.acct_key, call.time_zone)
    users = path_queries.learning_path_users(session, call.ctx, row.id)
    out = path_json(row, program)
    out["users"] = [user_json(user, program) for user in users]
    out["courses"] = course_list(
        session, call, path_queries.learning_path_course_ids(session, call.ctx, row.id)
    )
    return Named("learning_path", out)


@wire_action("create_learning_path")
def create_learning_path(session: Session, call: Call) -> Named:
    """The path with its courses, users and groups; all or nothing."""
    p = Params(call.params)
    data = path_data(p)
    user_ids, group_ids = p.ids("user_ids"), p.ids("user_group_ids")
    ctx = call.ctx
    try:
        path = path_service.create_learning_path(
            session,
            ctx,
            data=data,
            user_ids=user_ids if is_set(user_ids) else (),
            group_ids=group_ids if is_set(group_ids) else (),
        )
    except NotFound as error:
        if error.field != "group_ids":
            raise
        raise NotFound("user group", error.ids, field="user_group_ids") from None
    row = path_queries.get_learning_path(session, ctx, path.id)
    assert row is not None  # written in this transaction
    return Named("learning_path", path_json(row, load_program(call.acct_key, call.time_zone)))


@wire_action("update_learning_path")
def update_learning_path(session: Session, call: Call) -> dict[str, str]:
    """Only the parameters given change; ``course_ids`` replaces the path's courses."""
    p = Params(call.params)
    changes = path_data(p)
    path_id = find_path(session, call, p).id
    path_service.update_learning_path(session, call.ctx, path_id=path_id, changes=changes)
    return SUCCESS


@wire_action("destroy_learning_path")
def destroy_learning_path(session: Session, call: Call) -> dict[str, str]:
    p = Params(call.params)
    path_service.delete_learning_path(session, call.ctx, path_id=find_path(session, call, p).id)
    return SUCCESS


@wire_action("add_course_to_learning_path")
def add_course_to_learning_path(session: Session, call: Call) -> dict[str, str]:
    """The course goes to the end of the path (a course already in it stays where it is)."""
    p = Params(call.params)
    path_id = find_path(session, call, p).id
    course_id = p.required_id("course_id")
    try:
        path_service.add_courses_to_learning_path(
            session, call.ctx, path_id=path_id, course_ids=[course_id]
        )
    except NotFound as error:
        raise NotFound("course", error.ids, field="course_id") from None
    return SUCCESS


@wire_action("remove_course_from_learning_path")
def remove_course_from_learning_path(session: Session, call: Call) -> dict[str, str]:
    p = Params(call.params)
    path_id = find_path(session, call, p).id
    course_id = find_course_id(session, call, p)
    path_service.remove_courses_from_learning_path(
        session, call.ctx, path_id=path_id, course_ids=[course_id]
    )
    return SUCCESS


@wire_action("add_group_to_learning_path")
def add_group_to_learning_path(session: Session, call: Call) -> dict[str, str]:
    p = Params(call.params)
    path_id = find_path(session, call, p).id
    group_id = find_group(session, call, p).id
    path_service.add_groups_to_learning_path(
        session, call.ctx, path_id=path_id, group_ids=[group_id]
    )
    return SUCCESS


def remove_group_from_learning_path(session: Session, call: Call) -> dict[str, str]:
    p = Params(call.params)
    path_id = find_path(session, call, p).id
    group_id = find_group(session, call, p).id
    path_service.remove_groups_from_learning_path(
        session, call.ctx, path_id=path_id, group_ids=[group_id]
    )
    return SUCCESS


wire_action("remove_group_from_learning_path")(remove_group_from_learning_path)
wire_action("remove_group_from_course_group")(remove_group_from_learning_path)
