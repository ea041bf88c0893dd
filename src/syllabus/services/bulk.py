"""Set-based inserts: one Core executemany per table, whatever the row count.

The ORM's bulk path costs several times the driver's time per row; these run on the
session's connection, so they share its transaction, and skip that overhead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from syllabus.domain.base import Base


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def insert_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.connection().execute(insert(_table(model)), list(rows))


def insert_rows_returning(
    session: Session, model: type[Base], rows: Sequence[dict[str, Any]], *columns: str
) -> list[Row[Any]]:
    """Insert and return ``columns`` of each row, in no particular order: return a unique
    column to match rows up (asking for order makes SQLite insert one row at a time)."""
    if not rows:
        return []
    table = _table(model)
    statement = insert(table).returning(*(table.c[name] for name in columns))
    return list(session.connection().execute(statement, list(rows)))


def insert_new_rows(
    session: Session,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    *,
    unique: Sequence[str],
    returning: Sequence[str] = (),
) -> list[Row[Any]]:
    """Insert rows, silently skipping those that collide on the ``unique`` columns.

    Returns ``returning`` columns of the rows actually inserted (none for skipped ones).
    """
    if not rows:
        return []
    table = _table(model)
    dialect = session.get_bind().dialect.name
    insert_cls = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement: Any = insert_cls(table).on_conflict_do_nothing(index_elements=list(unique))
    if returning:
        cols: list[ColumnElement[Any]] = [table.c[name] for name in returning]
        statement = statement.returning(*cols)
        return list(session.connection().execute(statement, list(rows)))
    session.connection().execute(statement, list(rows))
    return []
