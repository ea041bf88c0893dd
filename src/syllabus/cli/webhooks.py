"""``webhook``: a program's outbound webhooks (secrets are printed once, never listed)."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from typing import Annotated

import typer
from sqlalchemy import select

from syllabus.cli.common import (
    CLI_ACTOR,
    err,
    fail,
    load_settings,
    out,
    session_factory,
    tenant_id_for,
)
from syllabus.db.session import unit_of_work
from syllabus.domain.events import Surface
from syllabus.domain.webhooks import Webhook
from syllabus.services.context import Context
from syllabus.services.errors import DomainError
from syllabus.services.webhooks import (
    WebhookData,
    create_webhook,
    delete_webhook,
    replay_deliveries,
    rotate_webhook_secret,
)

webhook_app = typer.Typer(help="Outbound webhooks of a program.", no_args_is_help=True)


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
    settings = load_settings()
    factory = session_factory(settings)
    data = WebhookData(
        target_url=target_url,
        event_type=event_type,
        basic_auth_username=username,
        basic_auth_password=password or os.environ.get("SYLLABUS_WEBHOOK_PASSWORD", ""),
    )
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            ctx = Context(tenant_id_for(session, acct_key), CLI_ACTOR, Surface.CLI)
            hook = create_webhook(
                session,
                ctx,
                data=data,
                allow_private_targets=settings.webhook_allow_private_targets,
            )
    except DomainError as error:
        raise fail(error) from None
    out.print(json.dumps({**_webhook_row(hook), "secret": hook.secret}))


@webhook_app.command("list")
def webhook_list(acct_key: str) -> None:
    """List a program's webhooks as JSON lines."""
    factory = session_factory(load_settings())
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        tenant_id = tenant_id_for(session, acct_key)
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
    factory = session_factory(load_settings())
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            ctx = Context(tenant_id_for(session, acct_key), CLI_ACTOR, Surface.CLI)
            hook = rotate_webhook_secret(
                session, ctx, webhook_id=webhook_id, grace=timedelta(hours=grace_hours)
            )
    except DomainError as error:
        raise fail(error) from None
    out.print(json.dumps({"id": hook.id, "secret": hook.secret}))


@webhook_app.command("delete")
def webhook_delete(acct_key: str, webhook_id: int) -> None:
    """Delete a webhook and its delivery log."""
    factory = session_factory(load_settings())
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            ctx = Context(tenant_id_for(session, acct_key), CLI_ACTOR, Surface.CLI)
            delete_webhook(session, ctx, webhook_id=webhook_id)
    except DomainError as error:
        raise fail(error) from None
    out.print(f"deleted {webhook_id}")


@webhook_app.command("replay")
def webhook_replay(
    acct_key: str,
    webhook_id: int,
    since: Annotated[str, typer.Option(help="ISO 8601 time with a zone.")],
) -> None:
    """Queue again the failed and missed deliveries since a time."""
    factory = session_factory(load_settings())
    try:
        moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
    except ValueError:
        err.print("[red]error (since):[/red] not an ISO 8601 time")
        raise typer.Exit(code=1) from None
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            ctx = Context(tenant_id_for(session, acct_key), CLI_ACTOR, Surface.CLI)
            count = replay_deliveries(session, ctx, webhook_id=webhook_id, since=moment)
    except DomainError as error:
        raise fail(error) from None
    out.print(f"queued {count} deliveries again")
