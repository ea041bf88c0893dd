"""Power users: a role (a named permission set) over datasets (static lists of users and
courses), assigned to users. Removing a power user's permissions never touches the user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid, NotFoundMany
from syllabus.core.lookups import missing_ids, require
from syllabus.domain.courses import Course
from syllabus.domain.power_users import (
    Dataset,
    DatasetCourse,
    DatasetUser,
    PowerUser,
    PowerUserDataset,
    UserRole,
)
from syllabus.domain.users import User
from syllabus.services.events import record_event


@dataclass(frozen=True)
class RoleView:
    id: int
    name: str
    description: str
    permissions: dict[str, Any]
    powers_count: int


@dataclass(frozen=True)
class DatasetView:
    id: int
    name: str
    user_ids: list[int]
    course_ids: list[int]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PowerView:
    """A user's power: the permission record's id, its role and its datasets (in id order)."""

    id: int
    user_id: int
    user_role_id: int
    dataset_ids: list[int]


def _unique(ids: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def _require_all(
    session: Session, ctx: Context, wanted: dict[str, tuple[str, type[Any], Sequence[int]]]
) -> None:
    """Raise NotFoundMany naming every unknown id of every kind (field -> entity, model, ids)."""
    missing: dict[str, tuple[str, Sequence[object]]] = {}
    for field, (entity, model, ids) in wanted.items():
        unknown = missing_ids(session, ctx, model, list(ids))
        if unknown:
            missing[field] = (entity, unknown)
    if missing:
        raise NotFoundMany(missing)


# --- Roles and datasets ---------------------------------------------------------------------


def create_user_role(
    session: Session,
    ctx: Context,
    *,
    name: str,
    description: str = "",
    permissions: dict[str, str] | None = None,
) -> UserRole:
    """A named permission set: each area (``users``, ``courses``...) maps to a level."""
    name = name.strip()
    if not name:
        raise Invalid("name", "name is required")
    permissions = dict(permissions or {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in permissions.items()):
        raise Invalid("permissions", "permissions map each area to a level, both text")
    role = UserRole(
        tenant_id=ctx.tenant_id, name=name, description=description, permissions=permissions
    )
    session.add(role)
    session.flush()
    record_event(
        session,
        ctx,
        "power_user.role_created",
        {"user_role_id": role.id, "name": name, "permissions": permissions},
    )
    return role


def create_dataset(
    session: Session,
    ctx: Context,
    *,
    name: str,
    user_ids: Sequence[int] = (),
    course_ids: Sequence[int] = (),
) -> Dataset:
    """A static list of users and courses (all or nothing: every id must be the program's)."""
    name = name.strip()
    if not name:
        raise Invalid("name", "name is required")
    users, courses = _unique(user_ids), _unique(course_ids)
    _require_all(
        session,
        ctx,
        {"user_ids": ("user", User, users), "course_ids": ("course", Course, courses)},
    )
    dataset = Dataset(tenant_id=ctx.tenant_id, name=name)
    session.add(dataset)
    session.flush()
    session.add_all(
        DatasetUser(tenant_id=ctx.tenant_id, dataset_id=dataset.id, user_id=u) for u in users
    )
    session.add_all(
        DatasetCourse(tenant_id=ctx.tenant_id, dataset_id=dataset.id, course_id=c) for c in courses
    )
    session.flush()
    record_event(
        session,
        ctx,
        "power_user.dataset_created",
        {"dataset_id": dataset.id, "name": name, "user_ids": users, "course_ids": courses},
    )
    return dataset


# --- Power users ----------------------------------------------------------------------------


def _power(session: Session, ctx: Context, user_id: int) -> PowerUser | None:
    return session.scalars(
        select(PowerUser).where(PowerUser.tenant_id == ctx.tenant_id, PowerUser.user_id == user_id)
    ).first()


def _dataset_ids(session: Session, ctx: Context, power_user_id: int) -> list[int]:
    return list(
        session.scalars(
            select(PowerUserDataset.dataset_id)
            .where(
                PowerUserDataset.tenant_id == ctx.tenant_id,
                PowerUserDataset.power_user_id == power_user_id,
            )
            .order_by(PowerUserDataset.dataset_id)
        )
    )


def assign_power_users(
    session: Session,
    ctx: Context,
    *,
    user_ids: Sequence[int],
    user_role_id: int,
    dataset_ids: Sequence[int] = (),
) -> list[PowerView]:
    """Give each user the role over exactly these datasets (replacing what they had).

    All or nothing: an unknown user, role or dataset changes nobody.
    """
    users, datasets = _unique(user_ids), sorted(set(dataset_ids))
    if not users:
        raise Invalid("user_ids", "user_ids is required")
    _require_all(
        session,
        ctx,
        {
            "user_ids": ("user", User, users),
            "user_role_id": ("user role", UserRole, [user_role_id]),
            "dataset_ids": ("dataset", Dataset, datasets),
        },
    )
    views = []
    for user_id in users:
        power = _power(session, ctx, user_id)
        before: dict[str, Any] | None = None
        if power is None:
            power = PowerUser(tenant_id=ctx.tenant_id, user_id=user_id, user_role_id=user_role_id)
            session.add(power)
            session.flush()
        else:
            before = {
                "user_role_id": power.user_role_id,
                "dataset_ids": _dataset_ids(session, ctx, power.id),
            }
            power.user_role_id = user_role_id
            session.execute(
                delete(PowerUserDataset).where(
                    PowerUserDataset.tenant_id == ctx.tenant_id,
                    PowerUserDataset.power_user_id == power.id,
                )
            )
        session.add_all(
            PowerUserDataset(tenant_id=ctx.tenant_id, power_user_id=power.id, dataset_id=d)
            for d in datasets
        )
        session.flush()
        after = {"user_role_id": user_role_id, "dataset_ids": datasets}
        if before is None:
            record_event(session, ctx, "power_user.assigned", {"user_id": user_id, **after})
        elif before != after:
            record_event(
                session, ctx, "power_user.updated", {"user_id": user_id, "before": before, **after}
            )
        views.append(PowerView(power.id, user_id, user_role_id, datasets))
    return views


def remove_power_user(session: Session, ctx: Context, *, user_id: int) -> bool:
    """Take the user's power away (the user stays); returns whether they had any."""
    require(session, ctx, User, user_id, field="user_id")
    power = _power(session, ctx, user_id)
    if power is None:
        return False
    record_event(
        session,
        ctx,
        "power_user.removed",
        {
            "user_id": user_id,
            "user_role_id": power.user_role_id,
            "dataset_ids": _dataset_ids(session, ctx, power.id),
        },
    )
    session.execute(
        delete(PowerUserDataset).where(
            PowerUserDataset.tenant_id == ctx.tenant_id,
            PowerUserDataset.power_user_id == power.id,
        )
    )
    session.delete(power)
    session.flush()
    return True


# --- Reads ----------------------------------------------------------------------------------


def list_power_users(session: Session, ctx: Context) -> list[PowerView]:
    """Every power user of the program, by user id."""
    links: dict[int, list[int]] = {}
    for power_user_id, dataset_id in session.execute(
        select(PowerUserDataset.power_user_id, PowerUserDataset.dataset_id)
        .where(PowerUserDataset.tenant_id == ctx.tenant_id)
        .order_by(PowerUserDataset.dataset_id)
    ):
        links.setdefault(power_user_id, []).append(dataset_id)
    powers = session.scalars(
        select(PowerUser).where(PowerUser.tenant_id == ctx.tenant_id).order_by(PowerUser.user_id)
    )
    return [PowerView(p.id, p.user_id, p.user_role_id, links.get(p.id, [])) for p in powers]


def list_user_roles(session: Session, ctx: Context) -> list[RoleView]:
    """Every role, with how many power users hold it."""
    counts = dict(
        session.execute(
            select(PowerUser.user_role_id, func.count())
            .where(PowerUser.tenant_id == ctx.tenant_id)
            .group_by(PowerUser.user_role_id)
        ).all()
    )
    roles = session.scalars(
        select(UserRole).where(UserRole.tenant_id == ctx.tenant_id).order_by(UserRole.id)
    )
    return [
        RoleView(r.id, r.name, r.description, dict(r.permissions), counts.get(r.id, 0))
        for r in roles
    ]


def list_datasets(session: Session, ctx: Context) -> list[DatasetView]:
    """Every dataset with its static user and course lists (ids in order)."""
    users: dict[int, list[int]] = {}
    for dataset_id, user_id in session.execute(
        select(DatasetUser.dataset_id, DatasetUser.user_id)
        .where(DatasetUser.tenant_id == ctx.tenant_id)
        .order_by(DatasetUser.user_id)
    ):
        users.setdefault(dataset_id, []).append(user_id)
    courses: dict[int, list[int]] = {}
    for dataset_id, course_id in session.execute(
        select(DatasetCourse.dataset_id, DatasetCourse.course_id)
        .where(DatasetCourse.tenant_id == ctx.tenant_id)
        .order_by(DatasetCourse.course_id)
    ):
        courses.setdefault(dataset_id, []).append(course_id)
    datasets = session.scalars(
        select(Dataset).where(Dataset.tenant_id == ctx.tenant_id).order_by(Dataset.id)
    )
    return [
        DatasetView(
            d.id, d.name, users.get(d.id, []), courses.get(d.id, []), d.created_at, d.updated_at
        )
        for d in datasets
    ]
