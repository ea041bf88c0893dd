"""Groups as the Skilljar door shows them: keyset pages of groups (with member counts and
email-domain rules), of a group's members and of a user's memberships; group categories."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import bindparam, func
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import chunks, possible_id, possible_ids
from syllabus.domain.groups import Group, GroupCategory, GroupEmailDomainRule, GroupMembership
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.users import User
from syllabus.queries.groups import GroupRow
from syllabus.queries.pages import Listing

_groups = Group.__table__.c
_members = GroupMembership.__table__.c
_rules = GroupEmailDomainRule.__table__.c
_categories = GroupCategory.__table__.c
_users = User.__table__.c

SKILLJAR_GROUPS = Listing(
    scoped_select(Group),
    _groups.id,
    {"name": lambda: _groups.name == bindparam("name")},
)
SKILLJAR_GROUP_MEMBERS = Listing(
    scoped_select(
        GroupMembership,
        *_members,
        _users.email,
        _users.first_name,
        _users.last_name,
    ).join(User.__table__, _users.id == _members.user_id),
    _members.id,
    {"group_id": lambda: _members.group_id == bindparam("group_id")},
)
SKILLJAR_USER_MEMBERSHIPS = Listing(
    scoped_select(GroupMembership, *_members, _groups.name.label("group_name")).join(
        Group.__table__, _groups.id == _members.group_id
    ),
    _members.id,
    {"user_id": lambda: _members.user_id == bindparam("user_id")},
)
SKILLJAR_GROUP_CATEGORIES = Listing(scoped_select(GroupCategory), _categories.id)

_BY_ID = scoped_select(Group).where(_groups.id == bindparam("group_id"))
_CATEGORY = scoped_select(GroupCategory).where(_categories.id == bindparam("category_id"))
_MEMBER = SKILLJAR_GROUP_MEMBERS.base.where(
    _members.group_id == bindparam("group_id"), _members.user_id == bindparam("user_id")
)
_COUNTS = (
    scoped_select(GroupMembership, _members.group_id, func.count().label("n"))
    .where(_members.group_id.in_(bindparam("ids", expanding=True)))
    .group_by(_members.group_id)
)
_RULES = (
    scoped_select(GroupEmailDomainRule, _rules.group_id, _rules.email_domain)
    .where(_rules.group_id.in_(bindparam("ids", expanding=True)))
    .order_by(_rules.group_id, _rules.email_domain)
)


def skilljar_group(session: Session, ctx: Context, group_id: int) -> GroupRow | None:
    if not possible_id(group_id):
        return None
    return execute_scoped(session, ctx.tenant_id, _BY_ID, {"group_id": group_id}).first()


def skilljar_group_category(session: Session, ctx: Context, category_id: int) -> GroupRow | None:
    if not possible_id(category_id):
        return None
    params = {"category_id": category_id}
    return execute_scoped(session, ctx.tenant_id, _CATEGORY, params).first()


def skilljar_group_member(
    session: Session, ctx: Context, group_id: int, user_id: int
) -> GroupRow | None:
    if not (possible_id(group_id) and possible_id(user_id)):
        return None
    params = {"group_id": group_id, "user_id": user_id}
    return execute_scoped(session, ctx.tenant_id, _MEMBER, params).first()


def skilljar_group_facts(
    session: Session, ctx: Context, group_ids: Sequence[int]
) -> tuple[dict[int, int], dict[int, list[str]]]:
    """Per group: member count, and email-domain rules (two queries per 500 groups)."""
    counts: dict[int, int] = {}
    rules: dict[int, list[str]] = defaultdict(list)
    for part in chunks(sorted(set(possible_ids(group_ids)))):
        params = {"ids": list(part)}
        for row in execute_scoped(session, ctx.tenant_id, _COUNTS, params):
            counts[row.group_id] = int(row.n)
        for row in execute_scoped(session, ctx.tenant_id, _RULES, params):
            rules[row.group_id].append(row.email_domain)
    return counts, rules
