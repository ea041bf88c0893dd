"""API keys and SCIM tokens: random, hashed at rest, one program each, revocable, kind-bound."""

from __future__ import annotations

import base64

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.auth.keys import authenticate, tenant_has_domain
from syllabus.auth.secrets import hash_secret, hashes_match, new_secret
from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.domain.credentials import Credential
from syllabus.domain.events import Event
from syllabus.services.credentials import issue_credential, revoke_credential
from syllabus.services.tenants import NewTenant, add_domain, create_tenant


def _program(session: Session, acct_key: str) -> Context:
    tenant = create_tenant(
        session, data=NewTenant(acct_key=acct_key), actor="t", surface=Surface.CLI
    )
    return Context(tenant.id, "t", Surface.CLI)


def test_secrets_carry_at_least_32_random_bytes_and_never_repeat() -> None:
    secrets = {new_secret(CredentialKind.API_KEY) for _ in range(200)}
    assert len(secrets) == 200
    for secret in secrets:
        body = secret.removeprefix("sk_")
        assert len(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))) >= 32
    assert new_secret(CredentialKind.SCIM_TOKEN).startswith("scim_")


def test_only_a_hash_is_stored_and_the_event_names_no_secret(session: Session) -> None:
    ctx = _program(session, "hash.example")
    issued = issue_credential(session, ctx, kind=CredentialKind.API_KEY, label="hr-sync")
    stored = session.scalars(select(Credential).where(Credential.id == issued.credential.id)).one()
    assert stored.secret_hash == hash_secret(issued.secret)
    assert issued.secret not in stored.secret_hash
    assert stored.prefix == issued.secret[:12]
    events = session.scalars(select(Event).where(Event.tenant_id == ctx.tenant_id)).all()
    assert all(issued.secret not in str(event.data) for event in events)
    assert hashes_match(stored.secret_hash, issued.secret)
    assert not hashes_match(stored.secret_hash, issued.secret + "x")


def test_a_key_authenticates_exactly_its_program_and_kind(session: Session) -> None:
    first, second = _program(session, "one.example"), _program(session, "two.example")
    key = issue_credential(session, first, kind=CredentialKind.API_KEY).secret
    token = issue_credential(session, second, kind=CredentialKind.SCIM_TOKEN).secret
    principal = authenticate(session, key, CredentialKind.API_KEY)
    assert principal is not None
    assert principal.tenant_id == first.tenant_id
    assert principal.actor.startswith("key:")
    assert authenticate(session, key, CredentialKind.SCIM_TOKEN) is None
    assert authenticate(session, token, CredentialKind.API_KEY) is None
    scim = authenticate(session, token, CredentialKind.SCIM_TOKEN)
    assert scim is not None
    assert scim.tenant_id == second.tenant_id
    for junk in ("", "sk_", "x" * 5000, None):
        assert authenticate(session, junk, CredentialKind.API_KEY) is None


def test_revoking_one_key_leaves_the_others(session: Session) -> None:
    ctx = _program(session, "rotate.example")
    old = issue_credential(session, ctx, kind=CredentialKind.API_KEY, label="old")
    new = issue_credential(session, ctx, kind=CredentialKind.API_KEY, label="new")
    scim = issue_credential(session, ctx, kind=CredentialKind.SCIM_TOKEN, label="okta")
    revoke_credential(session, ctx, credential_id=old.credential.id)
    revoke_credential(session, ctx, credential_id=old.credential.id)  # idempotent
    assert authenticate(session, old.secret, CredentialKind.API_KEY) is None
    assert authenticate(session, new.secret, CredentialKind.API_KEY) is not None
    assert authenticate(session, scim.secret, CredentialKind.SCIM_TOKEN) is not None
    revoked = session.scalars(select(Event).where(Event.type == "credential.revoked")).all()
    assert [e.data["credential_id"] for e in revoked] == [old.credential.id]


def test_acct_key_must_be_one_of_the_programs_domains(session: Session) -> None:
    ctx = _program(session, "main.example")
    _program(session, "elsewhere.example")
    add_domain(session, ctx, name="learn.main.example")
    assert tenant_has_domain(session, ctx.tenant_id, "main.example")
    assert tenant_has_domain(session, ctx.tenant_id, " Learn.Main.Example ")
    assert not tenant_has_domain(session, ctx.tenant_id, "elsewhere.example")
