"""Materials stored by content under a data directory: atomic writes, one copy per content,
files removed only after the removing transaction commits."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from syllabus.core.errors import Invalid, NotFound
from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.services.materials import MaterialStore, add_material, remove_material
from tests.factories import event_data, make_course, make_tenant


@pytest.fixture
def store(tmp_path: Path) -> MaterialStore:
    return MaterialStore(tmp_path / "materials")


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_add_records_size_type_digest_and_stores_one_copy_per_content(
    session: Session, store: MaterialStore, tmp_path: Path
) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    source = write(tmp_path, "guide.txt", b"read me\n")
    first = add_material(session, ctx, store=store, source=source, course_id=course.id)
    again = add_material(session, ctx, store=store, source=source, name="Copy.md")
    assert (first.name, first.content_type, first.size_bytes) == ("guide.txt", "text/plain", 8)
    assert (first.course_id, first.page_count, again.content_type) == (
        course.id,
        None,
        "text/markdown",
    )
    assert first.sha256 == again.sha256
    assert first.download_secret != again.download_secret
    stored = store.path_for(ctx.tenant_id, first.sha256)
    assert stored.read_bytes() == b"read me\n"
    files = [p for p in store.root.rglob("*") if p.is_file()]
    assert files == [stored]  # one copy, no temporary file left behind
    assert [e["material_id"] for e in event_data(session, ctx, "material.added")] == [
        first.id,
        again.id,
    ]


def test_bad_input_names_the_field(session: Session, store: MaterialStore, tmp_path: Path) -> None:
    _, ctx = make_tenant(session)
    _, other = make_tenant(session)
    source = write(tmp_path, "a.bin", b"\x00\x01")
    with pytest.raises(Invalid) as missing:
        add_material(session, ctx, store=store, source=tmp_path / "nope.pdf")
    assert missing.value.field == "path"
    with pytest.raises(Invalid) as bad_type:
        add_material(session, ctx, store=store, source=source, content_type="not a type")
    assert bad_type.value.field == "content_type"
    with pytest.raises(Invalid) as blank:
        add_material(session, ctx, store=store, source=source, name="  ")
    assert blank.value.field == "name"
    theirs = add_material(session, other, store=store, source=source)
    with pytest.raises(NotFound) as parent:
        add_material(session, ctx, store=store, source=source, parent_id=theirs.id)
    assert parent.value.field == "parent_id"
    with pytest.raises(NotFound):
        remove_material(session, ctx, store=store, material_id=theirs.id)


def _factory(url: str) -> sessionmaker[Session]:
    return make_sessionmaker(make_engine(url))


def test_files_go_after_commit_and_only_when_no_material_shares_them(
    fresh_db_url: str, store: MaterialStore, tmp_path: Path
) -> None:
    factory = _factory(fresh_db_url)
    source = write(tmp_path, "shared.txt", b"same bytes")
    with unit_of_work(factory, tenant_id=None) as session:
        _, ctx = make_tenant(session)
        one = add_material(session, ctx, store=store, source=source).id
        two = add_material(session, ctx, store=store, source=source).id
        path = store.path_for(
            ctx.tenant_id, add_material(session, ctx, store=store, source=source).sha256
        )
    with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
        remove_material(session, ctx, store=store, material_id=one)
    assert path.is_file()  # two others still point at it
    with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
        remove_material(session, ctx, store=store, material_id=two)
    assert path.is_file()
    last = two + 1
    seen_before_commit = []

    def fail_after_removing() -> None:
        with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
            remove_material(session, ctx, store=store, material_id=last)
            seen_before_commit.append(path.is_file())
            raise RuntimeError("the transaction fails")

    with pytest.raises(RuntimeError):
        fail_after_removing()
    assert seen_before_commit == [True]
    assert path.is_file()  # rolled back: the row is back, so is its file
    with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
        remove_material(session, ctx, store=store, material_id=last)
    assert not path.exists()
