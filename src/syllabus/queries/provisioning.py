"""Reads for SCIM provisioning: filtered, counted pages of users and groups, group members,
and the drift report (owned attributes last written by a door other than SCIM)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session

from syllabus.core.lookups import chunks, possible_id
from syllabus.domain.events import Surface
from syllabus.domain.groups import Group, GroupMembership
from syllabus.domain.provisioning import ScimDeletedUser, ScimUserProfile, UserAttributeSource
from syllabus.domain.users import User

MAX_COUNT = 1000
"""The largest page a SCIM list serves (ServiceProviderConfig's filter.maxResults)."""


def visible_to_scim() -> ColumnElement[bool]:
    """Users an IdP has DELETEd are kept for admins but no longer exist for SCIM."""
    return ~exists().where(ScimDeletedUser.user_id == User.id)


@dataclass(frozen=True)
class Page:
    total: int
    rows: list[Any]


def page_of(
    session: Session,
    model: type[User] | type[Group],
    condition: ColumnElement[bool] | None,
    order_by: Sequence[Any],
    *,
    offset: int,
    limit: int,
    after_id: int | None = None,
) -> Page:
    """One page and the total matching: one or two statements whatever the page size (a
    short page after a known offset tells the total without counting).
    ``after_id`` starts a cursor page after that id (the total still counts every match)."""
    return _page(session, model, select(model), condition, order_by, offset, limit, after_id)


def user_page_with_profiles(
    session: Session,
    condition: ColumnElement[bool] | None,
    order_by: Sequence[Any],
    *,
    offset: int,
    limit: int,
    after_id: int | None = None,
) -> Page:
    """``page_of`` for users, each row a (user, SCIM profile or None) pair: the profiles come
    in the same statement, so a page is one statement (two when it must be counted)."""
    statement = select(User, ScimUserProfile).outerjoin(
        ScimUserProfile, ScimUserProfile.user_id == User.id
    )
    pairs = _page(session, User, statement, condition, order_by, offset, limit, after_id)
    return Page(total=pairs.total, rows=[(user, profile) for user, profile in pairs.rows])


def _page(
    session: Session,
    model: type[User] | type[Group],
    statement: Select[*tuple[Any, ...]],
    condition: ColumnElement[bool] | None,
    order_by: Sequence[Any],
    offset: int,
    limit: int,
    after_id: int | None,
) -> Page:
    where = [] if condition is None else [condition]
    if model is User:
        where.append(visible_to_scim())
    page_where = where if after_id is None else [*where, model.id > after_id]
    rows: list[Any] = []
    if limit > 0:
        page = statement.where(*page_where).order_by(*order_by).offset(offset).limit(limit)
        single = len(statement.column_descriptions) == 1
        rows = list(session.scalars(page) if single else session.execute(page))
    short = after_id is None and limit > 0 and len(rows) < limit and (rows or offset == 0)
    if short:
        total = offset + len(rows)
    else:
        total = session.scalar(select(func.count()).select_from(model).where(*where)) or 0
    return Page(total=total, rows=rows)


def scim_user(session: Session, user_id: int) -> User | None:
    if not possible_id(user_id):
        return None
    return session.scalars(select(User).where(User.id == user_id, visible_to_scim())).first()


def scim_user_with_profile(
    session: Session, user_id: int
) -> tuple[User, ScimUserProfile | None] | None:
    """``scim_user`` and its SCIM profile, in one statement."""
    if not possible_id(user_id):
        return None
    found = session.execute(
        select(User, ScimUserProfile)
        .outerjoin(ScimUserProfile, ScimUserProfile.user_id == User.id)
        .where(User.id == user_id, visible_to_scim())
    ).first()
    return None if found is None else (found[0], found[1])


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


@dataclass(frozen=True)
class Drift:
    user_id: int
    email: str
    attribute: str
    surface: str
    written_at: datetime


def drift(session: Session) -> list[Drift]:
    """Owned attributes whose last write came through another door than SCIM, by user."""
    rows = session.execute(
        select(
            UserAttributeSource.user_id,
            User.email,
            UserAttributeSource.attribute,
            UserAttributeSource.surface,
            UserAttributeSource.written_at,
        )
        .join(User, User.id == UserAttributeSource.user_id)
        .where(UserAttributeSource.surface != Surface.SCIM.value)
        .order_by(UserAttributeSource.user_id, UserAttributeSource.attribute)
    )
    return [Drift(*row) for row in rows]
