"""Domains and their users as the Skilljar door shows them: keyset listings and single rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import possible_id
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.tenants import Domain, DomainMembership
from syllabus.domain.users import User
from syllabus.queries.pages import Listing
from syllabus.queries.signup_fields import DOMAIN_USER_FILTERS

_domains = Domain.__table__.c
_members = DomainMembership.__table__.c
_users = User.__table__.c

DomainRow = Row[Any]
"""The domains aggregate's row type: a domain, or a domain membership with the user's
identity columns."""

DOMAINS = Listing(scoped_select(Domain), _domains.id)
DOMAIN_USERS = Listing(
    scoped_select(
        DomainMembership,
        *_members,
        _users.email,
        _users.first_name,
        _users.last_name,
        _users.updated_at.label("user_updated_at"),
        _users.version.label("user_version"),
    ).join(User.__table__, _users.id == _members.user_id),
    _members.id,
    {
        "domain_id": lambda: _members.domain_id == bindparam("domain_id"),
        "active": lambda: _members.active == bindparam("active"),
        "email": lambda: _users.email_normalized == bindparam("email"),
        "first_name": lambda: _users.first_name == bindparam("first_name"),
        "last_name": lambda: _users.last_name == bindparam("last_name"),
        **DOMAIN_USER_FILTERS,
    },
)
_BY_NAME = scoped_select(Domain).where(_domains.name == bindparam("name"))
_DOMAIN_USER = DOMAIN_USERS.base.where(
    _members.domain_id == bindparam("domain_id"), _members.user_id == bindparam("user_id")
)


def domain_by_name(session: Session, ctx: Context, name: str) -> DomainRow | None:
    if "\x00" in name:
        return None
    params = {"name": name.strip().lower()}
    return execute_scoped(session, ctx.tenant_id, _BY_NAME, params).first()


def domain_user(session: Session, ctx: Context, domain_id: int, user_id: int) -> DomainRow | None:
    if not (possible_id(domain_id) and possible_id(user_id)):
        return None
    params = {"domain_id": domain_id, "user_id": user_id}
    return execute_scoped(session, ctx.tenant_id, _DOMAIN_USER, params).first()
