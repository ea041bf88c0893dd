"""Outbound webhooks: subscriptions per program, one delivery row per (event, webhook), and
a log row per HTTP attempt.

Deliveries of one webhook form a queue sent strictly in id order: the worker leases the
*webhook* (``locked_until``), so one claimer at a time owns a queue and a failed head blocks
the ones behind it until it succeeds or is given up.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.core.clock import utcnow
from syllabus.domain.base import Base, BigId, TenantScoped, Timestamps


class WebhookEventType(enum.StrEnum):
    """Skilljar's event types first (their enum), then the ones Skilljar lacks."""

    COURSE_ENROLLMENT = "COURSE_ENROLLMENT"
    COURSE_COMPLETION = "COURSE_COMPLETION"
    DOMAIN_ENROLLMENT = "DOMAIN_ENROLLMENT"
    LESSON_COMPLETION = "LESSON_COMPLETION"
    PATH_ENROLLMENT = "PATH_ENROLLMENT"
    PATH_COMPLETION = "PATH_COMPLETION"
    QUIZ_COMPLETION = "QUIZ_COMPLETION"
    VILT_EVENT_REGISTRATION = "VILT_EVENT_REGISTRATION"
    PURCHASE_FULFILLMENT = "PURCHASE_FULFILLMENT"
    DASHBOARD_TASK_CREATED = "DASHBOARD_TASK_CREATED"
    # Not in Skilljar: subscribed by name, or received by webhooks with event_type null.
    COURSE_STARTED = "COURSE_STARTED"
    CERTIFICATE_ISSUED = "CERTIFICATE_ISSUED"
    COURSE_UNENROLLMENT = "COURSE_UNENROLLMENT"
    PATH_UNENROLLMENT = "PATH_UNENROLLMENT"
    USER_UPDATED = "USER_UPDATED"
    USER_DEACTIVATED = "USER_DEACTIVATED"
    USER_REACTIVATED = "USER_REACTIVATED"
    USER_DELETED = "USER_DELETED"
    GROUP_MEMBERSHIP_ADDED = "GROUP_MEMBERSHIP_ADDED"
    GROUP_MEMBERSHIP_REMOVED = "GROUP_MEMBERSHIP_REMOVED"
    VILT_EVENT_REGISTRATION_UPDATED = "VILT_EVENT_REGISTRATION_UPDATED"
    VILT_EVENT_REGISTRATION_CANCELLED = "VILT_EVENT_REGISTRATION_CANCELLED"


SKILLJAR_EVENT_TYPES = tuple(WebhookEventType)[:10]

WEBHOOK_TYPE_OF_EVENT: dict[str, WebhookEventType] = {
    "enrollment.created": WebhookEventType.COURSE_ENROLLMENT,
    "enrollment.removed": WebhookEventType.COURSE_UNENROLLMENT,
    "course.completed": WebhookEventType.COURSE_COMPLETION,
    "course.started": WebhookEventType.COURSE_STARTED,
    "lesson.completed": WebhookEventType.LESSON_COMPLETION,
    "quiz.completed": WebhookEventType.QUIZ_COMPLETION,
    "user.registered": WebhookEventType.DOMAIN_ENROLLMENT,
    "user.updated": WebhookEventType.USER_UPDATED,
    "user.deactivated": WebhookEventType.USER_DEACTIVATED,
    "user.reactivated": WebhookEventType.USER_REACTIVATED,
    "user.deleted": WebhookEventType.USER_DELETED,
    "group.member_added": WebhookEventType.GROUP_MEMBERSHIP_ADDED,
    "group.member_removed": WebhookEventType.GROUP_MEMBERSHIP_REMOVED,
    "path.enrollment_created": WebhookEventType.PATH_ENROLLMENT,
    "path.enrollment_removed": WebhookEventType.PATH_UNENROLLMENT,
    "path.completed": WebhookEventType.PATH_COMPLETION,
    "certificate.issued": WebhookEventType.CERTIFICATE_ISSUED,
    "purchase.fulfilled": WebhookEventType.PURCHASE_FULFILLMENT,
    "dashboard_task.created": WebhookEventType.DASHBOARD_TASK_CREATED,
    "ilt.registered": WebhookEventType.VILT_EVENT_REGISTRATION,
    "ilt.registration_updated": WebhookEventType.VILT_EVENT_REGISTRATION_UPDATED,
    "ilt.registration_cancelled": WebhookEventType.VILT_EVENT_REGISTRATION_CANCELLED,
}
"""Outbox event type -> the webhook event type it is delivered as. Other outbox events
(admin changes such as ``course.updated``) reach the event feed, not webhooks."""

