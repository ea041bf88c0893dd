"""The power user actions of SkyPrep's admin API: get_power_users, get_user_roles,
get_datasets, create_or_update_power_users, destroy_power_user.

The list actions answer lists of the spec's sample objects; create_or_update_power_users
answers one user object, as the spec's sample does: the first of ``user_ids`` (all of them are
assigned; get_power_users lists them).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.fields import is_set
from syllabus.dialects.skyprep.actions import Call, action
from syllabus.dialects.skyprep.params import Params
from syllabus.dialects.skyprep.render import Named, Program, load_program
from syllabus.dialects.skyprep.users import find_user, user_json
from syllabus.queries import users as user_queries
from syllabus.services import power_users
from syllabus.services.power_users import DatasetView, PowerView, RoleView

SUCCESS = {"message": "success"}


def _permissions(power: PowerView) -> dict[str, Any]:
    return {"id": power.id, "user_role_id": power.user_role_id, "dataset_ids": power.dataset_ids}


def _user(session: Session, call: Call, program: Program, power: PowerView) -> dict[str, Any]:
    row = user_queries.get_user(session, call.ctx, power.user_id)
    assert row is not None  # a power user's user exists (deleting the user removes the power)
    return user_json(row, program)


def role_json(role: RoleView) -> dict[str, Any]:
    return {
        "id": role.id,
        "name": role.name,
        "description": role.description,
        "permissions": role.permissions,
        "powers_count": role.powers_count,
    }


def _scope(ids: list[int]) -> dict[str, Any]:
    return {"static_id_list": ids, "dynamic_rules": None, "all": False}


def dataset_json(dataset: DatasetView, program: Program, program_id: int) -> dict[str, Any]:
    return {
        "model_type": "dataset",
        "name": dataset.name,
        "id": dataset.id,
        "program_id": program_id,
        "dataset_summary": {
            "users": len(dataset.user_ids),
            "courses": len(dataset.course_ids),
            "user_groups": 0,
        },
        "dataset_scopes": {
            "users_dataset": _scope(dataset.user_ids),
            "courses_dataset": _scope(dataset.course_ids),
        },
        "created_at": program.local(dataset.created_at),
        "created_at_int": int(dataset.created_at.timestamp()),
        "updated_at": program.local(dataset.updated_at),
        "updated_at_int": int(dataset.updated_at.timestamp()),
    }


@action("get_power_users", read_only=True)
def get_power_users(session: Session, call: Call) -> Named:
    program = load_program(call.acct_key, call.time_zone)
    out = []
    for power in power_users.list_power_users(session, call.ctx):
        user = _user(session, call, program, power)
        user["power_user_permissions"] = {
            "id": power.id,
            "dataset_ids": power.dataset_ids,
            "user_role_id": power.user_role_id,
        }
        out.append(user)
    return Named("users", out)


@action("get_user_roles", read_only=True)
def get_user_roles(session: Session, call: Call) -> Named:
    return Named(
        "user_roles", [role_json(r) for r in power_users.list_user_roles(session, call.ctx)]
    )


@action("get_datasets", read_only=True)
def get_datasets(session: Session, call: Call) -> Named:
    program = load_program(call.acct_key, call.time_zone)
    datasets = power_users.list_datasets(session, call.ctx)
    return Named("datasets", [dataset_json(d, program, call.ctx.tenant_id) for d in datasets])


@action("create_or_update_power_users")
def create_or_update_power_users(session: Session, call: Call) -> Named:
    """Each user of ``user_ids`` gets ``user_role_id`` over exactly ``dataset_ids``."""
    p = Params(call.params)
    user_ids = p.required_ids("user_ids")
    role_id = p.required_id("user_role_id")
    dataset_ids = p.ids("dataset_ids")
    powers = power_users.assign_power_users(
        session,
        call.ctx,
        user_ids=user_ids,
        user_role_id=role_id,
        dataset_ids=dataset_ids if is_set(dataset_ids) else [],
    )
    first = powers[0]  # in the order of user_ids, which holds at least one
    user = _user(session, call, load_program(call.acct_key, call.time_zone), first)
    user["user_permission"] = {"role": "power_user", "power_user_permissions": _permissions(first)}
    return Named("user", user)


@action("destroy_power_user")
def destroy_power_user(session: Session, call: Call) -> dict[str, str]:
    """Removes the user's power user permissions; the user stays."""
    p = Params(call.params)
    user_id = find_user(session, call, p).id
    power_users.remove_power_user(session, call.ctx, user_id=user_id)
    return SUCCESS
