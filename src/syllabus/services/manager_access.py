"""Manager access (Skilljar's name for it): which group a user manages, and over what.

This is the same data as SkyPrep's group managers: the link is a ``group_managers`` row
(created, changed and removed through ``services.group_managers``, with its events), and the
Skilljar-only scope (course and path access levels with the ids they select) hangs off that
link in ``manager_access`` and disappears with it. Skilljar's ``can_create_users`` is the
link's ``can_add_users`` flag.

A user's manager access is one group: setting it replaces every manager link the user had.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Conflict, Invalid, NotFound
from syllabus.core.lookups import missing_ids, possible_id
from syllabus.core.validation import clean_required_text
from syllabus.core.versions import Expected, Version, check_version
from syllabus.domain.courses import Course
from syllabus.domain.groups import Group, GroupManager
from syllabus.domain.learning_paths import LearningPath
from syllabus.domain.signup_manager import (
    AccessLevel,
    ManagerAccess,
    ManagerAccessCourse,
    ManagerAccessPath,
)
from syllabus.domain.tenants import DomainMembership
from syllabus.domain.users import Role, User
from syllabus.services.bulk import insert_rows
from syllabus.services.events import record_event
from syllabus.services.group_managers import (
    ManagerPermissions,
    assign_manager_to_group,
    remove_manager_from_group,
)
from syllabus.services.groups import GroupData, create_group
from syllabus.services.locking import require_locked
from syllabus.services.user_fields import UserData
from syllabus.services.users import update_user

MAX_SCOPE_IDS = 10_000


@dataclass(frozen=True)
class ManagerAccessSettings:
    """The whole setting, as a PUT gives it (ids already decoded to row ids)."""

    group_name: object
    course_access_level: object
    path_access_level: object
    can_create_users: bool = False
    course_ids: Sequence[int] = ()
    path_ids: Sequence[int] = ()


@dataclass(frozen=True)
class ManagerAccessView:
    """A user's manager access as read back: the managed group and the scope."""

    user_id: int
    group_id: int
    can_create_users: bool
    course_access_level: str
    path_access_level: str
    course_ids: list[int] = field(default_factory=list)
    path_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class ManagerAccessResult:
    view: ManagerAccessView
    invalid_course_ids: list[int]
    invalid_path_ids: list[int]


def clean_access_level(value: object, name: str) -> AccessLevel:
    """ALL, SELECTED (the ids given) or NONE, in any letter case."""
    text = value.strip().upper() if isinstance(value, str) else ""
    try:
        return AccessLevel(text)
    except ValueError:
        allowed = ", ".join(level.value for level in AccessLevel)
        raise Invalid(name, f'"{value}" is not a valid choice; use one of {allowed}.') from None


def _require_member(session: Session, ctx: Context, domain_id: int, user_id: int) -> User:
    """The user, who must belong to the domain (else NotFound: the URL names no such user).
    The user's row stays locked: concurrent changes to one user's access run in turn."""
    found = None
    if possible_id(user_id):
        found = session.scalar(
            select(DomainMembership.id).where(
                DomainMembership.tenant_id == ctx.tenant_id,
                DomainMembership.domain_id == domain_id,
                DomainMembership.user_id == user_id,
            )
        )
    if found is None:
        raise NotFound("domain user", [user_id], field="user_id")
    return require_locked(session, ctx, User, user_id, field="user_id")


def _links(session: Session, ctx: Context, user_id: int) -> list[GroupManager]:
    return list(
        session.scalars(
            select(GroupManager)
            .where(GroupManager.tenant_id == ctx.tenant_id, GroupManager.user_id == user_id)
            .order_by(GroupManager.id)
            .with_for_update()
        )
    )


def manager_access_version(links: Sequence[tuple[int, int, int | None]]) -> Version:
    """A user's manager setting shows every manager link of theirs with its Skilljar scope:
    for each ``(link id, link version, scope version or None)``, in id order, the three."""
    return tuple(n for link_id, link, scope in links for n in (link_id, link, scope or 0))


def _check_version(
    session: Session, ctx: Context, user_id: int, expected_version: Expected | None
) -> None:
    """PreconditionFailed when the setting moved since ``expected_version``; the user's links
    and their scope rows are locked first."""
    if expected_version is None:
        return
    links = _links(session, ctx, user_id)
    scopes: dict[int, int] = dict(
        session.execute(
            select(ManagerAccess.manager_id, ManagerAccess.version)
            .where(
                ManagerAccess.tenant_id == ctx.tenant_id,
                ManagerAccess.manager_id.in_([link.id for link in links]),
            )
            .order_by(ManagerAccess.id)
            .with_for_update()
        ).all()
    )
    for link in links:
        session.refresh(link)  # what the lock holds, not a copy read before it
    shown = [(link.id, link.version, scopes.get(link.id)) for link in links]
    check_version(expected_version, manager_access_version(shown))


def _group_named(session: Session, ctx: Context, name: str) -> Group:
    """The program's group of this (full) name, created when there is none.

    An unknown name creates the group rather than failing: Skilljar's request names the group
    by name only (no id), and an integration granting "manager of Acme Corp" for a new customer
    account expects that call alone to set the manager up, as the dashboard would.
    """
    found = _find_group(session, ctx, name)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            return create_group(session, ctx, data=GroupData(name=name))
    except Invalid as error:
        raise Invalid("group_name", error.message) from None
    except (IntegrityError, Conflict):
        # Another request created it meanwhile (PostgreSQL): use theirs.
        found = _find_group(session, ctx, name)
        if found is None:
            raise
        return found


