"""Idempotency keys: claim a key before a write runs, keep its response, replay it on retry.

The caller owns the transactions, as everywhere in services, but the protocol needs three:
the claim commits on its own (so a concurrent duplicate sees it), the response is stored in
the request's own transaction where the caller can (so a crash never leaves work done but
unrecorded), and a failed request releases its claim.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Table, delete, null, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from syllabus.core.errors import DomainError
from syllabus.domain.limits import IdempotencyKey, IdempotencyState

MAX_KEY_LENGTH = 255


class IdempotencyKeyInProgress(DomainError):
    """Another request with this key is still running."""

    code = "idempotency_in_progress"


class IdempotencyKeyReused(DomainError):
    """The key was first used for a different request (method, path or parameters)."""

    code = "idempotency_key_reused"


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A kept answer. ``headers`` are the ones a replay repeats; the caller chooses them (the
    HTTP guard keeps an allow-list), this module stores and returns them as given."""

    status_code: int
    content_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Claim:
    id: int


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def claim_idempotency_key(
    session: Session,
    *,
    tenant_id: int,
    credential_id: int,
    key: str,
    fingerprint: str,
    now: datetime,
    ttl: timedelta,
    lease: timedelta,
) -> Claim | StoredResponse:
    """Claim ``key`` for a request about to run, or return the response it already produced.

    Raises ``IdempotencyKeyReused`` when the key belongs to another request and
    ``IdempotencyKeyInProgress`` while its first request runs. A claim whose key expired, or
    whose request was abandoned (lease over: its process died before it committed anything,
    since the response is stored with the work), is taken over.
    """
    key_hash = hash_key(key)
    values = {
        "tenant_id": tenant_id,
        "credential_id": credential_id,
        "key_hash": key_hash,
        "fingerprint": fingerprint,
        "state": IdempotencyState.IN_PROGRESS,
        "created_at": now,
        "locked_until": now + lease,
        "expires_at": now + ttl,
    }
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    inserted = session.scalar(
        dialect.insert(IdempotencyKey)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["tenant_id", "credential_id", "key_hash"])
        .returning(IdempotencyKey.id)
    )
    if inserted is not None:
        return Claim(int(inserted))
    row = session.execute(
        select(
            IdempotencyKey.id,
            IdempotencyKey.fingerprint,
            IdempotencyKey.state,
            IdempotencyKey.status_code,
            IdempotencyKey.content_type,
            IdempotencyKey.body,
            IdempotencyKey.headers,
            IdempotencyKey.locked_until,
            IdempotencyKey.expires_at,
        ).where(
            IdempotencyKey.tenant_id == tenant_id,
            IdempotencyKey.credential_id == credential_id,
            IdempotencyKey.key_hash == key_hash,
        )
    ).one()
    expired = row.expires_at <= now
    abandoned = row.state is IdempotencyState.IN_PROGRESS and row.locked_until <= now
    if not expired and row.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was used for a different request", field="Idempotency-Key"
        )
    if expired or abandoned:
        # Conditional, so of two duplicates racing for a stale claim exactly one wins.
        taken = session.execute(
            update(IdempotencyKey)
            .where(
                IdempotencyKey.id == row.id,
                (IdempotencyKey.expires_at <= now)
                | (
                    (IdempotencyKey.state == IdempotencyState.IN_PROGRESS)
                    & (IdempotencyKey.locked_until <= now)
                ),
            )
            .values(
                fingerprint=fingerprint,
                state=IdempotencyState.IN_PROGRESS,
                status_code=None,
                content_type=None,
                body=None,
                headers=null(),
                created_at=now,
                locked_until=now + lease,
                expires_at=now + ttl if expired else row.expires_at,
            )
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return Claim(int(row.id))
        raise IdempotencyKeyInProgress(
            "a request with this Idempotency-Key is in progress", field="Idempotency-Key"
        )
    if row.state is IdempotencyState.IN_PROGRESS:
        raise IdempotencyKeyInProgress(
            "a request with this Idempotency-Key is in progress", field="Idempotency-Key"
        )
    return StoredResponse(
        int(row.status_code),
        str(row.content_type),
        bytes(row.body or b""),
        _headers(row.headers),
    )


def _headers(stored: object) -> dict[str, str]:
    """The kept headers; NULL (answers kept before headers were) is none."""
    if not isinstance(stored, dict):
        return {}
    return {str(name): str(value) for name, value in stored.items()}


def complete_idempotency_key(
    session: Session, claim: Claim, *, response: StoredResponse, now: datetime
) -> None:
    """Keep the response of the claimed request (in its transaction, where possible)."""
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == claim.id)
        .values(
            state=IdempotencyState.COMPLETED,
            status_code=response.status_code,
            content_type=response.content_type,
            body=response.body,
            headers=dict(response.headers),
            locked_until=now,
        )
        .execution_options(synchronize_session=False)
    )


def release_idempotency_key(session: Session, claim: Claim) -> None:
    """Forget a claim whose request failed, so a retry runs it again."""
    session.execute(
        delete(IdempotencyKey)
        .where(
            IdempotencyKey.id == claim.id,
            IdempotencyKey.state == IdempotencyState.IN_PROGRESS,
        )
        .execution_options(synchronize_session=False)
    )


def settle_idempotency_key(
    session: Session, claim: Claim, *, response: StoredResponse, now: datetime
) -> None:
    """Keep the answer of a request that ran outside the key's transaction; a 5xx releases the
    key instead, so a retry runs the request again rather than replaying the failure."""
    if response.status_code >= 500:
        release_idempotency_key(session, claim)
    else:
        complete_idempotency_key(session, claim, response=response, now=now)


def purge_expired_idempotency_keys(session: Session, *, now: datetime, limit: int = 1000) -> int:
    """Delete up to ``limit`` expired keys of every program; returns how many went."""
    table: Table = IdempotencyKey.__table__  # type: ignore[assignment]
    batch = select(table.c.id).where(table.c.expires_at < now).limit(limit)
    result = session.connection().execute(delete(table).where(table.c.id.in_(batch)))
    return int(result.rowcount)


def begin_idempotent_request(
    session: Session,
    *,
    tenant_id: int,
    credential_id: int,
    key: str,
    fingerprint: str,
    now: datetime,
    ttl: timedelta,
    lease: timedelta,
    purge_expired: bool = False,
) -> Claim | StoredResponse:
    """What a request with an ``Idempotency-Key`` does first, in one transaction: claim the
    key (``claim_idempotency_key``), having deleted expired keys when ``purge_expired`` (the
    lazy, rate-limited housekeeping the guard does for every program)."""
    if purge_expired:
        purge_expired_idempotency_keys(session, now=now)
    return claim_idempotency_key(
        session,
        tenant_id=tenant_id,
        credential_id=credential_id,
        key=key,
        fingerprint=fingerprint,
        now=now,
        ttl=ttl,
        lease=lease,
    )
