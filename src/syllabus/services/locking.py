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
from syllabus.core.lookups import possible_id, require
from syllabus.core.versions import Expected, check_version

M = TypeVar("M")


def require_locked(session: Session, ctx: Context, model: type[M], row_id: int, *, field: str) -> M:
    if not possible_id(row_id):
        raise NotFound(model.__name__.lower(), [row_id], field=field)
    row = session.scalars(
        select(model)
        .where(model.id == row_id, model.tenant_id == ctx.tenant_id)  # type: ignore[attr-defined]
        .with_for_update()
        .execution_options(populate_existing=True)  # what the lock holds, not a stale copy
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


def require_current(
    session: Session,
    ctx: Context,
    model: type[M],
    row_id: int,
    *,
    field: str,
    expected_version: Expected | None,
) -> M:
    """The row a write changes. With an expected version it is locked first and checked
    (``PreconditionFailed`` when it moved); without one it is read as ``require`` does."""
    if expected_version is None:
        return require(session, ctx, model, row_id, field=field)
    row = require_locked(session, ctx, model, row_id, field=field)
    check_version(expected_version, (row.version,))  # type: ignore[attr-defined]
    return row
