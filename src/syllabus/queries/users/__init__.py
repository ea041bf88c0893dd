"""The users aggregate's reads: lookups and keyset pages of whole rows, and, in the modules
beside this one, each door's own projection (``skilljar``: REST lists with their extras;
``scim``: counted, filtered pages with SCIM profiles, and the drift report).

Core statements built once, rows out, no ORM on the way; every function takes
``(session, ctx, ...)`` and reads the context's program only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import MAX_ID, chunks, possible_id, possible_ids
from syllabus.core.validation import normalize_email
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.users import User

MAX_PAGE = 10_000

_users = User.__table__.c
_BY_ID = scoped_select(User).where(_users.id == bindparam("user_id"))
_BY_EMAIL = scoped_select(User).where(_users.email_normalized == bindparam("email"))
_IDS_BY_EMAIL = scoped_select(User, _users.id, _users.email_normalized).where(
    _users.email_normalized.in_(bindparam("emails", expanding=True))
)
_PAGE = (
    scoped_select(User)
    .where(_users.id > bindparam("after_id"))
    .order_by(_users.id)
    .limit(bindparam("limit"))
)
_NUMBERED_PAGE = (
    scoped_select(User).order_by(_users.id).limit(bindparam("limit")).offset(bindparam("offset"))
)
_IDENTITY_PAGE = (
    scoped_select(
        User, _users.id, _users.email, _users.first_name, _users.last_name, _users.is_active
    )
    .where(_users.id > bindparam("after_id"))
    .order_by(_users.id)
    .limit(bindparam("limit"))
)

_BY_SSO_ID = scoped_select(User).where(_users.sso_id == bindparam("value")).order_by(_users.id)
_BY_EXTERNAL_ID = (
    scoped_select(User).where(_users.user_identifier == bindparam("value")).order_by(_users.id)
)
_BY_IDS = scoped_select(User).where(_users.id.in_(bindparam("ids", expanding=True)))
_EXISTING = scoped_select(User, _users.id).where(_users.id.in_(bindparam("ids", expanding=True)))
_EMAILS = scoped_select(User, _users.id, _users.email).where(
    _users.id.in_(bindparam("ids", expanding=True))
)

UserRow = Row[Any]
"""The users aggregate's row type: a users row, or a door's subset of its columns, with
attribute access by column name (``row.email``, ``row.ca_0``)."""


def get_user(session: Session, ctx: Context, user_id: int) -> UserRow | None:
    if not possible_id(user_id):
        return None
    return execute_scoped(session, ctx.tenant_id, _BY_ID, {"user_id": user_id}).first()


def get_user_by_email(session: Session, ctx: Context, email: str) -> UserRow | None:
    """Identity resolution by email: one indexed lookup, case-insensitive."""
    if "\x00" in email:
        return None  # no stored email holds one, and PostgreSQL cannot even compare it
    return execute_scoped(
        session, ctx.tenant_id, _BY_EMAIL, {"email": normalize_email(email)}
    ).first()


def users_by_sso_id(session: Session, ctx: Context, sso_id: str) -> Sequence[UserRow]:
    return execute_scoped(session, ctx.tenant_id, _BY_SSO_ID, {"value": sso_id}).all()


def users_by_external_id(session: Session, ctx: Context, external_id: str) -> Sequence[UserRow]:
    return execute_scoped(session, ctx.tenant_id, _BY_EXTERNAL_ID, {"value": external_id}).all()


def users_by_ids(session: Session, ctx: Context, user_ids: Sequence[int]) -> dict[int, UserRow]:
    """The users of a page, one query per 500."""
    found: dict[int, UserRow] = {}
    for part in chunks(sorted(set(possible_ids(user_ids)))):
        for row in execute_scoped(session, ctx.tenant_id, _BY_IDS, {"ids": list(part)}):
            found[row.id] = row
    return found


def user_emails(session: Session, ctx: Context, user_ids: Sequence[int]) -> dict[int, str]:
    """The emails of these users (two columns, one query per 500 ids): what a feed page adds."""
    found: dict[int, str] = {}
    for part in chunks(sorted(set(possible_ids(user_ids)))):
        for row in execute_scoped(session, ctx.tenant_id, _EMAILS, {"ids": list(part)}):
            found[row.id] = row.email
    return found


def existing_user_ids(session: Session, ctx: Context, ids: Sequence[int]) -> set[int]:
    """Which of these ids are the program's users: one query per 500 ids."""
    found: set[int] = set()
    for part in chunks([i for i in ids if possible_id(i)]):
        rows = execute_scoped(session, ctx.tenant_id, _EXISTING, {"ids": list(part)})
        found.update(rows.scalars())
    return found


def user_ids_by_emails(
    session: Session, ctx: Context, emails: Sequence[str]
) -> tuple[list[int], list[str]]:
    """The ids of the users with these emails (any case), in the order given, each once; and
    the emails that find nobody, as given. Set-based: one query per 500 emails."""
    wanted: dict[str, str] = {}  # normalized -> as given (first spelling)
    for email in emails:
        wanted.setdefault(normalize_email(email), email.strip())
    searchable = [e for e in wanted if "\x00" not in e]
    found: dict[str, int] = {}
    for part in chunks(searchable):
        for row in execute_scoped(session, ctx.tenant_id, _IDS_BY_EMAIL, {"emails": list(part)}):
            found[row.email_normalized] = row.id
    ids = [found[normalized] for normalized in wanted if normalized in found]
    missing = [given for normalized, given in wanted.items() if normalized not in found]
    return ids, missing


def _bounds(after_id: int | None, limit: int) -> dict[str, int]:
    return {"after_id": max(0, min(after_id or 0, MAX_ID)), "limit": max(1, min(limit, MAX_PAGE))}


def list_users_page(
    session: Session, ctx: Context, *, after_id: int | None = None, limit: int = 100
) -> Sequence[UserRow]:
    """A keyset page ordered by id: as fast at depth 90,000 as at the first page."""
    return execute_scoped(session, ctx.tenant_id, _PAGE, _bounds(after_id, limit)).all()


MAX_OFFSET = 2**62
"""Far beyond any program; keeps OFFSET inside PostgreSQL's bigint."""


def list_users_numbered_page(
    session: Session, ctx: Context, *, page: int, per_page: int = 100
) -> Sequence[UserRow]:
    """Page ``page`` (from 1) of ``per_page`` users by id, for APIs that number their pages.

    OFFSET grows with depth; list_users_page (keyset) is the fast path for walking them all.
    """
    bounds = _bounds(None, per_page)
    offset = min(max(0, page - 1) * bounds["limit"], MAX_OFFSET)
    return execute_scoped(
        session, ctx.tenant_id, _NUMBERED_PAGE, {"limit": bounds["limit"], "offset": offset}
    ).all()


def list_user_rows_page(
    session: Session, ctx: Context, *, after_id: int | None = None, limit: int = 100
) -> Sequence[UserRow]:
    """The same page with only the identity columns, for exports."""
    return execute_scoped(session, ctx.tenant_id, _IDENTITY_PAGE, _bounds(after_id, limit)).all()
