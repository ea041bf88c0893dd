"""Material pages in id order: one indexed Core select a page."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Row, bindparam
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import possible_id
from syllabus.domain.materials import Material
from syllabus.domain.tenancy import execute_scoped, scoped_select

PAGE_SIZE = 500

_materials = Material.__table__.c
_PAGE = (
    scoped_select(Material)
    .where(_materials.id > bindparam("after_id"))
    .order_by(_materials.id)
    .limit(bindparam("limit"))
)
_BY_ID = scoped_select(Material).where(_materials.id == bindparam("material_id"))

MaterialRow = Row[Any]


def material_pages(
    session: Session, ctx: Context, *, page_size: int = PAGE_SIZE
) -> Iterator[Sequence[MaterialRow]]:
    """Every material of the program, ``page_size`` rows at a time (keyset on id)."""
    after = 0
    while True:
        rows = execute_scoped(
            session, ctx.tenant_id, _PAGE, {"after_id": after, "limit": page_size}
        ).all()
        if rows:
            yield rows
        if len(rows) < page_size:
            return
        after = rows[-1].id


def get_material(session: Session, ctx: Context, material_id: int) -> MaterialRow | None:
    if not possible_id(material_id):
        return None
    return execute_scoped(session, ctx.tenant_id, _BY_ID, {"material_id": material_id}).first()
