"""Group managers: users who manage a group, with a set of permission flags per group.

Only users whose role is manager or admin can manage a group: a learner must be given the
manager role first (assigning does not change a user's role behind the caller's back).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Invalid, NotFound
from syllabus.core.fields import UNSET, ChangeSet, Maybe
from syllabus.core.lookups import require
from syllabus.domain.groups import MANAGER_PERMISSIONS, Group, GroupManager
from syllabus.domain.users import Role, User
from syllabus.services.events import record_event

MANAGING_ROLES = frozenset({Role.MANAGER.value, Role.ADMIN.value})


@dataclass(frozen=True)
class ManagerPermissions(ChangeSet):
    """The flags to set; UNSET keeps the current value (or the default on assignment)."""

    can_add_users: Maybe[bool] = UNSET
    can_receive_notifications: Maybe[bool] = UNSET
    can_edit_course_progress: Maybe[bool] = UNSET
    can_remove_users: Maybe[bool] = UNSET
    can_add_existing_users: Maybe[bool] = UNSET
    can_manage_all_group_users_courses: Maybe[bool] = UNSET
    can_add_courses_to_user_group: Maybe[bool] = UNSET
    can_remove_courses_from_user_group: Maybe[bool] = UNSET
    can_edit_user_password: Maybe[bool] = UNSET


def _flags(permissions: ManagerPermissions) -> dict[str, bool]:
    flags = permissions.set_fields()
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise Invalid(name, f"{name} must be true or false")
    return flags


def _find(session: Session, ctx: Context, group_id: int, user_id: int) -> GroupManager | None:
    return session.scalars(
        select(GroupManager).where(
            GroupManager.tenant_id == ctx.tenant_id,
            GroupManager.group_id == group_id,
            GroupManager.user_id == user_id,
        )
    ).first()


def _apply(manager: GroupManager, flags: dict[str, bool]) -> list[str]:
    changed = [name for name, value in flags.items() if getattr(manager, name) != value]
    for name in changed:
        setattr(manager, name, flags[name])
    if changed:
        manager.updated_at = utcnow()
    return changed


def _updated_event(
    session: Session, ctx: Context, manager: GroupManager, changed: list[str]
) -> None:
    record_event(
        session,
        ctx,
        "group.manager_permissions_updated",
        {
            "group_id": manager.group_id,
            "user_id": manager.user_id,
            "changed": changed,
            "permissions": {name: getattr(manager, name) for name in MANAGER_PERMISSIONS},
        },
    )


def assign_manager_to_group(
    session: Session,
    ctx: Context,
    *,
    group_id: int,
    user_id: int,
    permissions: ManagerPermissions | None = None,
) -> GroupManager:
    """Make the user a manager of the group; flags not given take their defaults.

    Assigning someone who already manages the group applies the flags given (so a retried
    request succeeds) and records an update instead.
    """
    flags = _flags(permissions or ManagerPermissions())
    require(session, ctx, Group, group_id, field="user_group_id")
    user = require(session, ctx, User, user_id, field="user_id")
    if user.role not in MANAGING_ROLES:
        raise Invalid("user_id", "the user must have the manager or admin role to manage a group")
    manager = _find(session, ctx, group_id, user_id)
    if manager is not None:
        changed = _apply(manager, flags)
        if changed:
            session.flush()
            _updated_event(session, ctx, manager, changed)
        return manager
    manager = GroupManager(tenant_id=ctx.tenant_id, group_id=group_id, user_id=user_id)
    for name in MANAGER_PERMISSIONS:
        setattr(manager, name, flags.get(name, _default(name)))
    session.add(manager)
    session.flush()
    record_event(
        session,
        ctx,
        "group.manager_assigned",
        {
            "group_id": group_id,
            "user_id": user_id,
            "permissions": {name: getattr(manager, name) for name in MANAGER_PERMISSIONS},
        },
    )
    return manager


def _default(name: str) -> bool:
    default = GroupManager.__table__.c[name].default
    return bool(default.arg)


def update_manager_permissions(
    session: Session,
    ctx: Context,
    *,
    group_id: int,
    user_id: int,
    permissions: ManagerPermissions,
) -> GroupManager:
    """Change the flags given; the user must already manage the group."""
    flags = _flags(permissions)
    manager = require_manager(session, ctx, group_id=group_id, user_id=user_id)
    changed = _apply(manager, flags)
    if changed:
        session.flush()
        _updated_event(session, ctx, manager, changed)
    return manager


def remove_manager_from_group(
    session: Session, ctx: Context, *, group_id: int, user_id: int
) -> bool:
    """The user stops managing the group; returns whether they did (removing twice is fine)."""
    require(session, ctx, Group, group_id, field="user_group_id")
    require(session, ctx, User, user_id, field="user_id")
    manager = _find(session, ctx, group_id, user_id)
    if manager is None:
        return False
    record_event(session, ctx, "group.manager_removed", {"group_id": group_id, "user_id": user_id})
    session.delete(manager)
    session.flush()
    return True


def require_manager(session: Session, ctx: Context, *, group_id: int, user_id: int) -> GroupManager:
    """The user's manager record for the group, or NotFound (group, user, or the pair)."""
    require(session, ctx, Group, group_id, field="user_group_id")
    require(session, ctx, User, user_id, field="user_id")
    manager = _find(session, ctx, group_id, user_id)
    if manager is None:
        raise NotFound("group manager", [user_id], field="user_id")
    return manager
