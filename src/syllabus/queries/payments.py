"""Payment lists: newest first, filtered, in keyset pages (created_at, then id, descending)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, or_
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.domain.payments import Payment
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.users import CUSTOM_SLOTS, User

_payments = Payment.__table__.c
_users = User.__table__.c


@dataclass(frozen=True)
class PaymentFilter:
    status: str | None = None
    payment_type: str | None = None
    created_after: datetime | None = None


_BASE = (
    scoped_select(
        Payment,
        *Payment.__table__.c,
        _users.first_name,
        _users.last_name,
        *(_users[slot] for slot in CUSTOM_SLOTS),
    )
    .outerjoin(User.__table__, _users.id == _payments.user_id)
    .order_by(_payments.created_at.desc(), _payments.id.desc())
)


def _statement(filters: PaymentFilter, *, keyset: bool, numbered: bool) -> Select[Any]:
    statement = _BASE
    if filters.status is not None:
        statement = statement.where(_payments.status == bindparam("status"))
    if filters.payment_type is not None:
        statement = statement.where(_payments.payment_type == bindparam("payment_type"))
    if filters.created_after is not None:
        statement = statement.where(_payments.created_at >= bindparam("created_after"))
    if keyset:
        statement = statement.where(
            or_(
                _payments.created_at < bindparam("before_at"),
                and_(
                    _payments.created_at == bindparam("before_at"),
                    _payments.id < bindparam("before_id"),
                ),
            )
        )
    statement = statement.limit(bindparam("limit"))
    return statement.offset(bindparam("offset")) if numbered else statement


_STATEMENTS: dict[tuple[bool, bool, bool, bool, bool], Select[Any]] = {}


def _cached(filters: PaymentFilter, *, keyset: bool, numbered: bool) -> Select[Any]:
    """Eight filter combinations x three page kinds, each built once."""
    key = (
        filters.status is not None,
        filters.payment_type is not None,
        filters.created_after is not None,
        keyset,
        numbered,
    )
    if key not in _STATEMENTS:
        _STATEMENTS[key] = _statement(filters, keyset=keyset, numbered=numbered)
    return _STATEMENTS[key]


def _params(filters: PaymentFilter) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if filters.status is not None:
        params["status"] = filters.status
    if filters.payment_type is not None:
        params["payment_type"] = filters.payment_type
    if filters.created_after is not None:
        params["created_after"] = filters.created_after
    return params


def list_payments_page(
    session: Session,
    ctx: Context,
    filters: PaymentFilter,
    *,
    before: tuple[datetime, int] | None,
    limit: int,
) -> Sequence[Row[Any]]:
    """The ``limit`` newest payments older than ``before`` (the last row of the previous
    page): rows added meanwhile never shift a page, so paging neither skips nor repeats."""
    params = {**_params(filters), "limit": limit}
    if before is not None:
        params["before_at"], params["before_id"] = before
    statement = _cached(filters, keyset=before is not None, numbered=False)
    return execute_scoped(session, ctx.tenant_id, statement, params).all()


def list_payments_numbered_page(
    session: Session, ctx: Context, filters: PaymentFilter, *, page: int, per_page: int
) -> Sequence[Row[Any]]:
    params = {**_params(filters), "limit": per_page, "offset": (page - 1) * per_page}
    statement = _cached(filters, keyset=False, numbered=True)
    return execute_scoped(session, ctx.tenant_id, statement, params).all()
