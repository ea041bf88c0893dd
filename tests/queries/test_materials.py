"""Material pages: keyset on id, every row once, only the program's own."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from syllabus.queries.materials import get_material, material_pages
from syllabus.services.materials import MaterialStore, add_material
from tests.factories import make_tenant, scope


def test_pages_walk_every_material_once_in_id_order(session: Session, tmp_path: Path) -> None:
    store = MaterialStore(tmp_path / "materials")
    _, ctx = make_tenant(session)
    _, other = make_tenant(session)
    source = tmp_path / "f.txt"
    ids = []
    for i in range(5):
        source.write_bytes(f"file {i}".encode())
        ids.append(add_material(session, ctx, store=store, source=source).id)
        add_material(session, other, store=store, source=source)
    scope(session, ctx)
    pages = list(material_pages(session, ctx, page_size=2))
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [row.id for page in pages for row in page] == ids
    assert list(material_pages(session, other, page_size=2)) == []  # scoped to ctx's program
    assert get_material(session, ctx, ids[0]) is not None
    assert get_material(session, ctx, 2**40) is None
