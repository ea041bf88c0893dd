"""Managing a program's webhooks: subscriptions, signing secrets, re-sends and replays."""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Invalid, NotFound
from syllabus.core.fields import UNSET, ChangeSet, Maybe
from syllabus.core.lookups import require
from syllabus.core.validation import clean_aware_datetime, clean_text
from syllabus.domain.webhooks import (
    EVENT_TYPE_ALIASES,
    DeactivateReason,
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
    WebhookEventType,
)
from syllabus.services.events import record_event
from syllabus.services.webhook_targets import clean_target_url

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
ROTATION_GRACE = timedelta(hours=24)
"""How long the previous secret keeps signing after a rotation."""

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$")
RESERVED_HEADERS = frozenset(
    {
        "authorization",
        "content-length",
        "content-type",
        "host",
        "transfer-encoding",
        "connection",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    }
)
"""Headers a webhook's own configuration may not override: they carry the contract."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass
class WebhookData(ChangeSet):
    target_url: Maybe[str] = UNSET
    active: Maybe[bool] = UNSET
    event_type: Maybe[str | None] = UNSET
    basic_auth_username: Maybe[str] = UNSET
    basic_auth_password: Maybe[str] = UNSET
    additional_headers: Maybe[dict[str, str] | None] = UNSET


def clean_event_type(value: object, field: str = "event_type") -> WebhookEventType | None:
    """A Skilljar enum value, one of our additional types, or a guide's dotted alias."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        alias = EVENT_TYPE_ALIASES.get(value.strip().lower())
        if alias is not None:
            return alias
        try:
            return WebhookEventType(value.strip().upper())
        except ValueError:
            pass
    allowed = ", ".join(t.value for t in WebhookEventType)
    raise Invalid(field, f'"{value}" is not a valid choice; one of {allowed}, or null.')


def clean_headers(value: object, field: str = "additional_headers") -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(field, f"{field} must be a JSON object of string values")
    cleaned: dict[str, str] = {}
    for name, header_value in value.items():
        if not isinstance(name, str) or not _HEADER_NAME.match(name):
            raise Invalid(field, f"{field}: {name!r} is not a valid header name")
        if name.lower() in RESERVED_HEADERS:
            raise Invalid(field, f"{field}: {name} is set by the webhook itself")
        if not isinstance(header_value, str) or any(c in header_value for c in "\r\n\x00"):
            raise Invalid(field, f"{field}: the value of {name} must be a single-line string")
        if len(header_value) > 2000:
            raise Invalid(field, f"{field}: the value of {name} is too long")
        cleaned[name] = header_value
    if len(cleaned) > 30:
        raise Invalid(field, f"{field} holds more than 30 headers")
    return cleaned


def _apply(webhook: Webhook, data: WebhookData, *, allow_private_targets: bool) -> list[str]:
    changed: list[str] = []
    fields = data.set_fields()
    if "target_url" in fields:
        webhook.target_url = clean_target_url(
            fields["target_url"], allow_private=allow_private_targets
        )
    if "event_type" in fields:
        webhook.event_type = clean_event_type(fields["event_type"])
    for name in ("basic_auth_username", "basic_auth_password"):
        if name in fields:
            setattr(webhook, name, clean_text(fields[name], name, max_length=255) or "")
    if "additional_headers" in fields:
        webhook.additional_headers = clean_headers(fields["additional_headers"])
    if "active" in fields:
        if not isinstance(fields["active"], bool):
            raise Invalid("active", "active must be a boolean")
        if fields["active"] and not webhook.active:
            webhook.deactivate_reason = None
            webhook.retry_at = None
        elif not fields["active"]:
            webhook.deactivate_reason = None  # deactivated by hand: no failure to report
        webhook.active = fields["active"]
    changed.extend(sorted(fields))
    return changed


def _summary(webhook: Webhook) -> dict[str, object]:
    """What the event feed says about a webhook: never its secret or password."""
    return {
        "webhook_id": webhook.id,
        "target_url": webhook.target_url,
        "event_type": webhook.event_type.value if webhook.event_type else None,
        "active": webhook.active,
    }


