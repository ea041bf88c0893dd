"""User groups: hierarchy, members, the courses a group gives its members, email-domain rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Conflict, Invalid
from syllabus.core.fields import UNSET, Maybe, is_set
from syllabus.core.lookups import require, require_ids
from syllabus.core.validation import (
    clean_hostname,
    clean_ids,
    clean_int,
    clean_required_text,
    clean_text,
)
from syllabus.core.versions import Expected
from syllabus.domain.base import bump
from syllabus.domain.courses import Course
from syllabus.domain.groups import (
    FULL_NAME_SEPARATOR,
    Group,
    GroupCategory,
    GroupCourse,
    GroupEmailDomainRule,
    GroupMembership,
)
from syllabus.domain.users import User
from syllabus.services.bulk import insert_rows
from syllabus.services.events import record_event
from syllabus.services.links import LinkKind, add_links, remove_links
from syllabus.services.locking import require_current
from syllabus.services.provisioning import guard_group_membership

MAX_FULL_NAME = 2000
"""groups.full_name and full_name_normalized are VARCHAR(2000)."""


@dataclass(frozen=True)
class GroupData:
    """A group's writable fields; UNSET leaves a field alone."""

    name: Maybe[str] = UNSET
    parent_id: Maybe[int | None] = UNSET
    category: Maybe[str | None] = UNSET
    """A category name; created for the program on first use."""
    group_type: Maybe[str] = UNSET
    description: Maybe[str | None] = UNSET
    force_order: Maybe[bool] = UNSET
    discount_percent: Maybe[int | None] = UNSET
    external_id: Maybe[str | None] = UNSET


def _category_id(session: Session, ctx: Context, name: str | None) -> int | None:
    clean = clean_text(name, "category", max_length=255)
    if not clean:
        return None
    existing = session.scalar(
        select(GroupCategory.id).where(
            GroupCategory.tenant_id == ctx.tenant_id, GroupCategory.name == clean
        )
    )
    if existing is not None:
        return existing
    category = GroupCategory(tenant_id=ctx.tenant_id, name=clean)
    session.add(category)
    session.flush()
    return category.id


def _full_name(session: Session, ctx: Context, name: str, parent_id: int | None) -> str:
    if parent_id is None:
        return name
    parent = require(session, ctx, Group, parent_id, field="parent_id")
    return _fitting(parent.full_name + FULL_NAME_SEPARATOR + name)


def _fitting(full_name: str) -> str:
    """Full names and their lower-cased copies must fit their columns on every database."""
    if max(len(full_name), len(full_name.lower())) > MAX_FULL_NAME:
        raise Invalid("name", f"the full name would be longer than {MAX_FULL_NAME} characters")
    return full_name


def _ensure_unique(session: Session, ctx: Context, full_name: str, own_id: int | None) -> None:
    query = select(Group.id).where(
        Group.tenant_id == ctx.tenant_id, Group.full_name_normalized == full_name.lower()
    )
    if own_id is not None:
        query = query.where(Group.id != own_id)
    if session.scalar(query) is not None:
        raise Conflict(f"a group named {full_name!r} already exists", field="name")


def _clean_name(value: object) -> str:
    """A "/" in a name would make its full name look like a path through the hierarchy."""
    name = clean_required_text(value, "name", max_length=255)
    if FULL_NAME_SEPARATOR.strip() in name:
        raise Invalid("name", f"name must not contain {FULL_NAME_SEPARATOR.strip()!r}")
    return name


def create_group(session: Session, ctx: Context, *, data: GroupData) -> Group:
    if not is_set(data.name):
        raise Invalid("name", "name is required")
    name = _clean_name(data.name)
    parent_id = data.parent_id if is_set(data.parent_id) else None
    full_name = _full_name(session, ctx, name, parent_id)
    _ensure_unique(session, ctx, full_name, None)
    group = Group(
        tenant_id=ctx.tenant_id,
        name=name,
        full_name=full_name,
        full_name_normalized=full_name.lower(),
        parent_id=parent_id,
        category_id=_category_id(session, ctx, data.category) if is_set(data.category) else None,
        group_type=clean_text(data.group_type, "group_type", max_length=32) or "user"
        if is_set(data.group_type)
        else "user",
        description=(clean_text(data.description, "description", max_length=100_000) or "")
        if is_set(data.description)
        else "",
        force_order=_force_order(data.force_order) if is_set(data.force_order) else False,
        discount_percent=_discount(data.discount_percent)
        if is_set(data.discount_percent)
        else None,
        external_id=clean_text(data.external_id, "external_id", max_length=255)
        if is_set(data.external_id)
        else None,
    )
    session.add(group)
    session.flush()
    record_event(
        session,
        ctx,
        "group.created",
        {"group_id": group.id, "name": group.name, "full_name": full_name},
    )
    return group


