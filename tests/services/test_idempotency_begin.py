"""``begin_idempotent_request``: the guard's one call, claiming with or without the purge."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.credentials import CredentialKind
from syllabus.domain.limits import IdempotencyKey
from syllabus.services.credentials import issue_credential
from syllabus.services.idempotency import Claim, begin_idempotent_request
from tests.factories import make_tenant

TTL = timedelta(hours=24)
LEASE = timedelta(minutes=5)


def test_claims_and_purges_expired_keys_only_when_asked(session: Session) -> None:
    tenant, ctx = make_tenant(session)
    cred = issue_credential(session, ctx, kind=CredentialKind.API_KEY).credential.id
    now = utcnow()

    def begin(key: str, at: timedelta, purge: bool) -> Claim | object:
        return begin_idempotent_request(
            session,
            tenant_id=tenant.id,
            credential_id=cred,
            key=key,
            fingerprint="a" * 64,
            now=now + at,
            ttl=TTL,
            lease=LEASE,
            purge_expired=purge,
        )

    def kept() -> int:
        mine = IdempotencyKey.credential_id == cred
        return int(
            session.scalars(select(func.count()).select_from(IdempotencyKey).where(mine)).one()
        )

    assert isinstance(begin("old", timedelta(), purge=False), Claim)
    later = TTL + timedelta(minutes=1)
    assert isinstance(begin("new", later, purge=False), Claim)
    assert kept() == 2  # the expired key stays until a purge
    assert isinstance(begin("newer", later, purge=True), Claim)
    assert kept() == 2  # "old" went, "newer" came
