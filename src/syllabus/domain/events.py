"""The transactional outbox: every domain change records its events here, in its transaction.

The outbox is the single source for webhooks, the event feed and the audit trail, so rows
are append-only; ``dispatched_at`` only says the worker has fanned the event out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, FetchedValue, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.core.clock import utcnow
from syllabus.domain.base import Base, BigId


class Event(Base):
    """Not TenantScoped on purpose: the worker reads all tenants' events; readers filter."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_tenant_seq", "tenant_id", "id"),
        Index(
            "ix_events_undispatched",
            "id",
            postgresql_where=text("dispatched_at IS NULL"),
            sqlite_where=text("dispatched_at IS NULL"),
        ),
        Index("ix_events_tenant_txid", "tenant_id", "txid", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    """Commit-ordered sequence: the feed's cursor."""
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    """UUIDv7, the id receivers see and de-duplicate on."""
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    surface: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None)
    txid: Mapped[int | None] = mapped_column(BigInteger, server_default=FetchedValue())
    """PostgreSQL: the writing transaction's id (a server default). The feed orders by
    (txid, id) and shows only transactions older than every one still running, so an event
    committed late can never land behind a cursor a reader already holds. NULL on SQLite,
    where writers are serialized and id order is commit order."""