def _force_order(value: object) -> bool:
    if not isinstance(value, bool):
        raise Invalid("force_order", "force_order must be true or false")
    return value


def _discount(value: int | None) -> int | None:
    return None if value is None else clean_int(value, "discount_percent", minimum=0, maximum=100)


def update_group(
    session: Session,
    ctx: Context,
    *,
    group_id: int,
    changes: GroupData,
    expected_version: Expected | None = None,
) -> Group:
    """With ``expected_version`` (the group's ``version``, which its membership moves too) a
    group changed since is PreconditionFailed."""
    group = require_current(
        session, ctx, Group, group_id, field="group_id", expected_version=expected_version
    )
    changed: list[str] = []
    name = group.name
    parent_id = group.parent_id
    if is_set(changes.name):
        name = _clean_name(changes.name)
    if is_set(changes.parent_id):
        parent_id = changes.parent_id
        if parent_id is not None:
            _ensure_not_descendant(session, ctx, group.id, parent_id)
    if name != group.name or parent_id != group.parent_id:
        full_name = _full_name(session, ctx, name, parent_id)
        _ensure_unique(session, ctx, full_name, group.id)
        if name != group.name:
            changed.append("name")
        if parent_id != group.parent_id:
            changed.append("parent_id")
        _rename_subtree(session, ctx, group, full_name)
        group.name, group.parent_id = name, parent_id
    if is_set(changes.category):
        category_id = _category_id(session, ctx, changes.category)
        if category_id != group.category_id:
            group.category_id = category_id
            changed.append("category")
    for attr, value in (
        (
            "group_type",
            (clean_text(changes.group_type, "group_type", max_length=32) or "user")
            if is_set(changes.group_type)
            else UNSET,
        ),
        (
            "description",
            (clean_text(changes.description, "description", max_length=100_000) or "")
            if is_set(changes.description)
            else UNSET,
        ),
        (
            "force_order",
            _force_order(changes.force_order) if is_set(changes.force_order) else UNSET,
        ),
        (
            "discount_percent",
            _discount(changes.discount_percent) if is_set(changes.discount_percent) else UNSET,
        ),
        (
            "external_id",
            clean_text(changes.external_id, "external_id", max_length=255)
            if is_set(changes.external_id)
            else UNSET,
        ),
    ):
        if is_set(value) and getattr(group, attr) != value:
            setattr(group, attr, value)
            changed.append(attr)
    if changed:
        bump(group)
        group.updated_at = utcnow()
        session.flush()
        record_event(session, ctx, "group.updated", {"group_id": group.id, "changed": changed})
    return group


def _ensure_not_descendant(
    session: Session, ctx: Context, group_id: int, new_parent_id: int
) -> None:
    """Walk up from the new parent; meeting the group itself would make a cycle."""
    current: int | None = new_parent_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current == group_id:
            raise Invalid("parent_id", "a group cannot be moved under itself or its subgroups")
        seen.add(current)
        parent = require(session, ctx, Group, current, field="parent_id")
        current = parent.parent_id


def _rename_subtree(session: Session, ctx: Context, group: Group, full_name: str) -> None:
    """Rename the group and its descendants; checks every new name before changing any."""
    old_prefix = group.full_name + FULL_NAME_SEPARATOR
    descendants: list[Group] = []
    frontier = [group.id]
    while frontier:
        children = list(
            session.scalars(
                select(Group).where(Group.tenant_id == ctx.tenant_id, Group.parent_id.in_(frontier))
            )
        )
        descendants += children
        frontier = [c.id for c in children]
    renamed = [
        (
            child,
            _fitting(full_name + FULL_NAME_SEPARATOR + child.full_name.removeprefix(old_prefix)),
        )
        for child in descendants
    ]
    group.full_name, group.full_name_normalized = full_name, full_name.lower()
    for child, child_full_name in renamed:
        child.full_name, child.full_name_normalized = child_full_name, child_full_name.lower()
    session.flush()


def delete_group(
    session: Session, ctx: Context, *, group_id: int, expected_version: Expected | None = None
) -> None:
    """With ``expected_version`` a group changed since is PreconditionFailed."""
    group = require_current(
        session, ctx, Group, group_id, field="group_id", expected_version=expected_version
    )
    has_children = session.scalar(
        select(func.count())
        .select_from(Group)
        .where(Group.tenant_id == ctx.tenant_id, Group.parent_id == group.id)
    )
    if has_children:
        raise Conflict("the group has subgroups; move or delete them first", field="group_id")
    record_event(session, ctx, "group.deleted", {"group_id": group.id, "name": group.name})
    session.delete(group)
    session.flush()


