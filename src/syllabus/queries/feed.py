"""The event feed: a program's outbox events in a commit-safe order, read by cursor.

PostgreSQL hands out event ids when rows are inserted, not when they commit, so a reader
ordering by id alone can pass id 50 while id 49's transaction is still open, and never see
49. Each event therefore carries its transaction's id (``txid``, a server default), and a
read shows only events whose transaction is older than every transaction still running
(``pg_snapshot_xmin`` of the reader's snapshot), ordered by (txid, id). Every later commit
then has a txid at or above that horizon, so it sorts after anything already read: each
event is seen exactly once, in one stable order, by any number of readers and servers. A
transaction left open holds the feed back (never skips it). SQLite serializes writers and
allocates ids inside the write lock, so there id order is commit order and txid is 0.

The cursor is ``<txid>-<id>`` of the last event read; it names a position, not a row, so
it survives restarts. A cursor whose event has been pruned by retention is ``Expired``
(``0-0`` reads from the oldest retained event).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, literal, select, text, tuple_
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.domain.events import Event
from syllabus.queries.users import user_emails

MAX_LIMIT = 1000
_CURSOR = re.compile(r"^(\d{1,20})-(\d{1,20})$")


class Expired(Exception):
    """The cursor points before the retained events: some may have been pruned."""


@dataclass(frozen=True, order=True)
class Cursor:
    txid: int
    id: int

    def __str__(self) -> str:
        return f"{self.txid}-{self.id}"

    @classmethod
    def parse(cls, value: str, field: str = "after") -> Cursor:
        match = _CURSOR.match(value.strip())
        if match is None:
            raise Invalid(field, f"{field} is not a cursor from this feed")
        txid, row_id = int(match[1]), int(match[2])
        if txid >= 2**63 or row_id >= 2**63:
            raise Invalid(field, f"{field} is not a cursor from this feed")
        return cls(txid, row_id)


@dataclass(frozen=True)
class FeedEvent:
    cursor: Cursor
    event_id: str
    type: str
    occurred_at: datetime
    surface: str
    actor: str
    data: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "cursor": str(self.cursor),
            "id": self.event_id,
            "type": self.type,
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "surface": self.surface,
            "actor": self.actor,
            "data": self.data,
        }


@dataclass(frozen=True)
class FeedPage:
    events: list[FeedEvent]
    next: Cursor | None
    """Where to read from next: the last event's cursor, or the one given when empty."""
    user_emails: dict[int, str] = field(default_factory=dict)
    """The emails of the users that ``user.*`` events of the page are about and do not name
    themselves (one query a page), so a reader can match them to the people it knows."""


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _txid(session: Session) -> Any:
    return Event.txid if _is_postgres(session) else literal(0)


def read_feed(
    session: Session,
    ctx: Context,
    *,
    after: Cursor | None,
    types: Sequence[str] = (),
    limit: int = 100,
) -> FeedPage:
    """One page after ``after`` (from the oldest retained event when None)."""
    tenant_id = ctx.tenant_id
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid("limit", f"limit must be between 1 and {MAX_LIMIT}")
    postgres = _is_postgres(session)
    if after is not None:
        _check_retained(session, tenant_id, after)
    stmt: Select[Any] = select(
        _txid(session).label("txid"),
        Event.id,
        Event.event_id,
        Event.type,
        Event.occurred_at,
        Event.surface,
        Event.actor,
        Event.data,
    ).where(Event.tenant_id == tenant_id)
    if postgres:
        horizon = text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        stmt = stmt.where(Event.txid < horizon)
        if after is not None:
            stmt = stmt.where(tuple_(Event.txid, Event.id) > tuple_(after.txid, after.id))
        stmt = stmt.order_by(Event.txid, Event.id)
    else:
        if after is not None:
            stmt = stmt.where(Event.id > after.id)
        stmt = stmt.order_by(Event.id)
    if types:
        stmt = stmt.where(Event.type.in_(list(types)))
    rows = session.execute(stmt.limit(limit)).all()
    events = [
        FeedEvent(
            Cursor(int(r.txid or 0), r.id),
            r.event_id,
            r.type,
            r.occurred_at,
            r.surface,
            r.actor,
            r.data,
        )
        for r in rows
    ]
    return FeedPage(
        events, events[-1].cursor if events else after, _user_emails(session, ctx, events)
    )


def _user_emails(session: Session, ctx: Context, events: Sequence[FeedEvent]) -> dict[int, str]:
    wanted = [
        e.data["user_id"]
        for e in events
        if e.type.startswith("user.") and "email" not in e.data and "user_id" in e.data
    ]
    if not wanted:
        return {}
    return user_emails(session, ctx, wanted)


def _check_retained(session: Session, tenant_id: int, after: Cursor) -> None:
    """A cursor is good while its own event is kept; once retention pruned it, events
    after it may be gone too, and the reader must start again knowingly."""
    if after.id == 0:
        return
    kept = session.scalar(
        select(Event.id).where(Event.tenant_id == tenant_id, Event.id == after.id)
    )
    if kept is None:
        raise Expired(str(after))
