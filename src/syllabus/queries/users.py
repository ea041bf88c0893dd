"""User lookups and keyset pages."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from syllabus.domain.users import User
from syllabus.services.context import Context
from syllabus.services.lookups import possible_id
from syllabus.services.validation import normalize_email

MAX_PAGE = 10_000


def get_user(session: Session, ctx: Context, user_id: int) -> User | None:
    if not possible_id(user_id):
        return None
    return session.scalars(
        select(User).where(User.tenant_id == ctx.tenant_id, User.id == user_id)
    ).first()


def get_user_by_email(session: Session, ctx: Context, email: str) -> User | None:
    """Identity resolution by email: one indexed lookup, case-insensitive."""
    return session.scalars(
        select(User).where(
            User.tenant_id == ctx.tenant_id, User.email_normalized == normalize_email(email)
        )
    ).first()


def list_users_page(
    session: Session, ctx: Context, *, after_id: int | None = None, limit: int = 100
) -> Sequence[User]:
    """A keyset page ordered by id: as fast at depth 90,000 as at the first page."""
    limit = max(1, min(limit, MAX_PAGE))
    query = select(User).where(User.tenant_id == ctx.tenant_id)
    if after_id is not None:
        query = query.where(User.id > after_id)
    return session.scalars(query.order_by(User.id).limit(limit)).all()


def list_user_rows_page(
    session: Session, ctx: Context, *, after_id: int | None = None, limit: int = 100
) -> Sequence[Row[int, str, str, str, bool]]:
    """The same page as plain rows, for exports that need only the identity columns."""
    limit = max(1, min(limit, MAX_PAGE))
    query = select(User.id, User.email, User.first_name, User.last_name, User.is_active).where(
        User.tenant_id == ctx.tenant_id
    )
    if after_id is not None:
        query = query.where(User.id > after_id)
    return session.execute(query.order_by(User.id).limit(limit)).all()
