"""``webhook``: a program's outbound webhooks (secrets are printed once, never listed)."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from typing import Annotated

import typer
from sqlalchemy import select

from syllabus.cli.common import err, in_program, load_settings, out
from syllabus.domain.webhooks import Webhook
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
    data = WebhookData(
        target_url=target_url,
        event_type=event_type,
        basic_auth_username=username,
        basic_auth_password=password or os.environ.get("SYLLABUS_WEBHOOK_PASSWORD", ""),
    )
    hook = in_program(
        acct_key,
        lambda session, ctx: create_webhook(
            session, ctx, data=data, allow_private_targets=settings.webhook_allow_private_targets
        ),
        settings=settings,
    )
    out.print(json.dumps({**_webhook_row(hook), "secret": hook.secret}))


@webhook_app.command("list")
def webhook_list(acct_key: str) -> None:
    """List a program's webhooks as JSON lines."""
    hooks = in_program(
        acct_key,
        lambda session, _ctx: session.scalars(select(Webhook).order_by(Webhook.id)).all(),
        read_only=True,
    )
    for hook in hooks:
        out.print(json.dumps(_webhook_row(hook)))


@webhook_app.command("rotate-secret")
def webhook_rotate_secret(
    acct_key: str,
    webhook_id: int,
    grace_hours: Annotated[float, typer.Option(help="Hours the old secret still signs.")] = 24,
) -> None:
    """Replace the signing secret; the new one is printed once."""
    hook = in_program(
        acct_key,
        lambda session, ctx: rotate_webhook_secret(
            session, ctx, webhook_id=webhook_id, grace=timedelta(hours=grace_hours)
        ),
    )
    out.print(json.dumps({"id": hook.id, "secret": hook.secret}))


@webhook_app.command("delete")
def webhook_delete(acct_key: str, webhook_id: int) -> None:
    """Delete a webhook and its delivery log."""
    in_program(acct_key, lambda session, ctx: delete_webhook(session, ctx, webhook_id=webhook_id))
    out.print(f"deleted {webhook_id}")


@webhook_app.command("replay")
def webhook_replay(
    acct_key: str,
    webhook_id: int,
    since: Annotated[str, typer.Option(help="ISO 8601 time with a zone.")],
) -> None:
    """Queue again the failed and missed deliveries since a time."""
    try:
        moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
    except ValueError:
        err.print("[red]error (since):[/red] not an ISO 8601 time")
        raise typer.Exit(code=1) from None
    count = in_program(
        acct_key,
        lambda session, ctx: replay_deliveries(session, ctx, webhook_id=webhook_id, since=moment),
    )
    out.print(f"queued {count} deliveries again")
