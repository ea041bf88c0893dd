"""The catalog: listing courses and learning paths, restricting them to groups."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from syllabus.core.errors import Invalid, NotFound, NotFoundMany
from syllabus.domain.catalog import CatalogEntry, CatalogEntryGroup
from syllabus.services.catalog import (
    CatalogItems,
    add_to_catalog,
    entry_group_ids,
    remove_from_catalog,
    set_catalog_groups,
)
from tests.factories import (
    event_data,
    make_course,
    make_group,
    make_learning_path,
    make_tenant,
)


def entries(session: Session, tenant_id: int) -> list[CatalogEntry]:
    return list(
        session.scalars(
            select(CatalogEntry)
            .where(CatalogEntry.tenant_id == tenant_id)
            .order_by(CatalogEntry.id)
        )
    )


def test_add_restrict_and_remove_with_events(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    path = make_learning_path(session, ctx)
    sales, support = make_group(session, ctx), make_group(session, ctx)
    items = CatalogItems(course_ids=[course.id, course.id], learning_path_ids=[path.id])
    added = add_to_catalog(session, ctx, items=items, group_ids=[sales.id])
    assert [(e.course_id, e.learning_path_id) for e in added] == [
        (course.id, None),
        (None, path.id),
    ]
    assert all(entry_group_ids(session, ctx, e.id) == [sales.id] for e in added)
    assert event_data(session, ctx, "catalog.item_added") == [
        {"course_id": course.id, "group_ids": [sales.id]},
        {"learning_path_id": path.id, "group_ids": [sales.id]},
    ]

    # Adding again keeps the entry and gains the groups given.
    again = add_to_catalog(
        session, ctx, items=CatalogItems(course_ids=[course.id]), group_ids=[support.id]
    )
    assert again[0].id == added[0].id
    assert entry_group_ids(session, ctx, added[0].id) == sorted([sales.id, support.id])
    [changed] = event_data(session, ctx, "catalog.groups_changed")
    assert changed["added_group_ids"] == [support.id]
    assert len(entries(session, ctx.tenant_id)) == 2

    # Setting the groups replaces them; none means everyone.
    set_catalog_groups(session, ctx, items=CatalogItems(course_ids=[course.id]), group_ids=[])
    assert entry_group_ids(session, ctx, added[0].id) == []
    last = event_data(session, ctx, "catalog.groups_changed")[-1]
    assert last["removed_group_ids"] == sorted([sales.id, support.id])
    assert last["group_ids"] == []

    assert remove_from_catalog(session, ctx, items=items) == 2
    assert remove_from_catalog(session, ctx, items=items) == 0  # removing twice is fine
    assert entries(session, ctx.tenant_id) == []
    assert session.scalars(select(CatalogEntryGroup)).all() == []
    removed = event_data(session, ctx, "catalog.item_removed")
    assert removed == [
        {"course_id": course.id, "group_ids": []},
        {"learning_path_id": path.id, "group_ids": [sales.id]},
    ]


def test_unknown_and_foreign_ids_change_nothing(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, theirs = make_tenant(session)
    course = make_course(session, ctx)
    foreign_group = make_group(session, theirs)
    foreign_path = make_learning_path(session, theirs)
    with pytest.raises(NotFoundMany) as raised:
        add_to_catalog(
            session,
            ctx,
            items=CatalogItems(course_ids=[course.id], learning_path_ids=[foreign_path.id]),
            group_ids=[foreign_group.id, 2**40],
        )
    assert raised.value.missing == {
        "learning_path_ids": [str(foreign_path.id)],
        "group_ids": [str(foreign_group.id), str(2**40)],
    }
    assert raised.value.field == "learning_path_ids"
    assert entries(session, ctx.tenant_id) == []
    with pytest.raises(NotFound) as raised_course:
        remove_from_catalog(session, ctx, items=CatalogItems(course_ids=[999_999]))
    assert raised_course.value.field == "course_ids"
    with pytest.raises(Invalid):
        add_to_catalog(session, ctx, items=CatalogItems())


def test_setting_groups_needs_the_item_listed(session: Session) -> None:
    _, ctx = make_tenant(session)
    listed, unlisted = make_course(session, ctx), make_course(session, ctx)
    add_to_catalog(session, ctx, items=CatalogItems(course_ids=[listed.id]))
    with pytest.raises(NotFound) as raised:
        set_catalog_groups(
            session, ctx, items=CatalogItems(course_ids=[listed.id, unlisted.id]), group_ids=[]
        )
    assert (raised.value.field, raised.value.ids) == ("course_ids", [str(unlisted.id)])
    assert raised.value.entity == "catalog entry"


def test_an_entry_holds_exactly_one_item(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    path = make_learning_path(session, ctx)
    with session.begin_nested():
        session.add(
            CatalogEntry(tenant_id=ctx.tenant_id, course_id=course.id, learning_path_id=path.id)
        )
        with pytest.raises(IntegrityError):
            session.flush()
