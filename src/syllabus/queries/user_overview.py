"""Users as REST lists show them: keyset pages with filters, and each page's extras in a fixed
number of queries (enrollment counts, group ids, custom attributes, domains).

Lookups by email, SSO id and external id are single indexed reads (tenant_id first).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, bindparam, func
from sqlalchemy.orm import Session

from syllabus.domain.enrollments import Enrollment
from syllabus.domain.groups import GroupMembership
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.tenants import Domain, DomainMembership
from syllabus.domain.users import CustomAttributeDefinition, User, UserCustomAttribute
from syllabus.queries.pages import Listing
from syllabus.services.context import Context
from syllabus.services.lookups import chunks, possible_ids

_users = User.__table__.c
_enrollments = Enrollment.__table__.c
_members = GroupMembership.__table__.c
_custom = UserCustomAttribute.__table__.c
_definitions = CustomAttributeDefinition.__table__.c
_domain_members = DomainMembership.__table__.c
_domains = Domain.__table__.c

USERS = Listing(
    scoped_select(User),
    _users.id,
    {
        "email": lambda: _users.email_normalized == bindparam("email"),
        "first_name": lambda: _users.first_name == bindparam("first_name"),
        "last_name": lambda: _users.last_name == bindparam("last_name"),
        "is_active": lambda: _users.is_active == bindparam("is_active"),
        "sso_id": lambda: _users.sso_id == bindparam("sso_id"),
        "user_identifier": lambda: _users.user_identifier == bindparam("user_identifier"),
    },
)
"""Every user, by id; the email, SSO id and external id filters use their indexes."""

_BY_SSO_ID = scoped_select(User).where(_users.sso_id == bindparam("value")).order_by(_users.id)
_BY_EXTERNAL_ID = (
    scoped_select(User).where(_users.user_identifier == bindparam("value")).order_by(_users.id)
)
_REGISTRATIONS = (
    scoped_select(Enrollment, _enrollments.user_id, func.count().label("n"))
    .where(_enrollments.user_id.in_(bindparam("ids", expanding=True)))
    .group_by(_enrollments.user_id)
)
_GROUP_IDS = (
    scoped_select(GroupMembership, _members.user_id, _members.group_id)
    .where(_members.user_id.in_(bindparam("ids", expanding=True)))
    .order_by(_members.user_id, _members.group_id)
)
_CUSTOM = (
    scoped_select(UserCustomAttribute, _custom.user_id, _definitions.key, _custom.value)
    .join(CustomAttributeDefinition.__table__, _definitions.id == _custom.definition_id)
    .where(_custom.user_id.in_(bindparam("ids", expanding=True)))
)
_DOMAINS = (
    scoped_select(DomainMembership, _domain_members.user_id, _domains.name, _domains.position)
    .join(Domain.__table__, _domains.id == _domain_members.domain_id)
    .where(_domain_members.user_id.in_(bindparam("ids", expanding=True)))
    .order_by(_domain_members.user_id, _domains.position)
)


@dataclass
class UserExtras:
    registration_count: int = 0
    group_ids: list[int] = field(default_factory=list)
    custom_attributes: dict[str, str | None] = field(default_factory=dict)
    domain_names: list[str] = field(default_factory=list)


def user_extras(session: Session, ctx: Context, user_ids: Sequence[int]) -> dict[int, UserExtras]:
    """Per user: enrollment count, group ids, custom attributes, domains (4 queries per 500)."""
    extras: dict[int, UserExtras] = defaultdict(UserExtras)
    t = ctx.tenant_id
    for part in chunks(possible_ids(user_ids)):
        params = {"ids": list(part)}
        for row in execute_scoped(session, t, _REGISTRATIONS, params):
            extras[row.user_id].registration_count = int(row.n)
        for row in execute_scoped(session, t, _GROUP_IDS, params):
            extras[row.user_id].group_ids.append(row.group_id)
        for row in execute_scoped(session, t, _CUSTOM, params):
            extras[row.user_id].custom_attributes[row.key] = row.value
        for row in execute_scoped(session, t, _DOMAINS, params):
            extras[row.user_id].domain_names.append(row.name)
    return extras


def users_by_sso_id(session: Session, ctx: Context, sso_id: str) -> Sequence[Row[Any]]:
    return execute_scoped(session, ctx.tenant_id, _BY_SSO_ID, {"value": sso_id}).all()


def users_by_external_id(session: Session, ctx: Context, external_id: str) -> Sequence[Row[Any]]:
    return execute_scoped(session, ctx.tenant_id, _BY_EXTERNAL_ID, {"value": external_id}).all()
