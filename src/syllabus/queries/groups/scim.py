"""Groups as the SCIM door reads them: counted, filtered pages, single groups, and members.

As with SCIM's users, these return ORM entities (scoped by the session's ORM tenant filter):
the handlers hand the group to the services and render it again after the change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import chunks, possible_id
from syllabus.domain.groups import Group, GroupMembership
from syllabus.domain.users import User
from syllabus.queries.attribute_filters import (
    Attr,
    Filter,
    Kind,
    MultiValued,
    Path,
    ResourceAttrs,
    compile_filter,
    order_by,
)
from syllabus.queries.counted_pages import Page, counted_page
from syllabus.queries.orm_scope import check_scope

SCIM_GROUP_ATTRS = ResourceAttrs(
    attrs={
        "id": Attr(Kind.ID, Group.id),
        "displayname": Attr(Kind.TEXT, Group.full_name_normalized, lowered=True),
        "externalid": Attr(Kind.EXACT, Group.external_id),
        "meta.created": Attr(Kind.DATETIME, Group.created_at),
        "meta.lastmodified": Attr(Kind.DATETIME, Group.updated_at),
    },
    multi={
        "members": MultiValued(
            attrs={
                "value": Attr(Kind.ID, GroupMembership.user_id),
                "type": Attr(Kind.CONSTANT, constant="User"),
            },
            # Selecting a column keeps a FROM when ``condition`` folds to false (an id no row
            # can have), which a bare EXISTS would lose ("no tables specified").
            wrap=lambda condition: (
                select(GroupMembership.user_id)
                .where(and_(GroupMembership.group_id == Group.id, condition))
                .exists()
            ),
        )
    },
)
"""What a SCIM Group filter or sortBy may name."""


def scim_group_page(
    session: Session,
    ctx: Context,
    *,
    where: Filter | None,
    sort_by: Callable[[], Path] | None,
    descending: bool,
    offset: int,
    limit: int,
    after_id: int | None = None,
) -> Page:
    """A counted page of groups, filtered and sorted by SCIM attributes: one statement (two
    when it must be counted). Raises ``FilterError`` or ``SortError``."""
    check_scope(session, ctx)
    clauses = [] if where is None else [compile_filter(where, SCIM_GROUP_ATTRS)]
    order = order_by(SCIM_GROUP_ATTRS, Group.id, sort_by, descending)
    statement = select(Group)
    return counted_page(
        session, Group, statement, clauses, order, offset=offset, limit=limit, after_id=after_id
    )


def scim_group(session: Session, ctx: Context, group_id: int) -> Group | None:
    check_scope(session, ctx)
    if not possible_id(group_id):
        return None
    return session.scalars(select(Group).where(Group.id == group_id)).first()


def scim_group_members(
    session: Session, ctx: Context, group_ids: Sequence[int]
) -> dict[int, list[tuple[int, str]]]:
    """Each group's members as (user id, display name), in one query per 500 groups."""
    check_scope(session, ctx)
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