def create_webhook(
    session: Session, ctx: Context, *, data: WebhookData, allow_private_targets: bool
) -> Webhook:
    """The new webhook carries its ``secret``: callers show it once, at creation."""
    if data.target_url is UNSET:
        raise Invalid("target_url", "target_url is required")
    webhook = Webhook(
        tenant_id=ctx.tenant_id,
        target_url="",
        active=True,
        event_type=None,
        basic_auth_username="",
        basic_auth_password="",
        additional_headers={},
        secret=new_secret(),
    )
    _apply(webhook, data, allow_private_targets=allow_private_targets)
    session.add(webhook)
    session.flush()
    record_event(session, ctx, "webhook.created", _summary(webhook))
    return webhook


def get_webhook(session: Session, ctx: Context, webhook_id: int) -> Webhook:
    return require(session, ctx, Webhook, webhook_id, field="webhook_id")


def update_webhook(
    session: Session,
    ctx: Context,
    *,
    webhook_id: int,
    data: WebhookData,
    allow_private_targets: bool,
) -> Webhook:
    webhook = get_webhook(session, ctx, webhook_id)
    changed = _apply(webhook, data, allow_private_targets=allow_private_targets)
    session.flush()
    if changed:
        record_event(session, ctx, "webhook.updated", {**_summary(webhook), "changed": changed})
    return webhook


def delete_webhook(session: Session, ctx: Context, *, webhook_id: int) -> None:
    webhook = get_webhook(session, ctx, webhook_id)
    summary = _summary(webhook)
    session.delete(webhook)
    session.flush()
    record_event(session, ctx, "webhook.deleted", summary)


def deactivate_webhook(
    session: Session, ctx: Context, *, webhook_id: int, reason: DeactivateReason
) -> Webhook:
    """The sender gives up on a receiver (it refuses, redirects, or stays down past the retry
    window): no more deliveries until an administrator reactivates it. Records
    webhook.deactivated with the reason (once: a webhook deactivated meanwhile only takes the
    reason)."""
    webhook = get_webhook(session, ctx, webhook_id)
    was_active = webhook.active
    webhook.active = False
    webhook.deactivate_reason = reason
    webhook.retry_at = None
    session.flush()
    if was_active:
        summary = {**_summary(webhook), "reason": reason.value}
        record_event(session, ctx, "webhook.deactivated", summary)
    return webhook


def rotate_webhook_secret(
    session: Session, ctx: Context, *, webhook_id: int, grace: timedelta = ROTATION_GRACE
) -> Webhook:
    """A new secret signs from now on; the old one signs alongside it for ``grace``."""
    webhook = get_webhook(session, ctx, webhook_id)
    if grace.total_seconds() < 0:
        raise Invalid("grace", "grace must not be negative")
    webhook.previous_secret = webhook.secret if grace.total_seconds() > 0 else None
    webhook.previous_secret_until = utcnow() + grace if grace.total_seconds() > 0 else None
    webhook.secret = new_secret()
    session.flush()
    record_event(session, ctx, "webhook.secret_rotated", {"webhook_id": webhook.id})
    return webhook


def resend_delivery(
    session: Session, ctx: Context, *, webhook_id: int, delivery_id: int
) -> WebhookDelivery:
    """Send one delivery again (with the same ``webhook-id``), whatever its state."""
    get_webhook(session, ctx, webhook_id)
    delivery = session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.webhook_id == webhook_id
        )
    )
    if delivery is None:
        raise NotFound("delivery", [delivery_id], field="delivery_id")
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.first_attempt_at = None
    session.flush()
    return delivery


def replay_deliveries(session: Session, ctx: Context, *, webhook_id: int, since: datetime) -> int:
    """Queue again every failed or missed delivery created since ``since``; returns how many.

    They are sent in their original order, ahead of newer pending ones (the queue is in id
    order), so a receiver catching up sees the past first.
    """
    get_webhook(session, ctx, webhook_id)
    cutoff = clean_aware_datetime(since, "since")
    result = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.tenant_id == ctx.tenant_id,
            WebhookDelivery.webhook_id == webhook_id,
            WebhookDelivery.status.in_([DeliveryStatus.FAILED, DeliveryStatus.MISSED]),
            WebhookDelivery.created_at >= cutoff,
        )
        .values(status=DeliveryStatus.PENDING, attempts=0, first_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    count = int(result.rowcount)  # type: ignore[attr-defined]
    if count:
        record_event(
            session, ctx, "webhook.replayed", {"webhook_id": webhook_id, "deliveries": count}
        )
    return count
