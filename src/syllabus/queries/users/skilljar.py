"""Users as the Skilljar door shows them: keyset pages with filters, and each page's extras in
a fixed number of queries (enrollment counts, group ids, custom attributes, domains)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, bindparam, func
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import chunks, possible_ids
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.groups import GroupMembership
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.tenants import Domain, DomainMembership
from syllabus.domain.users import CustomAttributeDefinition, User, UserCustomAttribute
from syllabus.queries.pages import Listing

_users = User.__table__.c
_enrollments = Enrollment.__table__.c
_members = GroupMembership.__table__.c
_custom = UserCustomAttribute.__table__.c
_definitions = CustomAttributeDefinition.__table__.c
_domain_members = DomainMembership.__table__.c
_domains = Domain.__table__.c

LISTED_COLUMNS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "username",
    "is_active",
    "created_at",
    "updated_at",
    "last_login_at",
    "deactivated_at",
    "sso_id",
    "user_identifier",
)
"""What a REST user shows: fetching 12 columns instead of 60 halves the cost of a big page."""

SKILLJAR_USERS = Listing(
    scoped_select(User, *(_users[name] for name in LISTED_COLUMNS)),
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


def _extras_statements(
    enrollments: Any, members: Any, custom: Any, domains: Any
) -> tuple[Select[Any], Select[Any], Select[Any], Select[Any]]:
    """The four extras reads, each limited by the given user-id predicate."""
    return (
        scoped_select(Enrollment, _enrollments.user_id, func.count().label("n"))
        .where(enrollments)
        .group_by(_enrollments.user_id),
        scoped_select(GroupMembership, _members.user_id, _members.group_id)
        .where(members)
        .order_by(_members.user_id, _members.group_id),
        scoped_select(UserCustomAttribute, _custom.user_id, _definitions.key, _custom.value)
        .join(CustomAttributeDefinition.__table__, _definitions.id == _custom.definition_id)
        .where(custom),
        scoped_select(DomainMembership, _domain_members.user_id, _domains.name, _domains.position)
        .join(Domain.__table__, _domains.id == _domain_members.domain_id)
        .where(domains)
        .order_by(_domain_members.user_id, _domains.position),
    )


_LISTED = _extras_statements(
    *(
        column.in_(bindparam("ids", expanding=True))
        for column in (
            _enrollments.user_id,
            _members.user_id,
            _custom.user_id,
            _domain_members.user_id,
        )
    )
)
_RANGED = _extras_statements(
    *(
        column.between(bindparam("low"), bindparam("high"))
        for column in (
            _enrollments.user_id,
            _members.user_id,
            _custom.user_id,
            _domain_members.user_id,
        )
    )
)


@dataclass
class UserExtras:
    registration_count: int = 0
    group_ids: list[int] = field(default_factory=list)
    custom_attributes: dict[str, str | None] = field(default_factory=dict)
    domain_names: list[str] = field(default_factory=list)


def skilljar_user_extras(
    session: Session, ctx: Context, user_ids: Sequence[int]
) -> dict[int, UserExtras]:
    """Per user: enrollment count, group ids, custom attributes, domains.

    A keyset page is a dense id range, read with four range queries whatever its size; sparse
    id sets (filtered lists) go by IN lists of 500.
    """
    extras: dict[int, UserExtras] = defaultdict(UserExtras)
    ids = sorted(set(possible_ids(user_ids)))
    if not ids:
        return extras
    wanted = set(ids)
    batches: list[tuple[tuple[Select[Any], ...], dict[str, Any]]]
    if ids[-1] - ids[0] < 4 * len(ids):
        batches = [(_RANGED, {"low": ids[0], "high": ids[-1]})]
    else:
        batches = [(_LISTED, {"ids": list(part)}) for part in chunks(ids)]
    t = ctx.tenant_id
    for statements, params in batches:
        registrations, group_ids, custom, domains = statements
        for row in execute_scoped(session, t, registrations, params):
            if row.user_id in wanted:
                extras[row.user_id].registration_count = int(row.n)
        for row in execute_scoped(session, t, group_ids, params):
            if row.user_id in wanted:
                extras[row.user_id].group_ids.append(row.group_id)
        for row in execute_scoped(session, t, custom, params):
            if row.user_id in wanted:
                extras[row.user_id].custom_attributes[row.key] = row.value
        for row in execute_scoped(session, t, domains, params):
            if row.user_id in wanted:
                extras[row.user_id].domain_names.append(row.name)
    return extras
