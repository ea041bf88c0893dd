"""Fan-out: each outbox event becomes one delivery row per subscribed webhook, with the
body built then (inside the worker's dispatch transaction, so it commits with the event's
``dispatched_at``: no event is fanned out twice or lost)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from syllabus.delivery.registry import EventHandler
from syllabus.domain.base import utcnow
from syllabus.domain.events import Event
from syllabus.domain.webhooks import WEBHOOK_TYPE_OF_EVENT, DeliveryStatus, Webhook, WebhookDelivery
from syllabus.queries.webhook_payloads import RenderId, iso
from syllabus.queries.webhook_payloads import payload_for as build_payload
from syllabus.services.bulk import insert_new_rows

log = logging.getLogger("syllabus.webhooks")
_CACHE = "webhooks_by_tenant"


def _webhooks_of(session: Session, tenant_id: int) -> list[Row[Any]]:
    """A program's webhooks, read once per dispatch transaction (its session)."""
    cache: dict[int, list[Row[Any]]] = session.info.setdefault(_CACHE, {})
    found = cache.get(tenant_id)
    if found is None:
        found = cache[tenant_id] = list(
            session.execute(
                select(Webhook.id, Webhook.active, Webhook.event_type, Webhook.target_url)
                .where(Webhook.tenant_id == tenant_id)
                .order_by(Webhook.active.desc(), Webhook.id)
            )
        )
    return found


def message_id(event_uuid: str, webhook_id: int) -> str:
    """Stable per (event, webhook): receivers de-duplicate on it."""
    return f"msg_{event_uuid.replace('-', '')}_{webhook_id}"


def make_fan_out(ids: RenderId) -> EventHandler:
    """The event handler that queues deliveries, rendering ids with ``ids``."""

    def handler(session: Session, event: Event) -> None:
        fan_out(session, event, ids)

    handler.webhooks_fan_out = True  # type: ignore[attr-defined]
    return handler


def fan_out(session: Session, event: Event, ids: RenderId) -> None:
    """One delivery per subscribed webhook; a URL shared by several webhooks gets it once
    (Skilljar's rule). Inactive webhooks get a ``missed`` row, replayable later."""
    webhook_type = WEBHOOK_TYPE_OF_EVENT.get(event.type)
    if webhook_type is None:
        return
    hooks = [
        h
        for h in _webhooks_of(session, event.tenant_id)
        if h.event_type is None or h.event_type == webhook_type
    ]
    if not hooks:
        return
    try:
        payload = build_payload(session, event, ids)
    except Exception:
        # One malformed event must not block the outbox behind it: deliver what is known.
        log.exception("building the payload of event %s failed", event.event_id)
        payload = {
            "event_type": webhook_type.value,
            "type": webhook_type.value,
            "event_id": event.event_id,
            "timestamp": iso(event.occurred_at),
        }
    if payload is None:
        return
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
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
                "created_at": utcnow(),
            }
        )
    insert_new_rows(session, WebhookDelivery, rows, unique=("webhook_id", "event_id"))
