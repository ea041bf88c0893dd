"""Many-to-many links (group members and courses, path users and groups), added and removed
one way: idempotent, set-based, one event per link that really changed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import chunks, possible_ids
from syllabus.domain.base import Base
from syllabus.services.bulk import insert_rows
from syllabus.services.events import record_events


@dataclass(frozen=True)
class LinkKind:
    model: type[Base]
    owner: str
    """The link table's column naming the owner (``group_id``, ``path_id``)."""
    member: str
    """The column naming the linked row (``user_id``, ``course_id``, ``group_id``)."""
    owner_in_events: str
    added: str
    removed: str

    def column(self, name: str) -> Any:
        return getattr(self.model, name)


def _linked(
    session: Session, ctx: Context, kind: LinkKind, owner_id: int, ids: list[int]
) -> set[int]:
    found: set[int] = set()
    for part in chunks(possible_ids(ids)):
        found.update(
            session.scalars(
                select(kind.column(kind.member)).where(
                    kind.column("tenant_id") == ctx.tenant_id,
                    kind.column(kind.owner) == owner_id,
                    kind.column(kind.member).in_(part),
                )
            )
        )
    return found


def _events(kind: LinkKind, owner_id: int, ids: Sequence[int]) -> list[dict[str, Any]]:
    return [{kind.owner_in_events: owner_id, kind.member: member} for member in ids]


def add_links(
    session: Session, ctx: Context, kind: LinkKind, owner_id: int, member_ids: list[int]
) -> list[int]:
    """Link the members not linked yet; returns them (the table's defaults fill the rest)."""
    existing = _linked(session, ctx, kind, owner_id, member_ids)
    new = [m for m in member_ids if m not in existing]
    insert_rows(
        session,
        kind.model,
        [{"tenant_id": ctx.tenant_id, kind.owner: owner_id, kind.member: m} for m in new],
    )
    record_events(session, ctx, kind.added, _events(kind, owner_id, new))
    return new


def remove_links(
    session: Session, ctx: Context, kind: LinkKind, owner_id: int, member_ids: list[int]
) -> list[int]:
    """Unlink the members that are linked; returns them."""
    existing = _linked(session, ctx, kind, owner_id, member_ids)
    gone = [m for m in member_ids if m in existing]
    for part in chunks(gone):
        session.execute(
            delete(kind.model).where(
                kind.column("tenant_id") == ctx.tenant_id,
                kind.column(kind.owner) == owner_id,
                kind.column(kind.member).in_(part),
            )
        )
    record_events(session, ctx, kind.removed, _events(kind, owner_id, gone))
    return gone
