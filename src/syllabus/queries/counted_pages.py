"""Counted pages over ORM entities: one page and the total matching, as SCIM lists them.

SCIM's list responses carry ``totalResults`` and page by index or by cursor; the users and
groups queries share this one way of reading such a page (the tenant filter is the session's
ORM scope, added by ``domain/tenancy.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from syllabus.domain.groups import Group
from syllabus.domain.users import User

MAX_COUNT = 1000
"""The largest page a SCIM list serves (ServiceProviderConfig's filter.maxResults)."""


@dataclass(frozen=True)
class Page:
    total: int
    rows: list[Any]


def counted_page(
    session: Session,
    model: type[User] | type[Group],
    statement: Select[*tuple[Any, ...]],
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    *,
    offset: int,
    limit: int,
    after_id: int | None,
) -> Page:
    """One page and the total matching: one or two statements whatever the page size (a
    short page after a known offset tells the total without counting).
    ``after_id`` starts a cursor page after that id (the total still counts every match)."""
    page_where = list(where) if after_id is None else [*where, model.id > after_id]
    rows: list[Any] = []
    if limit > 0:
        page = statement.where(*page_where).order_by(*order_by).offset(offset).limit(limit)
        single = len(statement.column_descriptions) == 1
        rows = list(session.scalars(page) if single else session.execute(page))
    short = after_id is None and limit > 0 and len(rows) < limit and (rows or offset == 0)
    if short:
        total = offset + len(rows)
    else:
        total = session.scalar(select(func.count()).select_from(model).where(*where)) or 0
    return Page(total=total, rows=rows)
