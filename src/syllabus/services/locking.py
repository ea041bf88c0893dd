"""Reading a row for a conditional update (If-Match): locked until the transaction ends.

PostgreSQL takes a row lock (SELECT ... FOR UPDATE); SQLite's write transactions are already
exclusive (BEGIN IMMEDIATE). Either way no other writer can slip in between the precondition
check and the write.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import NotFound
from syllabus.core.lookups import possible_id

M = TypeVar("M")


def require_locked(session: Session, ctx: Context, model: type[M], row_id: int, *, field: str) -> M:
    if not possible_id(row_id):
        raise NotFound(model.__name__.lower(), [row_id], field=field)
    row = session.scalars(
        select(model)
        .where(model.id == row_id, model.tenant_id == ctx.tenant_id)  # type: ignore[attr-defined]
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound(model.__name__.lower(), [row_id], field=field)
    return row


def lock_rows(session: Session, ctx: Context, model: type[Any], *criteria: Any) -> None:
    """Lock the caller's rows of ``model`` matching ``criteria`` (in id order, so two writers
    never wait on each other in opposite orders) before a precondition is read; rows that do
    not exist are left to the caller's own lookup to report."""
    session.execute(
        select(model.id)
        .where(model.tenant_id == ctx.tenant_id, *criteria)
        .order_by(model.id)
        .with_for_update()
    )
