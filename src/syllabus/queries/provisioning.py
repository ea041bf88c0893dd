"""Reads for SCIM provisioning of groups: filtered, counted pages and group members."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from syllabus.core.lookups import chunks, possible_id
from syllabus.domain.groups import Group, GroupMembership
from syllabus.domain.users import User
from syllabus.queries.counted_pages import Page, counted_page


def page_of(
    session: Session,
    model: type[Group],
    condition: ColumnElement[bool] | None,
    order_by: Sequence[Any],
    *,
    offset: int,
    limit: int,
    after_id: int | None = None,
) -> Page:
    where = [] if condition is None else [condition]
    return counted_page(
        session,
        model,
        select(model),
        where,
        order_by,
        offset=offset,
        limit=limit,
        after_id=after_id,
    )


def scim_group(session: Session, group_id: int) -> Group | None:
    if not possible_id(group_id):
        return None
    return session.scalars(select(Group).where(Group.id == group_id)).first()


def members_of(session: Session, group_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    """Each group's members as (user id, display name), in one query per 500 groups."""
    out: dict[int, list[tuple[int, str]]] = {g: [] for g in group_ids}
    for part in chunks(list(group_ids)):
        rows = session.execute(
            select(GroupMembership.group_id, User.id, User.first_name, User.last_name, User.email)
            .join(User, User.id == GroupMembership.user_id)
            .where(GroupMembership.group_id.in_(part))
            .order_by(GroupMembership.group_id, User.id)
        )
        for group_id, user_id, first, last, email in rows:
            out[group_id].append((user_id, " ".join(p for p in (first, last) if p) or email))
    return out
