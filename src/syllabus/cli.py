"""The ``syllabus`` command: serve, worker, db, tenant, key, demo."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
from datetime import datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from syllabus.auth.sessions import load_or_create_secret_key
from syllabus.config import Settings
from syllabus.db.engine import make_engine
from syllabus.db.migrate import upgrade
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.delivery.webhooks import attach_webhooks
from syllabus.delivery.worker import Worker
from syllabus.demo import ensure_demo_program
from syllabus.dialects.skilljar.ids import IdCodec
from syllabus.domain.credentials import CredentialKind
from syllabus.domain.events import Surface
from syllabus.domain.tenants import Tenant
from syllabus.domain.webhooks import Webhook
from syllabus.services.context import Context
from syllabus.services.credentials import issue_credential, list_credentials, revoke_credential
from syllabus.services.errors import DomainError
from syllabus.services.tenants import NewTenant, create_tenant
from syllabus.services.webhooks import (
    WebhookData,
    create_webhook,
    delete_webhook,
    replay_deliveries,
    rotate_webhook_secret,
)

app = typer.Typer(
    help="Syllabus learning-management server.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
tenant_app = typer.Typer(help="Programs (tenants).", no_args_is_help=True)
key_app = typer.Typer(help="API keys and SCIM tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(tenant_app, name="tenant")
app.add_typer(key_app, name="key")
err = Console(stderr=True)
out = Console()

CLI_ACTOR = "cli"


def _settings() -> Settings:
    return Settings.from_env()


def _factory(settings: Settings):  # type: ignore[no-untyped-def]
    return make_sessionmaker(make_engine(settings.database_url))


def _fail(error: DomainError) -> typer.Exit:
    field = f" ({error.field})" if error.field else ""
    err.print(f"[red]error{field}:[/red] {error.message}")
    return typer.Exit(code=1)


def _tenant_id(session, acct_key: str) -> int:  # type: ignore[no-untyped-def]
    tenant_id = session.scalar(select(Tenant.id).where(Tenant.acct_key == acct_key.lower()))
    if tenant_id is None:
        err.print(f"[red]error:[/red] no program with acct_key {acct_key}")
        raise typer.Exit(code=1)
    return int(tenant_id)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations (the server does this itself on start)."""
    settings = _settings()
    upgrade(settings.database_url, revision)
    out.print(f"database at {revision}: {_redacted(settings.database_url)}")


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


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
    settings = _settings()
    upgrade(settings.database_url)
    factory = _factory(settings)
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            tenant = create_tenant(
                session,
                data=NewTenant(acct_key=acct_key, name=name, time_zone=time_zone),
                actor=CLI_ACTOR,
                surface=Surface.CLI,
            )
            ctx = Context(tenant_id=tenant.id, actor=CLI_ACTOR, surface=Surface.CLI)
            api_key = issue_credential(
                session, ctx, kind=CredentialKind.API_KEY, label="initial"
            ).secret
            scim = issue_credential(
                session, ctx, kind=CredentialKind.SCIM_TOKEN, label="initial"
            ).secret
    except DomainError as error:
        raise _fail(error) from None
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
    factory = _factory(_settings())
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        for tenant in session.scalars(select(Tenant).order_by(Tenant.id)):
            out.print(f"{tenant.id}\t{tenant.acct_key}\t{tenant.name}\t{tenant.time_zone}")


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
    factory = _factory(_settings())
    kind = CredentialKind.SCIM_TOKEN if scim else CredentialKind.API_KEY
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            ctx = Context(
                tenant_id=_tenant_id(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI
            )
            issued = issue_credential(session, ctx, kind=kind, label=label)
    except DomainError as error:
        raise _fail(error) from None
    if as_json:
        typer.echo(
            json.dumps({"id": issued.credential.id, "kind": kind.value, "secret": issued.secret})
        )
    else:
        out.print(f"{kind.value} {issued.credential.id}: {issued.secret}")


@key_app.command("revoke")
def key_revoke(acct_key: str, key_id: int) -> None:
    """Revoke a key or token by id; it stops working at once."""
    factory = _factory(_settings())
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            ctx = Context(
                tenant_id=_tenant_id(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI
            )
            revoke_credential(session, ctx, credential_id=key_id)
    except DomainError as error:
        raise _fail(error) from None
    out.print(f"revoked {key_id}")


@key_app.command("list")
def key_list(acct_key: str) -> None:
    """List a program's keys and tokens (prefixes only; secrets are never stored)."""
    factory = _factory(_settings())
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        ctx = Context(tenant_id=_tenant_id(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI)
        for c in list_credentials(session, ctx):
            state = f"revoked {c.revoked_at:%Y-%m-%d}" if c.revoked_at else "active"
            out.print(f"{c.id}\t{c.kind.value}\t{c.prefix}…\t{c.label}\t{state}")


@app.command()
def demo(
    acct_key: Annotated[str, typer.Argument()] = "demo.example",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Fill a program (created if missing) with demo users, groups, courses and enrollments."""
    settings = _settings()
    upgrade(settings.database_url)
    api_key = _prepare_demo(settings, acct_key)
    if as_json:
        typer.echo(json.dumps({"acct_key": acct_key, "api_key": api_key}))
    else:
        _print_how_to_call(settings, acct_key, api_key)


def _prepare_demo(settings: Settings, acct_key: str) -> str:
    factory = _factory(settings)
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            summary = ensure_demo_program(session, acct_key)
            ctx = Context(tenant_id=summary.tenant_id, actor=CLI_ACTOR, surface=Surface.CLI)
            api_key = issue_credential(
                session, ctx, kind=CredentialKind.API_KEY, label="demo"
            ).secret
    except DomainError as error:
        raise _fail(error) from None
    state = (
        f"created with {summary.users} users and {summary.courses} courses"
        if summary.created
        else "already there"
    )
    err.print(f"demo program {acct_key}: {state}")
    return api_key


def _print_how_to_call(settings: Settings, acct_key: str, api_key: str) -> None:
    """Plain output (no wrapping) so the commands can be copied as they are."""
    base = f"http://{settings.host}:{settings.port}"
    headers = f"-H 'X-SkyPrep-API-Key: {api_key}' -H 'X-SkyPrep-Acct-Key: {acct_key}'"
    typer.echo(
        f"""
Syllabus demo program
  acct_key: {acct_key}
  api_key:  {api_key}   (a new key; only its hash is stored)

Try:
  curl {base}/health
  curl -X POST {base}/admin/api/test_connection {headers}
  curl -X POST {base}/admin/api/available_api_calls -d api_key={api_key} -d acct_key={acct_key}
"""
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (SYLLABUS_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (SYLLABUS_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="HTTP worker processes.")] = 1,
    embedded_worker: Annotated[
        bool, typer.Option(help="Run the background worker in-process.")
    ] = True,
    with_demo: Annotated[
        bool, typer.Option("--demo", help="Create the demo program first.")
    ] = False,
) -> None:
    """Migrate the database, then serve all dialects with uvicorn."""
    import uvicorn

    if host:
        os.environ["SYLLABUS_HOST"] = host
    if port:
        os.environ["SYLLABUS_PORT"] = str(port)
    os.environ["SYLLABUS_EMBEDDED_WORKER"] = "1" if embedded_worker else "0"
    settings = _settings()
    upgrade(settings.database_url)
    if with_demo:
        _print_how_to_call(settings, "demo.example", _prepare_demo(settings, "demo.example"))
    err.print(f"database: {_redacted(settings.database_url)}")
    uvicorn.run(
        "syllabus.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level=settings.log_level,
        access_log=False,
    )


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Process what is due, then exit.")] = False,
) -> None:
    """Run a background worker (several may run at once; work is claimed in the database)."""
    settings = _settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    upgrade(settings.database_url)
    runner = Worker(
        _factory(settings),
        lease_seconds=settings.job_lease_seconds,
        poll_seconds=settings.worker_poll_seconds,
    )
    attach_webhooks(
        runner,
        ids=IdCodec(load_or_create_secret_key(settings.secret_key, settings.data_dir)).encode,
        allow_private_targets=settings.webhook_allow_private_targets,
        retention_days=settings.event_retention_days,
    )
    if once:
        while runner.run_once():
            pass
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    runner.run_forever(stop)


def main() -> None:
    app()


# --- webhooks ------------------------------------------------------------------------------

webhook_app = typer.Typer(help="Outbound webhooks of a program.", no_args_is_help=True)
app.add_typer(webhook_app, name="webhook")


def _webhook_row(hook: Webhook) -> dict[str, object]:
    """Never the secret or the password."""
    return {
        "id": hook.id,
        "target_url": hook.target_url,
        "active": hook.active,
        "deactivate_reason": hook.deactivate_reason.value if hook.deactivate_reason else None,
        "event_type": hook.event_type.value if hook.event_type else None,
        "basic_auth_username": hook.basic_auth_username,
        "additional_headers": hook.additional_headers,
    }


@webhook_app.command("create")
def webhook_create(
    acct_key: str,
    target_url: str,
    event_type: Annotated[str | None, typer.Option(help="One type (default: all).")] = None,
    username: Annotated[str, typer.Option(help="Basic auth username.")] = "",
    password: Annotated[
        str, typer.Option(help="Basic auth password (or SYLLABUS_WEBHOOK_PASSWORD).")
    ] = "",
) -> None:
    """Create a webhook; its whsec_ signing secret is printed once."""
    settings = _settings()
    factory = _factory(settings)
    data = WebhookData(
        target_url=target_url,
        event_type=event_type,
        basic_auth_username=username,
        basic_auth_password=password or os.environ.get("SYLLABUS_WEBHOOK_PASSWORD", ""),
    )
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            ctx = Context(_tenant_id(session, acct_key), CLI_ACTOR, Surface.CLI)
            hook = create_webhook(
                session,
                ctx,
                data=data,
                allow_private_targets=settings.webhook_allow_private_targets,
            )
    except DomainError as error:
        raise _fail(error) from None
    out.print(json.dumps({**_webhook_row(hook), "secret": hook.secret}))


@webhook_app.command("list")
def webhook_list(acct_key: str) -> None:
    """List a program's webhooks as JSON lines."""
    factory = _factory(_settings())
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        tenant_id = _tenant_id(session, acct_key)
        hooks = session.scalars(
            select(Webhook).where(Webhook.tenant_id == tenant_id).order_by(Webhook.id)
        ).all()
    for hook in hooks:
        out.print(json.dumps(_webhook_row(hook)))


@webhook_app.command("rotate-secret")
def webhook_rotate_secret(
    acct_key: str,
    webhook_id: int,
    grace_hours: Annotated[float, typer.Option(help="Hours the old secret still signs.")] = 24,
) -> None:
    """Replace the signing secret; the new one is printed once."""
    factory = _factory(_settings())
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            ctx = Context(_tenant_id(session, acct_key), CLI_ACTOR, Surface.CLI)
            hook = rotate_webhook_secret(
                session, ctx, webhook_id=webhook_id, grace=timedelta(hours=grace_hours)
            )
    except DomainError as error:
        raise _fail(error) from None
    out.print(json.dumps({"id": hook.id, "secret": hook.secret}))


@webhook_app.command("delete")
def webhook_delete(acct_key: str, webhook_id: int) -> None:
    """Delete a webhook and its delivery log."""
    factory = _factory(_settings())
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            ctx = Context(_tenant_id(session, acct_key), CLI_ACTOR, Surface.CLI)
            delete_webhook(session, ctx, webhook_id=webhook_id)
    except DomainError as error:
        raise _fail(error) from None
    out.print(f"deleted {webhook_id}")


@webhook_app.command("replay")
def webhook_replay(
    acct_key: str,
    webhook_id: int,
    since: Annotated[str, typer.Option(help="ISO 8601 time with a zone.")],
) -> None:
    """Queue again the failed and missed deliveries since a time."""
    factory = _factory(_settings())
    try:
        moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
    except ValueError:
        err.print("[red]error (since):[/red] not an ISO 8601 time")
        raise typer.Exit(code=1) from None
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            ctx = Context(_tenant_id(session, acct_key), CLI_ACTOR, Surface.CLI)
            count = replay_deliveries(session, ctx, webhook_id=webhook_id, since=moment)
    except DomainError as error:
        raise _fail(error) from None
    out.print(f"queued {count} deliveries again")
