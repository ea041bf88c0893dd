"""Issuing and revoking API keys and SCIM tokens."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.auth.secrets import hash_secret, new_secret, shown_prefix
from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.credentials import CredentialKind
from syllabus.core.errors import NotFound
from syllabus.core.lookups import possible_id
from syllabus.core.validation import clean_text
from syllabus.domain.credentials import Credential
from syllabus.services.events import record_event


@dataclass(frozen=True)
class IssuedCredential:
    credential: Credential
    secret: str
    """Shown to the caller exactly once; only its hash is stored."""


def issue_credential(
    session: Session, ctx: Context, *, kind: CredentialKind, label: str = ""
) -> IssuedCredential:
    secret = new_secret(kind)
    credential = Credential(
        tenant_id=ctx.tenant_id,
        kind=kind,
        label=clean_text(label, "label", max_length=100) or "",
        prefix=shown_prefix(secret),
        secret_hash=hash_secret(secret),
    )
    session.add(credential)
    session.flush()
    record_event(
        session,
        ctx,
        "credential.created",
        {"credential_id": credential.id, "kind": kind.value, "label": credential.label},
    )
    return IssuedCredential(credential=credential, secret=secret)


def revoke_credential(session: Session, ctx: Context, *, credential_id: int) -> Credential:
    if not possible_id(credential_id):
        raise NotFound("credential", [credential_id], field="credential_id")
    credential = session.scalars(
        select(Credential).where(
            Credential.id == credential_id, Credential.tenant_id == ctx.tenant_id
        )
    ).first()
    if credential is None:
        raise NotFound("credential", [credential_id], field="credential_id")
    if credential.revoked_at is None:
        credential.revoked_at = utcnow()
        session.flush()
        record_event(
            session,
            ctx,
            "credential.revoked",
            {"credential_id": credential.id, "kind": credential.kind.value},
        )
    return credential


def list_credentials(session: Session, ctx: Context) -> list[Credential]:
    return list(
        session.scalars(
            select(Credential).where(Credential.tenant_id == ctx.tenant_id).order_by(Credential.id)
        )
    )
