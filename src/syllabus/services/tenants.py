"""Programs and their domains."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.core.errors import Conflict, NotFound
from syllabus.core.validation import (
    clean_enum,
    clean_hostname,
    clean_text,
    clean_time_zone,
)
from syllabus.domain.tenants import Domain, DomainAccess, Tenant
from syllabus.services.credentials import issue_credential
from syllabus.services.events import record_event


@dataclass(frozen=True)
class NewTenant:
    acct_key: str
    name: str | None = None
    time_zone: str = "UTC"


def create_tenant(session: Session, *, data: NewTenant, actor: str, surface: Surface) -> Tenant:
    """Create a program with its first domain, named by its acct_key."""
    acct_key = clean_hostname(data.acct_key, "acct_key")
    name = clean_text(data.name, "name", max_length=200) or acct_key
    time_zone = clean_time_zone(data.time_zone)
    if session.scalar(select(Tenant.id).where(Tenant.acct_key == acct_key)) is not None:
        raise Conflict(f"a program with acct_key {acct_key} already exists", field="acct_key")
    taken = select(Domain.id).where(Domain.name == acct_key).execution_options(all_tenants=True)
    if session.scalar(taken) is not None:
        raise Conflict(f"domain {acct_key} is already in use", field="acct_key")
    tenant = Tenant(name=name, acct_key=acct_key, time_zone=time_zone, settings={})
    session.add(tenant)
    session.flush()
    session.add(Domain(tenant_id=tenant.id, name=acct_key, position=0, catalog_title=name))
    session.flush()
    ctx = Context(tenant_id=tenant.id, actor=actor, surface=surface)
    record_event(session, ctx, "program.created", {"acct_key": acct_key, "name": name})
    return tenant


@dataclass(frozen=True)
class OpenedProgram:
    """A new program and the secrets to call it with, shown to the caller exactly once."""

    tenant: Tenant
    api_key: str
    scim_token: str


def open_program(
    session: Session, *, data: NewTenant, actor: str, surface: Surface, label: str = "initial"
) -> OpenedProgram:
    """Create the program (program.created) with an API key and a SCIM token
    (credential.created each), so it can be called at once."""
    tenant = create_tenant(session, data=data, actor=actor, surface=surface)
    ctx = Context(tenant_id=tenant.id, actor=actor, surface=surface)
    api_key = issue_credential(session, ctx, kind=CredentialKind.API_KEY, label=label)
    scim = issue_credential(session, ctx, kind=CredentialKind.SCIM_TOKEN, label=label)
    return OpenedProgram(tenant=tenant, api_key=api_key.secret, scim_token=scim.secret)


def add_domain(
    session: Session,
    ctx: Context,
    *,
    name: str,
    catalog_title: str = "",
    access: str = DomainAccess.PRIVATE.value,
) -> Domain:
    hostname = clean_hostname(name, "name")
    access_value = clean_enum(access, DomainAccess, "access")
    if (
        session.scalar(
            select(Domain.id).where(Domain.name == hostname).execution_options(all_tenants=True)
        )
        is not None
    ):
        raise Conflict(f"domain {hostname} is already in use", field="name")
    position = session.scalar(
        select(func.coalesce(func.max(Domain.position), -1) + 1).where(
            Domain.tenant_id == ctx.tenant_id
        )
    )
    domain = Domain(
        tenant_id=ctx.tenant_id,
        name=hostname,
        position=position or 0,
        catalog_title=clean_text(catalog_title, "catalog_title", max_length=100_000) or "",
        access=access_value,
    )
    session.add(domain)
    session.flush()
    record_event(session, ctx, "domain.created", {"domain_id": domain.id, "name": hostname})
    return domain


def primary_domain_id(session: Session, ctx: Context) -> int:
    """The id alone: creating a user needs only this, and it is read on every create."""
    domain_id = session.scalar(
        select(Domain.id)
        .where(Domain.tenant_id == ctx.tenant_id)
        .order_by(Domain.position, Domain.id)
        .limit(1)
    )
    if domain_id is None:
        raise NotFound("domain", field="domain")
    return int(domain_id)


def primary_domain(session: Session, ctx: Context) -> Domain:
    domain = session.scalars(
        select(Domain)
        .where(Domain.tenant_id == ctx.tenant_id)
        .order_by(Domain.position, Domain.id)
        .limit(1)
    ).first()
    if domain is None:
        raise NotFound("domain", field="domain")
    return domain