def _find_group(session: Session, ctx: Context, name: str) -> Group | None:
    """Matched by full name, case-insensitively (a nested group as "Parent / Child")."""
    return session.scalars(
        select(Group).where(
            Group.tenant_id == ctx.tenant_id, Group.full_name_normalized == name.lower()
        )
    ).first()


def _scope_ids(ids: Sequence[int], name: str, level: AccessLevel) -> list[int]:
    distinct = list(dict.fromkeys(ids))
    if len(distinct) > MAX_SCOPE_IDS:
        raise Invalid(name, f"Ensure this field has no more than {MAX_SCOPE_IDS} elements.")
    if distinct and level is not AccessLevel.SELECTED:
        raise Invalid(name, f"{name} apply only when the access level is SELECTED.")
    return distinct


def set_manager_access(
    session: Session,
    ctx: Context,
    *,
    domain_id: int,
    user_id: int,
    settings: ManagerAccessSettings,
    expected_version: Expected | None = None,
) -> ManagerAccessResult:
    """Replace the user's manager access with ``settings``, atomically.

    A learner is given the manager role (managing a group requires it). Ids of courses or
    paths the program does not have are not applied and come back as invalid. With
    ``expected_version`` (``manager_access_version``) a setting changed since is
    PreconditionFailed.
    """
    user = _require_member(session, ctx, domain_id, user_id)
    _check_version(session, ctx, user_id, expected_version)
    name = clean_required_text(settings.group_name, "group_name", max_length=255)
    course_level = clean_access_level(settings.course_access_level, "course_access_level")
    path_level = clean_access_level(settings.path_access_level, "path_access_level")
    if not isinstance(settings.can_create_users, bool):
        raise Invalid("can_create_users", "Must be a valid boolean.")
    course_ids = _scope_ids(settings.course_ids, "course_ids", course_level)
    path_ids = _scope_ids(settings.path_ids, "path_ids", path_level)
    bad_courses = missing_ids(session, ctx, Course, course_ids)
    bad_paths = missing_ids(session, ctx, LearningPath, path_ids)
    course_ids = [i for i in course_ids if i not in set(bad_courses)]
    path_ids = [i for i in path_ids if i not in set(bad_paths)]

    group = _group_named(session, ctx, name)
    links = _links(session, ctx, user_id)
    for link in links:
        if link.group_id != group.id:
            remove_manager_from_group(session, ctx, group_id=link.group_id, user_id=user_id)
    if user.role == Role.LEARNER.value:
        update_user(session, ctx, user_id=user_id, changes=UserData(role=Role.MANAGER.value))
    link = assign_manager_to_group(
        session,
        ctx,
        group_id=group.id,
        user_id=user_id,
        permissions=ManagerPermissions(can_add_users=settings.can_create_users),
    )
    access = session.scalars(
        select(ManagerAccess).where(
            ManagerAccess.tenant_id == ctx.tenant_id, ManagerAccess.manager_id == link.id
        )
    ).first()
    if access is None:
        access = ManagerAccess(tenant_id=ctx.tenant_id, manager_id=link.id, user_id=user_id)
        session.add(access)
    access.course_access_level = course_level.value
    access.path_access_level = path_level.value
    access.updated_at = utcnow()
    session.flush()
    session.execute(delete(ManagerAccessCourse).where(ManagerAccessCourse.access_id == access.id))
    session.execute(delete(ManagerAccessPath).where(ManagerAccessPath.access_id == access.id))
    base = {"tenant_id": ctx.tenant_id, "access_id": access.id}
    insert_rows(session, ManagerAccessCourse, [{**base, "course_id": i} for i in course_ids])
    insert_rows(session, ManagerAccessPath, [{**base, "path_id": i} for i in path_ids])
    view = ManagerAccessView(
        user_id=user_id,
        group_id=group.id,
        can_create_users=link.can_add_users,
        course_access_level=course_level.value,
        path_access_level=path_level.value,
        course_ids=course_ids,
        path_ids=path_ids,
    )
    record_event(
        session,
        ctx,
        "manager_access.updated",
        {
            "user_id": user_id,
            "domain_id": domain_id,
            "group_id": group.id,
            "can_create_users": view.can_create_users,
            "course_access_level": view.course_access_level,
            "course_ids": course_ids,
            "path_access_level": view.path_access_level,
            "path_ids": path_ids,
        },
    )
    return ManagerAccessResult(view, bad_courses, bad_paths)


def remove_manager_access(
    session: Session,
    ctx: Context,
    *,
    domain_id: int,
    user_id: int,
    expected_version: Expected | None = None,
) -> None:
    """Remove every manager link of the user (their scope goes with them); the role stays,
    since other rights may rest on it. A user who manages nothing is NotFound; with
    ``expected_version`` a setting changed since is PreconditionFailed."""
    _require_member(session, ctx, domain_id, user_id)
    _check_version(session, ctx, user_id, expected_version)
    links = _links(session, ctx, user_id)
    if not links:
        raise NotFound("manager access", [user_id], field="user_id")
    for link in links:
        remove_manager_from_group(session, ctx, group_id=link.group_id, user_id=user_id)
    record_event(
        session,
        ctx,
        "manager_access.removed",
        {"user_id": user_id, "domain_id": domain_id, "group_ids": [x.group_id for x in links]},
    )
