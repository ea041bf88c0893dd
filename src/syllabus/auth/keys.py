"""Resolve a presented API key or SCIM token to the one program it authenticates."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.auth.secrets import hash_secret, hashes_match
from syllabus.core.credentials import CredentialKind
from syllabus.domain.credentials import Credential
from syllabus.domain.tenants import Domain, Tenant

MAX_SECRET_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Principal:
    tenant_id: int
    credential_id: int
    kind: CredentialKind
    acct_key: str
    """The program's acct_key (its first domain), for answers that name the program."""
    time_zone: str
    """The program's IANA time zone, which some dialects render times in."""

    @property
    def actor(self) -> str:
        return f"{'key' if self.kind is CredentialKind.API_KEY else 'scim'}:{self.credential_id}"


def authenticate(session: Session, secret: str | None, kind: CredentialKind) -> Principal | None:
    """Return who the secret is, or None. A key of the other kind never matches."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    digest = hash_secret(secret)
    row = session.execute(
        select(
            Credential.id,
            Credential.tenant_id,
            Credential.secret_hash,
            Tenant.acct_key,
            Tenant.time_zone,
        )
        .join(Tenant, Tenant.id == Credential.tenant_id)
        .where(
            Credential.secret_hash == digest,
            Credential.kind == kind,
            Credential.revoked_at.is_(None),
        )
    ).first()
    if row is None or not hashes_match(row.secret_hash, secret):
        return None
    return Principal(
        tenant_id=row.tenant_id,
        credential_id=row.id,
        kind=kind,
        acct_key=row.acct_key,
        time_zone=row.time_zone,
    )


def tenant_has_domain(session: Session, tenant_id: int, name: str) -> bool:
    """True when ``name`` is one of the program's domains (the first is its acct_key)."""
    found = session.execute(
        select(Domain.id).where(Domain.tenant_id == tenant_id, Domain.name == name.strip().lower())
    ).first()
    return found is not None