EVENT_TYPE_ALIASES: dict[str, WebhookEventType] = {
    "course.completed": WebhookEventType.COURSE_COMPLETION,
    "course.started": WebhookEventType.COURSE_STARTED,
    "lesson.completed": WebhookEventType.LESSON_COMPLETION,
    "user.registered": WebhookEventType.DOMAIN_ENROLLMENT,
    "enrollment.created": WebhookEventType.COURSE_ENROLLMENT,
    "certificate.issued": WebhookEventType.CERTIFICATE_ISSUED,
}
"""The integration guide's dotted names, accepted when subscribing."""


class DeactivateReason(enum.StrEnum):
    """Skilljar's values."""

    HTTP_4XX_RESPONSE = "HTTP_4XX_RESPONSE"
    RETRY_COUNT = "RETRY_COUNT"
    TOO_MANY_REDIRECTS = "TOO_MANY_REDIRECTS"
    ORG_DISABLED = "ORG_DISABLED"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    """Given up on (the webhook was deactivated by it); replayable."""
    MISSED = "missed"
    """The event occurred while the webhook was inactive; replayable."""


def _enum(enum_type: type[enum.StrEnum], length: int) -> Enum:
    return Enum(
        enum_type, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class Webhook(TenantScoped, Timestamps, Base):
    __tablename__ = "webhooks"
    __table_args__ = (
        Index("ix_webhooks_tenant_id", "tenant_id", "id"),
        Index("ix_webhooks_due", "active", "retry_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_url: Mapped[str] = mapped_column(String(1024))
    active: Mapped[bool] = mapped_column(default=True)
    deactivate_reason: Mapped[DeactivateReason | None] = mapped_column(
        _enum(DeactivateReason, 32), default=None
    )
    event_type: Mapped[WebhookEventType | None] = mapped_column(
        _enum(WebhookEventType, 64), default=None
    )
    """None: every webhook event type."""
    basic_auth_username: Mapped[str] = mapped_column(String(255), default="")
    basic_auth_password: Mapped[str] = mapped_column(String(255), default="")
    """Sent, never shown: write-only in every API and never logged."""
    additional_headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    secret: Mapped[str] = mapped_column(String(100))
    """The ``whsec_`` signing secret (signing needs it in clear, like any HMAC key)."""
    previous_secret: Mapped[str | None] = mapped_column(String(100), default=None)
    previous_secret_until: Mapped[datetime | None] = mapped_column(default=None)
    """Until then the previous secret signs too, so receivers can switch without a gap."""
    retry_at: Mapped[datetime | None] = mapped_column(default=None)
    """When the head of the queue may be tried again (None: now)."""
    locked_by: Mapped[str | None] = mapped_column(String(100), default=None)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)


class WebhookDelivery(TenantScoped, Base):
    """One event for one webhook. ``event_id`` is not a foreign key: the feed's retention
    prunes events, and the delivery keeps its own copy of the payload."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        Index(
            "ix_webhook_deliveries_queue",
            "webhook_id",
            "id",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_webhook_deliveries_tenant_webhook", "tenant_id", "webhook_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(BigId)
    message_id: Mapped[str] = mapped_column(String(64))
    """The ``webhook-id`` header: stable across attempts, re-sends and replays."""
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(
        _enum(DeliveryStatus, 16), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    first_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_status_code: Mapped[int | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookAttempt(TenantScoped, Base):
    """One HTTP request: what a receiver's operator needs to debug a failure."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery", "delivery_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None] = mapped_column(default=None)
    latency_ms: Mapped[int] = mapped_column(default=0)
    response_body: Mapped[str] = mapped_column(Text, default="")
    """Truncated to a few KB."""
    error: Mapped[str | None] = mapped_column(String(500), default=None)
