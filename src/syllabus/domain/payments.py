"""Payments for courses sold, and the Stripe events already handled (Stripe retries)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.core.clock import utcnow
from syllabus.domain.base import Base, TenantScoped, Timestamps


class Payment(TenantScoped, Timestamps, Base):
    """One payment; ``transaction_number`` is the processor's id (Stripe's ``pi_...``)."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "payment_type", "transaction_number"),
        Index("ix_payments_tenant_created", "tenant_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_type: Mapped[str] = mapped_column(String(20))
    """``stripe`` or ``paypal``."""
    status: Mapped[str] = mapped_column(String(20))
    """``complete`` or ``pending``."""
    transaction_number: Mapped[str] = mapped_column(String(255))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="SET NULL"), default=None
    )
    payer_email: Mapped[str] = mapped_column(String(254), default="")
    ipn_history: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """PayPal's instant payment notifications; Stripe sends none, so it stays empty."""
    latest_ipn_data: Mapped[list[Any]] = mapped_column(JSON, default=list)


class StripeEvent(TenantScoped, Base):
    """A Stripe event handled once; a retried delivery finds it here and changes nothing."""

    __tablename__ = "stripe_events"
    __table_args__ = (UniqueConstraint("tenant_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(100))
    payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("payments.id", ondelete="SET NULL"), default=None
    )
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
