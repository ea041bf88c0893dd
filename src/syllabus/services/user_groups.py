"""A user's groups as a set: the guide's writable ``groups`` field."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import require, require_ids
from syllabus.core.validation import clean_ids
from syllabus.domain.groups import Group, GroupMembership
from syllabus.domain.users import User
from syllabus.services.groups import add_users_to_group, remove_users_from_group


def set_user_groups(
    session: Session, ctx: Context, *, user_id: int, group_ids: Sequence[int]
) -> tuple[list[int], list[int]]:
    """Make the user a member of exactly these groups; returns (joined, left) group ids.

    Every group id is checked before any change, so an unknown one changes nothing.
    """
    require(session, ctx, User, user_id, field="user_id")
    wanted = clean_ids(group_ids, "groups")
    require_ids(session, ctx, Group, wanted, field="groups", entity="group")
    current = set(
        session.scalars(
            select(GroupMembership.group_id).where(
                GroupMembership.tenant_id == ctx.tenant_id, GroupMembership.user_id == user_id
            )
        )
    )
    joined = [g for g in wanted if g not in current]
    left = sorted(current - set(wanted))
    for group_id in joined:
        add_users_to_group(session, ctx, group_id=group_id, user_ids=[user_id])
    for group_id in left:
        remove_users_from_group(session, ctx, group_id=group_id, user_ids=[user_id])
    return joined, left
