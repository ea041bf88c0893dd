"""Idempotency keys in the database: claim, keep, replay, conflict, takeover, purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, null, select, update
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.credentials import CredentialKind
from syllabus.domain.limits import IdempotencyKey
from syllabus.services.credentials import issue_credential
from syllabus.services.idempotency import (
    Claim,
    IdempotencyKeyInProgress,
    IdempotencyKeyReused,
    StoredResponse,
    claim_idempotency_key,
    complete_idempotency_key,
    hash_key,
    purge_expired_idempotency_keys,
    release_idempotency_key,
)
from tests.factories import make_tenant

TTL = timedelta(hours=24)
LEASE = timedelta(minutes=5)
OK = StoredResponse(201, "application/json", b'{"id":1}')


def _credential(session: Session, ctx: Context) -> int:
    return issue_credential(session, ctx, kind=CredentialKind.API_KEY).credential.id


def _claim(
    session: Session,
    tenant_id: int,
    credential_id: int,
    *,
    key: str = "k-1",
    fingerprint: str = "a" * 64,
    minutes: float = 0,
) -> Claim | StoredResponse:
    return claim_idempotency_key(
        session,
        tenant_id=tenant_id,
        credential_id=credential_id,
        key=key,
        fingerprint=fingerprint,
        now=utcnow() + timedelta(minutes=minutes),
        ttl=TTL,
        lease=LEASE,
    )


def test_first_claim_then_replay_of_the_kept_response(session: Session) -> None:
    tenant, ctx = make_tenant(session)
    cred = _credential(session, ctx)
    claim = _claim(session, tenant.id, cred)
    assert isinstance(claim, Claim)
    with pytest.raises(IdempotencyKeyInProgress):
        _claim(session, tenant.id, cred)
    complete_idempotency_key(session, claim, response=OK, now=utcnow())
    assert _claim(session, tenant.id, cred) == OK
    stored = session.scalars(select(IdempotencyKey.key_hash)).all()
    assert "k-1" not in stored
    assert hash_key("k-1") in stored


def test_same_key_other_request_is_refused(session: Session) -> None:
    tenant, ctx = make_tenant(session)
    cred = _credential(session, ctx)
    claim = _claim(session, tenant.id, cred)
    assert isinstance(claim, Claim)
    complete_idempotency_key(session, claim, response=OK, now=utcnow())
    with pytest.raises(IdempotencyKeyReused) as raised:
        _claim(session, tenant.id, cred, fingerprint="b" * 64)
    assert raised.value.field == "Idempotency-Key"


def test_keys_are_scoped_per_credential_and_per_program(session: Session) -> None:
    tenant, ctx = make_tenant(session)
    other_tenant, other_ctx = make_tenant(session)
    first, second = _credential(session, ctx), _credential(session, ctx)
    foreign = _credential(session, other_ctx)
    assert isinstance(_claim(session, tenant.id, first), Claim)
    assert isinstance(_claim(session, tenant.id, second), Claim)
    assert isinstance(_claim(session, other_tenant.id, foreign), Claim)


def test_release_lets_a_retry_run_again(session: Session) -> None:
    tenant, ctx = make_tenant(session)
    cred = _credential(session, ctx)
    claim = _claim(session, tenant.id, cred)
    assert isinstance(claim, Claim)
    release_idempotency_key(session, claim)
    assert isinstance(_claim(session, tenant.id, cred), Claim)


def test_an_abandoned_claim_is_taken_over_after_its_lease(session: Session) -> None:
    tenant, ctx = make_tenant(session)
    cred = _credential(session, ctx)
    first = _claim(session, tenant.id, cred)
    assert isinstance(first, Claim)
    with pytest.raises(IdempotencyKeyInProgress):
        _claim(session, tenant.id, cred, minutes=4)
    again = _claim(session, tenant.id, cred, minutes=6)
    assert again == first  # the same row, claimed anew
    with pytest.raises(IdempotencyKeyInProgress):
        _claim(session, tenant.id, cred, minutes=7)


def test_an_expired_key_starts_over_even_for_another_request(session: Session) -> None:
    tenant, ctx = make_tenant(session)
    cred = _credential(session, ctx)
    claim = _claim(session, tenant.id, cred)
    assert isinstance(claim, Claim)
    complete_idempotency_key(session, claim, response=OK, now=utcnow())
    later = 24 * 60 + 1
    fresh = _claim(session, tenant.id, cred, fingerprint="c" * 64, minutes=later)
    assert isinstance(fresh, Claim)


def test_purge_deletes_only_expired_keys(session: Session) -> None:
    tenant, ctx = make_tenant(session)
    cred = _credential(session, ctx)
    for index in range(3):
        assert isinstance(_claim(session, tenant.id, cred, key=f"old-{index}"), Claim)
    session.flush()
    later = utcnow() + TTL + timedelta(minutes=1)
    assert isinstance(_claim(session, tenant.id, cred, key="new", minutes=24 * 60 + 1), Claim)
    mine = IdempotencyKey.credential_id == cred
    assert purge_expired_idempotency_keys(session, now=later, limit=2) == 2
    assert purge_expired_idempotency_keys(session, now=later) == 1
    left = session.scalars(select(func.count()).select_from(IdempotencyKey).where(mine)).one()
    assert left == 1


def test_kept_headers_come_back_and_a_takeover_forgets_them(session: Session) -> None:
    tenant, ctx = make_tenant(session)
    cred = _credential(session, ctx)
    claim = _claim(session, tenant.id, cred)
    assert isinstance(claim, Claim)
    located = StoredResponse(201, "application/json", b"{}", {"Location": "https://h/x/1"})
    complete_idempotency_key(session, claim, response=located, now=utcnow())
    assert _claim(session, tenant.id, cred) == located
    later = 24 * 60 + 1
    assert isinstance(_claim(session, tenant.id, cred, fingerprint="c" * 64, minutes=later), Claim)
    kept = select(IdempotencyKey.headers).where(IdempotencyKey.credential_id == cred)
    assert session.scalar(kept) is None


def test_a_response_kept_without_headers_replays_with_none(session: Session) -> None:
    """Rows kept before the headers column (NULL there) replay status, type and body."""
    tenant, ctx = make_tenant(session)
    cred = _credential(session, ctx)
    claim = _claim(session, tenant.id, cred)
    assert isinstance(claim, Claim)
    complete_idempotency_key(session, claim, response=OK, now=utcnow())
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == claim.id)
        .values(headers=null())
        .execution_options(synchronize_session=False)
    )
    replay = _claim(session, tenant.id, cred)
    assert isinstance(replay, StoredResponse)
    assert (replay.status_code, replay.content_type, replay.body) == (201, OK.content_type, OK.body)
    assert replay.headers == {}
