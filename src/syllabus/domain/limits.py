"""Request guards kept in the database: rate-limit buckets and idempotency keys.

Both are keyed by the credential that made the request, so one program's integrations do not
share a budget or a key space with another's (and keys never collide across programs).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Double,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.core.clock import utcnow
from syllabus.domain.base import Base, BigId, TenantScoped


class RateLimitBucket(Base):
    """One credential's token bucket, stored as a GCRA "theoretical arrival time".

    Not TenantScoped: it is read and written only by one statement keyed by credential id,
    before any tenant-scoped session exists. Times are epoch seconds of the database's clock,
    so several server processes (or machines) agree on them.
    """

    __tablename__ = "rate_limit_buckets"

    credential_id: Mapped[int] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    tat: Mapped[float] = mapped_column(Double)
    """When the bucket is full again if nothing else is taken; ``tat - now`` is the debt."""
    seen_at: Mapped[float] = mapped_column(Double)
    """The database's clock at the last take (what ``tat`` is compared with)."""
    granted: Mapped[int] = mapped_column(default=1)
    """Tokens the last lease got (0: refused): returned by the same statement that decided it."""


class IdempotencyState(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class IdempotencyKey(TenantScoped, Base):
    """A request made with an ``Idempotency-Key``: claimed before it runs, then its response.

    Only a SHA-256 of the client's key is stored. The unique constraint is what keeps two
    concurrent requests with one key from both running: the second insert fails.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("tenant_id", "credential_id", "key_hash"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    credential_id: Mapped[int] = mapped_column(ForeignKey("credentials.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    """SHA-256 of method, path and canonical parameters: the same key with another body is
    a client error, not a replay."""
    state: Mapped[IdempotencyState] = mapped_column(
        Enum(
            IdempotencyState,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=IdempotencyState.IN_PROGRESS,
    )
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    content_type: Mapped[str | None] = mapped_column(String(200), default=None)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)
    """The answer's replayable headers (``ETag``, ``Location``...; see the guard's allow-list).
    NULL for answers kept before they were stored: those replay without them."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime] = mapped_column(default=utcnow)
    """While in progress: after this, the claim is taken to be abandoned (a crashed process)."""
    expires_at: Mapped[datetime] = mapped_column(default=utcnow)
