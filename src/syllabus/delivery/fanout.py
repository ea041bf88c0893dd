"""Fan-out: each outbox event becomes one delivery row per subscribed webhook, with the
body built then (inside the worker's dispatch transaction, so it commits with the events'
``dispatched_at``: no event is fanned out twice or lost).

A batch of events costs a constant number of queries: one for the programs' webhooks, one
per kind of row the bodies name, one insert of every delivery row. Rows are inserted in
event order, so each webhook's queue (ordered by delivery id) follows the events' order.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.domain.events import Event
from syllabus.domain.webhooks import (
    WEBHOOK_TYPE_OF_EVENT,
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
    WebhookEventType,
)
from syllabus.queries.webhook_payloads import PayloadSources, RenderId, minimal_payload
from syllabus.services.bulk import insert_new_rows

log = logging.getLogger("syllabus.webhooks")


def webhooks_of(session: Session, tenant_ids: set[int]) -> dict[int, list[Row[Any]]]:
    """The programs' webhooks, active ones first, in one query."""
    found: dict[int, list[Row[Any]]] = defaultdict(list)
    if tenant_ids:
        for row in session.execute(
            select(Webhook.tenant_id, Webhook.id, Webhook.active)
            .add_columns(Webhook.event_type, Webhook.target_url)
            .where(Webhook.tenant_id.in_(sorted(tenant_ids)))
            .order_by(Webhook.tenant_id, Webhook.active.desc(), Webhook.id)
        ):
            found[row.tenant_id].append(row)
    return found


def message_id(event_uuid: str, webhook_id: int) -> str:
    """Stable per (event, webhook): receivers de-duplicate on it."""
    return f"msg_{event_uuid.replace('-', '')}_{webhook_id}"


class FanOut:
    """The event handler that queues deliveries, rendering ids with ``ids``. The worker hands
    it whole batches (``handle_batch``); calling it with one event does the same for one."""

    webhooks_fan_out = True

    def __init__(self, ids: RenderId) -> None:
        self.ids = ids

    def __call__(self, session: Session, event: Event) -> None:
        fan_out(session, [event], self.ids)

    def handle_batch(self, session: Session, events: Sequence[Event]) -> None:
        fan_out(session, events, self.ids)


def make_fan_out(ids: RenderId) -> FanOut:
    return FanOut(ids)


def fan_out(session: Session, events: Sequence[Event], ids: RenderId) -> int:
    """One delivery per subscribed webhook and event; a URL shared by several webhooks gets
    it once (Skilljar's rule). Inactive webhooks get a ``missed`` row, replayable later.
    Returns the number of delivery rows written."""
    carried = [e for e in events if e.type in WEBHOOK_TYPE_OF_EVENT]
    if not carried:
        return 0
    hooks_by_tenant = webhooks_of(session, {e.tenant_id for e in carried})
    subscribed: list[tuple[Event, WebhookEventType, list[Row[Any]]]] = []
    for event in carried:
        webhook_type = WEBHOOK_TYPE_OF_EVENT[event.type]
        hooks = [
            h
            for h in hooks_by_tenant.get(event.tenant_id, ())
            if h.event_type is None or h.event_type == webhook_type
        ]
        if hooks:
            subscribed.append((event, webhook_type, hooks))
    if not subscribed:
        return 0
    sources = PayloadSources.load(session, [e for e, _, _ in subscribed])
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for event, webhook_type, hooks in subscribed:
        try:
            payload = sources.render(event, ids)
        except Exception:
            # One malformed event must not block the outbox behind it: deliver what is known.
            log.exception("building the payload of event %s failed", event.event_id)
            payload = minimal_payload(event, webhook_type)
        if payload is None:
            continue
        seen: set[str] = set()
        for hook in hooks:
            if hook.target_url in seen:
                continue
            seen.add(hook.target_url)
            rows.append(
                {
                    "tenant_id": event.tenant_id,
                    "webhook_id": hook.id,
                    "event_id": event.id,
                    "message_id": message_id(event.event_id, hook.id),
                    "event_type": webhook_type.value,
                    "payload": payload,
                    "status": DeliveryStatus.PENDING if hook.active else DeliveryStatus.MISSED,
                    "attempts": 0,
                    "created_at": now,
                }
            )
    insert_new_rows(session, WebhookDelivery, rows, unique=("webhook_id", "event_id"))
    return len(rows)
