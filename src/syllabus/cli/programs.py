"""``db``, ``tenant`` and ``key``: migrations, programs and their credentials."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy import select

from syllabus.cli.common import (
    CLI_ACTOR,
    fail,
    load_settings,
    out,
    redacted_url,
    session_factory,
    tenant_id_for,
)
from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.core.errors import DomainError
from syllabus.db.migrate import upgrade
from syllabus.db.session import unit_of_work
from syllabus.domain.tenants import Tenant
from syllabus.services.credentials import issue_credential, list_credentials, revoke_credential
from syllabus.services.rate_limits import program_rate_limit, set_program_rate_limit
from syllabus.services.tenants import NewTenant, open_program

db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
tenant_app = typer.Typer(help="Programs (tenants).", no_args_is_help=True)
key_app = typer.Typer(help="API keys and SCIM tokens.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations (the server does this itself on start)."""
    settings = load_settings()
    upgrade(settings.database_url, revision)
    out.print(f"database at {revision}: {redacted_url(settings.database_url)}")


@tenant_app.command("create")
def tenant_create(
    acct_key: str,
    name: Annotated[
        str | None, typer.Option(help="Display name; defaults to the acct_key.")
    ] = None,
    time_zone: Annotated[str, typer.Option(help="IANA time zone of the program.")] = "UTC",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Create a program and print its acct_key, a new API key and a new SCIM token (shown once)."""
    settings = load_settings()
    upgrade(settings.database_url)
    factory = session_factory(settings)
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            opened = open_program(
                session,
                data=NewTenant(acct_key=acct_key, name=name, time_zone=time_zone),
                actor=CLI_ACTOR,
                surface=Surface.CLI,
            )
            tenant, api_key, scim = opened.tenant, opened.api_key, opened.scim_token
    except DomainError as error:
        raise fail(error) from None
    if as_json:
        typer.echo(
            json.dumps({"acct_key": tenant.acct_key, "api_key": api_key, "scim_token": scim})
        )
        return
    out.print(f"acct_key:   {tenant.acct_key}")
    out.print(f"api_key:    {api_key}")
    out.print(f"scim_token: {scim}")
    out.print("[yellow]Keep these now: only their hashes are stored.[/yellow]")


@tenant_app.command("list")
def tenant_list() -> None:
    """List programs."""
    factory = session_factory(load_settings())
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        for tenant in session.scalars(select(Tenant).order_by(Tenant.id)):
            out.print(f"{tenant.id}\t{tenant.acct_key}\t{tenant.name}\t{tenant.time_zone}")


@tenant_app.command("limits")
def tenant_limits(
    acct_key: str,
    per_second: Annotated[
        float | None, typer.Option(help="Requests per second per key; 0 = no limit.")
    ] = None,
    burst: Annotated[float | None, typer.Option(help="Requests a key may make at once.")] = None,
    default: Annotated[
        bool, typer.Option("--default", help="Remove the override: the deployment's applies.")
    ] = False,
) -> None:
    """Show or set a program's rate limit per key (the override of SYLLABUS_RATE_LIMIT_*)."""
    settings = load_settings()
    factory = session_factory(settings)
    changing = default or per_second is not None or burst is not None
    try:
        with unit_of_work(factory, tenant_id=None, read_only=not changing) as session:
            ctx = Context(
                tenant_id=tenant_id_for(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI
            )
            if changing:
                set_program_rate_limit(
                    session,
                    ctx,
                    per_second=None if default else per_second,
                    burst=None if default else burst,
                )
            override = program_rate_limit(session, ctx.tenant_id)
    except DomainError as error:
        raise fail(error) from None
    if override is None:
        out.print(
            f"{acct_key}: deployment default, {settings.rate_limit_per_second:g}/s per key,"
            f" bursts of {settings.rate_limit_burst:g}"
        )
    elif not override.enabled:
        out.print(f"{acct_key}: no rate limit")
    else:
        out.print(f"{acct_key}: {override.per_second:g}/s per key, bursts of {override.burst:g}")


@key_app.command("create")
def key_create(
    acct_key: str,
    label: Annotated[str, typer.Option(help="What the key is for, e.g. 'okta' or 'hr-sync'.")] = "",
    scim: Annotated[
        bool, typer.Option("--scim", help="Create a SCIM bearer token instead.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create an API key (or SCIM token) for a program; the secret is printed once."""
    factory = session_factory(load_settings())
    kind = CredentialKind.SCIM_TOKEN if scim else CredentialKind.API_KEY
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            ctx = Context(
                tenant_id=tenant_id_for(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI
            )
            issued = issue_credential(session, ctx, kind=kind, label=label)
    except DomainError as error:
        raise fail(error) from None
    if as_json:
        typer.echo(
            json.dumps({"id": issued.credential.id, "kind": kind.value, "secret": issued.secret})
        )
    else:
        out.print(f"{kind.value} {issued.credential.id}: {issued.secret}")


@key_app.command("revoke")
def key_revoke(acct_key: str, key_id: int) -> None:
    """Revoke a key or token by id; it stops working at once."""
    factory = session_factory(load_settings())
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            ctx = Context(
                tenant_id=tenant_id_for(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI
            )
            revoke_credential(session, ctx, credential_id=key_id)
    except DomainError as error:
        raise fail(error) from None
    out.print(f"revoked {key_id}")


@key_app.command("list")
def key_list(acct_key: str) -> None:
    """List a program's keys and tokens (prefixes only; secrets are never stored)."""
    factory = session_factory(load_settings())
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        ctx = Context(
            tenant_id=tenant_id_for(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI
        )
        for c in list_credentials(session, ctx):
            state = f"revoked {c.revoked_at:%Y-%m-%d}" if c.revoked_at else "active"
            out.print(f"{c.id}\t{c.kind.value}\t{c.prefix}…\t{c.label}\t{state}")
