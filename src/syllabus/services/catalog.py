"""The catalog: which courses and learning paths learners can find, and for which groups.

An entry with no groups is visible to everyone; an entry restricted to groups is visible to
their members only. Every call is all or nothing: an unknown id of any kind changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid, NotFound, NotFoundMany
from syllabus.core.lookups import missing_ids
from syllabus.domain.catalog import CatalogEntry, CatalogEntryGroup
from syllabus.domain.courses import Course
from syllabus.domain.groups import Group
from syllabus.domain.learning_paths import LearningPath
from syllabus.services.events import record_event


@dataclass(frozen=True)
class CatalogItems:
    """Courses and learning paths named by one call (duplicates are ignored)."""

    course_ids: Sequence[int] = ()
    learning_path_ids: Sequence[int] = ()

    def unique(self) -> list[tuple[str, int]]:
        seen: dict[tuple[str, int], None] = {}
        for course_id in self.course_ids:
            seen[("course_id", course_id)] = None
        for path_id in self.learning_path_ids:
            seen[("learning_path_id", path_id)] = None
        return list(seen)


def _require_all(
    session: Session, ctx: Context, items: CatalogItems, group_ids: Sequence[int] = ()
) -> None:
    """Raise NotFoundMany naming every unknown course, learning path and group."""
    if not items.course_ids and not items.learning_path_ids:
        raise Invalid("course_ids", "course_ids or learning_path_ids is required")
    missing: dict[str, tuple[str, Sequence[object]]] = {}
    for field, entity, model, ids in (
        ("course_ids", "course", Course, items.course_ids),
        ("learning_path_ids", "learning path", LearningPath, items.learning_path_ids),
        ("group_ids", "user group", Group, group_ids),
    ):
        unknown = missing_ids(session, ctx, model, list(ids))
        if unknown:
            missing[field] = (entity, unknown)
    if missing:
        raise NotFoundMany(missing)


def _entry(session: Session, ctx: Context, key: tuple[str, int]) -> CatalogEntry | None:
    column = getattr(CatalogEntry, key[0])
    return session.scalars(
        select(CatalogEntry).where(CatalogEntry.tenant_id == ctx.tenant_id, column == key[1])
    ).first()


def entry_group_ids(session: Session, ctx: Context, entry_id: int) -> list[int]:
    """The groups an entry is restricted to, in id order (none: visible to everyone)."""
    return list(
        session.scalars(
            select(CatalogEntryGroup.group_id)
            .where(
                CatalogEntryGroup.tenant_id == ctx.tenant_id,
                CatalogEntryGroup.entry_id == entry_id,
            )
            .order_by(CatalogEntryGroup.group_id)
        )
    )


def _item(key: tuple[str, int]) -> dict[str, Any]:
    return {key[0]: key[1]}


def _set_groups(
    session: Session, ctx: Context, entry: CatalogEntry, group_ids: Sequence[int]
) -> tuple[list[int], list[int]]:
    """Make the entry's groups exactly ``group_ids``; returns (added, removed)."""
    current = set(entry_group_ids(session, ctx, entry.id))
    wanted = list(dict.fromkeys(group_ids))
    added = [g for g in wanted if g not in current]
    removed = sorted(current - set(wanted))
    if removed:
        session.execute(
            delete(CatalogEntryGroup).where(
                CatalogEntryGroup.tenant_id == ctx.tenant_id,
                CatalogEntryGroup.entry_id == entry.id,
                CatalogEntryGroup.group_id.in_(removed),
            )
        )
    session.add_all(
        CatalogEntryGroup(tenant_id=ctx.tenant_id, entry_id=entry.id, group_id=g) for g in added
    )
    session.flush()
    return added, removed


def _groups_event(
    session: Session,
    ctx: Context,
    key: tuple[str, int],
    entry: CatalogEntry,
    added: list[int],
    removed: list[int],
) -> None:
    if added or removed:
        record_event(
            session,
            ctx,
            "catalog.groups_changed",
            {
                **_item(key),
                "added_group_ids": added,
                "removed_group_ids": removed,
                "group_ids": entry_group_ids(session, ctx, entry.id),
            },
        )


def add_to_catalog(
    session: Session, ctx: Context, *, items: CatalogItems, group_ids: Sequence[int] = ()
) -> list[CatalogEntry]:
    """List the items in the catalog; ``group_ids`` are added to each item's restriction.

    An item already listed stays listed (a retried call succeeds) and keeps its groups,
    gaining those given.
    """
    _require_all(session, ctx, items, group_ids)
    entries = []
    for key in items.unique():
        entry = _entry(session, ctx, key)
        if entry is None:
            entry = CatalogEntry(tenant_id=ctx.tenant_id, **_item(key))
            session.add(entry)
            session.flush()
            _set_groups(session, ctx, entry, group_ids)
            record_event(
                session,
                ctx,
                "catalog.item_added",
                {**_item(key), "group_ids": entry_group_ids(session, ctx, entry.id)},
            )
        else:
            current = entry_group_ids(session, ctx, entry.id)
            added, removed = _set_groups(session, ctx, entry, [*current, *group_ids])
            _groups_event(session, ctx, key, entry, added, removed)
        entries.append(entry)
    return entries


def set_catalog_groups(
    session: Session, ctx: Context, *, items: CatalogItems, group_ids: Sequence[int]
) -> list[CatalogEntry]:
    """Restrict each listed item to exactly ``group_ids`` (none: visible to everyone).

    Every item must already be in the catalog.
    """
    _require_all(session, ctx, items, group_ids)
    found = [(key, _entry(session, ctx, key)) for key in items.unique()]
    for field, plural in (("course_id", "course_ids"), ("learning_path_id", "learning_path_ids")):
        absent = [key[1] for key, entry in found if entry is None and key[0] == field]
        if absent:
            raise NotFound("catalog entry", absent, field=plural)
    entries = []
    for key, entry in found:
        assert entry is not None  # checked above
        added, removed = _set_groups(session, ctx, entry, group_ids)
        _groups_event(session, ctx, key, entry, added, removed)
        entries.append(entry)
    return entries


def remove_from_catalog(session: Session, ctx: Context, *, items: CatalogItems) -> int:
    """Unlist the items (and drop their group restrictions); returns how many were listed.

    Removing an item that is not listed is fine.
    """
    _require_all(session, ctx, items)
    removed = 0
    for key in items.unique():
        entry = _entry(session, ctx, key)
        if entry is None:
            continue
        group_ids = entry_group_ids(session, ctx, entry.id)
        session.execute(
            delete(CatalogEntryGroup).where(
                CatalogEntryGroup.tenant_id == ctx.tenant_id,
                CatalogEntryGroup.entry_id == entry.id,
            )
        )
        session.delete(entry)
        session.flush()
        record_event(session, ctx, "catalog.item_removed", {**_item(key), "group_ids": group_ids})
        removed += 1
    return removed
