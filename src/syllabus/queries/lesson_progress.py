"""A user's progress on a page of a course's lessons, in one query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, bindparam
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import chunks, possible_id, possible_ids
from syllabus.domain.progress import ItemProgress
from syllabus.domain.tenancy import execute_scoped, scoped_select

_p = ItemProgress.__table__.c
_OF_ITEMS = scoped_select(ItemProgress).where(
    _p.course_progress_id == bindparam("progress_id"),
    _p.course_item_id.in_(bindparam("ids", expanding=True)),
)


def lesson_progress(
    session: Session, ctx: Context, progress_id: int | None, item_ids: Iterable[int]
) -> dict[int, Row[Any]]:
    """The item progress rows of one course progress record, by course item id."""
    if progress_id is None or not possible_id(progress_id):
        return {}
    found: dict[int, Row[Any]] = {}
    for part in chunks(sorted(set(possible_ids(item_ids)))):
        params = {"progress_id": progress_id, "ids": list(part)}
        for row in execute_scoped(session, ctx.tenant_id, _OF_ITEMS, params):
            found[row.course_item_id] = row
    return found