GROUP_MEMBERS = LinkKind(
    GroupMembership, "group_id", "user_id", "group_id", "group.member_added", "group.member_removed"
)
GROUP_COURSES = LinkKind(
    GroupCourse, "group_id", "course_id", "group_id", "group.course_added", "group.course_removed"
)


def add_users_to_group(
    session: Session, ctx: Context, *, group_id: int, user_ids: Sequence[int]
) -> list[int]:
    """Add members; returns the ids actually added (members already in are left alone)."""
    group = require(session, ctx, Group, group_id, field="group_id")
    ids = clean_ids(user_ids, "user_ids")
    require_ids(session, ctx, User, ids, field="user_ids", entity="user")
    guard_group_membership(session, ctx, group_id)
    added = add_links(session, ctx, GROUP_MEMBERS, group_id, ids)
    if added:
        _touch(session, group)
    return added


def remove_users_from_group(
    session: Session, ctx: Context, *, group_id: int, user_ids: Sequence[int]
) -> list[int]:
    """Remove members; returns the ids actually removed."""
    group = require(session, ctx, Group, group_id, field="group_id")
    ids = clean_ids(user_ids, "user_ids")
    guard_group_membership(session, ctx, group_id)
    removed = remove_links(session, ctx, GROUP_MEMBERS, group_id, ids)
    if removed:
        _touch(session, group)
    return removed


def set_group_members(
    session: Session, ctx: Context, *, group_id: int, user_ids: Sequence[int]
) -> tuple[list[int], list[int]]:
    """Make the members exactly ``user_ids`` (a SCIM full replace); returns (added, removed)."""
    group = require(session, ctx, Group, group_id, field="group_id")
    ids = clean_ids(user_ids, "user_ids")
    require_ids(session, ctx, User, ids, field="user_ids", entity="user")
    current = list(
        session.scalars(
            select(GroupMembership.user_id).where(
                GroupMembership.tenant_id == ctx.tenant_id, GroupMembership.group_id == group_id
            )
        )
    )
    wanted = set(ids)
    gone = [u for u in current if u not in wanted]
    new = [u for u in dict.fromkeys(ids) if u not in set(current)]
    if not gone and not new:
        return [], []
    guard_group_membership(session, ctx, group_id)
    removed = remove_links(session, ctx, GROUP_MEMBERS, group_id, gone)
    added = add_links(session, ctx, GROUP_MEMBERS, group_id, new)
    _touch(session, group)
    return added, removed


def _touch(session: Session, group: Group) -> None:
    """Membership is part of the group's state: its version and ETag move with it."""
    bump(group)
    group.updated_at = utcnow()
    session.flush()


def add_courses_to_group(
    session: Session, ctx: Context, *, group_id: int, course_ids: Sequence[int]
) -> list[int]:
    """Give the group's members these courses; returns the course ids newly added."""
    require(session, ctx, Group, group_id, field="group_id")
    ids = clean_ids(course_ids, "course_ids")
    require_ids(session, ctx, Course, ids, field="course_ids", entity="course")
    return add_links(session, ctx, GROUP_COURSES, group_id, ids)


def remove_courses_from_group(
    session: Session, ctx: Context, *, group_id: int, course_ids: Sequence[int]
) -> list[int]:
    require(session, ctx, Group, group_id, field="group_id")
    return remove_links(session, ctx, GROUP_COURSES, group_id, clean_ids(course_ids, "course_ids"))


def set_email_domain_rules(
    session: Session, ctx: Context, *, group_id: int, email_domains: Sequence[str]
) -> list[str]:
    """Replace the group's email-domain rules; new users with a matching email join it."""
    require(session, ctx, Group, group_id, field="group_id")
    domains = sorted({clean_hostname(d, "rule_email_domains") for d in email_domains})
    current = session.scalars(
        select(GroupEmailDomainRule.email_domain).where(
            GroupEmailDomainRule.tenant_id == ctx.tenant_id,
            GroupEmailDomainRule.group_id == group_id,
        )
    )
    if sorted(current) == domains:
        return domains
    session.execute(
        delete(GroupEmailDomainRule).where(
            GroupEmailDomainRule.tenant_id == ctx.tenant_id,
            GroupEmailDomainRule.group_id == group_id,
        )
    )
    if domains:
        insert_rows(
            session,
            GroupEmailDomainRule,
            [
                {"tenant_id": ctx.tenant_id, "group_id": group_id, "email_domain": d}
                for d in domains
            ],
        )
    record_event(
        session, ctx, "group.updated", {"group_id": group_id, "changed": ["rule_email_domains"]}
    )
    return domains
