"""Webhook lists and delivery logs for the API: keyset pages, a constant number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.webhooks import Webhook, WebhookAttempt, WebhookDelivery
from syllabus.queries.pages import Listing

_hooks = Webhook.__table__.c
_deliveries = WebhookDelivery.__table__.c
_attempts = WebhookAttempt.__table__.c

WEBHOOKS = Listing(scoped_select(Webhook), _hooks.id)
DELIVERIES = Listing(
    scoped_select(
        WebhookDelivery,
        _deliveries.id,
        _deliveries.webhook_id,
        _deliveries.event_id,
        _deliveries.message_id,
        _deliveries.event_type,
        _deliveries.status,
        _deliveries.attempts,
        _deliveries.first_attempt_at,
        _deliveries.last_attempt_at,
        _deliveries.last_status_code,
        _deliveries.delivered_at,
        _deliveries.created_at,
    ),
    _deliveries.id,
    {"webhook_id": lambda: _deliveries.webhook_id == bindparam("webhook_id")},
)
_ATTEMPTS = (
    scoped_select(
        WebhookAttempt,
        _attempts.id,
        _attempts.delivery_id,
        _attempts.attempted_at,
        _attempts.status_code,
        _attempts.latency_ms,
        _attempts.response_body,
        _attempts.error,
    )
    .where(_attempts.delivery_id.in_(bindparam("ids", expanding=True)))
    .order_by(_attempts.delivery_id, _attempts.id)
)


def attempts_of(
    session: Session, ctx: Context, delivery_ids: Sequence[int]
) -> dict[int, list[Row[Any]]]:
    """Every logged attempt of the given deliveries, in order: one query per page."""
    found: dict[int, list[Row[Any]]] = {i: [] for i in delivery_ids}
    if delivery_ids:
        for row in execute_scoped(session, ctx.tenant_id, _ATTEMPTS, {"ids": list(delivery_ids)}):
            found[row.delivery_id].append(row)
    return found
