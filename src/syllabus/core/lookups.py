"""Loading rows a service is about to change, with one NotFound shape for every aggregate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import NotFound

M = TypeVar("M")
IN_CHUNK = 500
"""Keeps IN lists well under SQLite's and PostgreSQL's parameter limits."""
MAX_ID = 2**31 - 1
"""Primary keys are INTEGER on PostgreSQL: a larger id cannot exist, and binding one fails."""


def possible_id(value: int) -> bool:
    """Could a row have this id? Others are unknown without asking (and must look so)."""
    return isinstance(value, int) and 0 < value <= MAX_ID


def possible_ids(values: Iterable[int]) -> list[int]:
    return [v for v in values if possible_id(v)]


def chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def require(session: Session, ctx: Context, model: type[M], row_id: int, *, field: str) -> M:
    """Load one tenant row for update, or raise NotFound (foreign ids look unknown)."""
    if not possible_id(row_id):
        raise NotFound(model.__name__.lower(), [row_id], field=field)
    row = session.scalars(
        select(model).where(model.id == row_id, model.tenant_id == ctx.tenant_id)  # type: ignore[attr-defined]
    ).first()
    if row is None:
        raise NotFound(model.__name__.lower(), [row_id], field=field)
    return row


def missing_ids(session: Session, ctx: Context, model: type[Any], ids: Sequence[int]) -> list[int]:
    """The ids of ``ids`` that the tenant does not have, in the order given."""
    found: set[int] = set()
    for part in chunks(possible_ids(ids)):
        found.update(
            session.scalars(
                select(model.id).where(model.tenant_id == ctx.tenant_id, model.id.in_(part))
            )
        )
    return [i for i in ids if i not in found]


def require_ids(
    session: Session, ctx: Context, model: type[Any], ids: Sequence[int], *, field: str, entity: str
) -> None:
    """Raise NotFound naming every id of ``ids`` that the tenant does not have."""
    missing = missing_ids(session, ctx, model, ids)
    if missing:
        raise NotFound(entity, missing, field=field)
