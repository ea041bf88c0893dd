"""Payments: the per-program Stripe signing secret, and Stripe events turned into payments
and enrollments.

The web layer verifies each event's signature before calling ``record_stripe_event``; this
module trusts the event it is given and decides what it means:

- ``checkout.session.completed`` and ``payment_intent.succeeded`` record a payment, keyed by
  the PaymentIntent id (``transaction_number``), so the two events of one checkout make one
  payment. A checkout still ``unpaid`` (a delayed payment method) is recorded as pending.
- A complete payment whose metadata names a ``course_id`` of the program enrolls the buyer
  (``metadata.user_email``, else the customer's email; created as a learner when unknown)
  and records ``purchase.fulfilled``.
- Each event id is handled once: Stripe retries deliveries, and a retry changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid, NotFound
from syllabus.core.lookups import possible_id
from syllabus.core.validation import clean_email, normalize_email
from syllabus.domain.courses import Course
from syllabus.domain.payments import Payment, StripeEvent
from syllabus.domain.tenants import Tenant
from syllabus.domain.users import User
from syllabus.services.enrollments import enroll_users_in_courses
from syllabus.services.events import record_event
from syllabus.services.user_fields import UserData
from syllabus.services.users import create_user

SECRET_SETTING = "stripe_webhook_secret"  # noqa: S105  (the settings key, not a secret)
HANDLED_EVENTS = frozenset({"checkout.session.completed", "payment_intent.succeeded"})
PAID = frozenset({"paid", "no_payment_required"})
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga"}
    | {"pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
)
"""Currencies Stripe counts in whole units (every other amount is in cents)."""


class PaymentStatus:
    COMPLETE = "complete"
    PENDING = "pending"
    ALL = (COMPLETE, PENDING)


PAYMENT_TYPES = ("stripe", "paypal")


# --- The signing secret -----------------------------------------------------------------------


def set_stripe_webhook_secret(session: Session, ctx: Context, *, secret: str) -> None:
    """Store the program's endpoint signing secret (``whsec_...``) in its settings.

    Errors never quote the secret; the event recorded says only that it changed.
    """
    value = secret.strip() if isinstance(secret, str) else ""
    if not value.startswith("whsec_") or len(value) > 255 or any(c.isspace() for c in value):
        raise Invalid("secret", "the signing secret must be one 'whsec_...' token from Stripe")
    tenant = session.get(Tenant, ctx.tenant_id)
    if tenant is None:
        raise NotFound("program", [ctx.tenant_id], field="acct_key")
    tenant.settings = {**(tenant.settings or {}), SECRET_SETTING: value}
    session.flush()
    record_event(session, ctx, "program.stripe_secret_set", {})


def stripe_webhook_secret(tenant: Tenant) -> str | None:
    value = (tenant.settings or {}).get(SECRET_SETTING)
    return value if isinstance(value, str) and value else None


# --- Events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StripeOutcome:
    handled: bool
    """False for event types this receiver does not act on (acknowledged all the same)."""
    duplicate: bool = False
    payment_id: int | None = None
    fulfilled: bool = False
    """This event completed the purchase: the buyer was enrolled."""
    note: str = ""


@dataclass(frozen=True)
class _Purchase:
    transaction_number: str
    status: str
    amount: Decimal
    currency: str
    email: str | None
    name: str
    course_ref: object


def record_stripe_event(session: Session, ctx: Context, *, event: dict[str, Any]) -> StripeOutcome:
    """Apply one verified Stripe event (see the module's docstring)."""
    event_id, event_type = str(event.get("id") or ""), str(event.get("type") or "")
    if not event_id.startswith("evt_") or len(event_id) > 255:
        raise Invalid("id", "a Stripe event id (evt_...) is required")
    if event_type not in HANDLED_EVENTS:
        return StripeOutcome(handled=False, note=f"{event_type or 'untyped'} events are ignored")
    seen = session.execute(
        select(StripeEvent.payment_id).where(
            StripeEvent.tenant_id == ctx.tenant_id, StripeEvent.event_id == event_id
        )
    ).first()
    if seen is not None:
        return StripeOutcome(handled=True, duplicate=True, payment_id=seen.payment_id)
    mark = StripeEvent(tenant_id=ctx.tenant_id, event_id=event_id, event_type=event_type)
    session.add(mark)
    session.flush()  # a concurrent delivery of the same event waits here, then fails

    purchase = _purchase(event_type, _object(event))
    course = _course_id(session, ctx, purchase.course_ref)
    payment, completed_now = _upsert_payment(session, ctx, purchase, course)
    mark.payment_id = payment.id
    session.flush()
    if not completed_now:
        return StripeOutcome(handled=True, payment_id=payment.id, note="payment recorded")
    course_id = payment.course_id
    if course_id is None:
        return StripeOutcome(
            handled=True, payment_id=payment.id, note="no course of this program in metadata"
        )
    if payment.user_id is None:
        return StripeOutcome(handled=True, payment_id=payment.id, note="no buyer email")
    enroll_users_in_courses(session, ctx, user_ids=[payment.user_id], course_ids=[course_id])
    session.flush()
    record_event(
        session,
        ctx,
        "purchase.fulfilled",
        {
            "payment_id": payment.id,
            "user_id": payment.user_id,
            "course_id": course_id,
            "amount": f"{payment.amount:.2f}",
            "currency": payment.currency,
            "transaction_number": payment.transaction_number,
            "stripe_event_id": event_id,
        },
    )
    return StripeOutcome(handled=True, payment_id=payment.id, fulfilled=True, note="fulfilled")


def _object(event: dict[str, Any]) -> dict[str, Any]:
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        raise Invalid("data.object", "the event carries no data.object")
    return obj


def _dict(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _purchase(event_type: str, obj: dict[str, Any]) -> _Purchase:
    metadata = _dict(obj, "metadata")
    if event_type == "checkout.session.completed":
        details = (
            obj.get("customer_details") if isinstance(obj.get("customer_details"), dict) else {}
        )
        assert isinstance(details, dict)
        number = _text(obj.get("payment_intent")) or _text(obj.get("id"))
        paid = obj.get("payment_status") in PAID
        minor = obj.get("amount_total")
        email = _text(metadata.get("user_email")) or _text(details.get("email"))
        email = email or _text(obj.get("customer_email"))
        name = _text(details.get("name")) or ""
    else:
        number = _text(obj.get("id"))
        paid = True
        minor = obj.get("amount_received", obj.get("amount"))
        email = _text(metadata.get("user_email")) or _text(obj.get("receipt_email"))
        name = _text(metadata.get("name")) or ""
    if number is None or len(number) > 255:
        raise Invalid("data.object.id", "the event names no payment")
    if isinstance(minor, bool) or not isinstance(minor, int) or minor < 0:
        raise Invalid("data.object.amount", "the event's amount must be a whole, positive number")
    currency = (_text(obj.get("currency")) or "usd").lower()[:3]
    exponent = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    return _Purchase(
        transaction_number=number,
        status=PaymentStatus.COMPLETE if paid else PaymentStatus.PENDING,
        amount=Decimal(minor).scaleb(-exponent).quantize(Decimal("0.01")),
        currency=currency,
        email=email,
        name=name,
        course_ref=metadata.get("course_id"),
    )


def _upsert_payment(
    session: Session, ctx: Context, purchase: _Purchase, course_id: int | None
) -> tuple[Payment, bool]:
    """The payment of this transaction, created or brought up to date (an event may name the
    buyer or the course that an earlier one did not); and whether it became complete now."""
    payment = session.scalars(
        select(Payment).where(
            Payment.tenant_id == ctx.tenant_id,
            Payment.payment_type == "stripe",
            Payment.transaction_number == purchase.transaction_number,
        )
    ).first()
    user_id = _buyer(session, ctx, purchase)
    if payment is None:
        payment = Payment(
            tenant_id=ctx.tenant_id,
            payment_type="stripe",
            status=purchase.status,
            transaction_number=purchase.transaction_number,
            amount=purchase.amount,
            currency=purchase.currency,
            user_id=user_id,
            course_id=course_id,
            payer_email=purchase.email or "",
            ipn_history=[],
            latest_ipn_data=[],
        )
        session.add(payment)
        session.flush()
        return payment, purchase.status == PaymentStatus.COMPLETE
    completed_now = (
        payment.status != PaymentStatus.COMPLETE and purchase.status == PaymentStatus.COMPLETE
    )
    if completed_now:
        payment.status = PaymentStatus.COMPLETE
    if payment.user_id is None and user_id is not None:
        payment.user_id = user_id
        payment.payer_email = purchase.email or payment.payer_email
    if payment.course_id is None:
        payment.course_id = course_id
    session.flush()
    return payment, completed_now


def _buyer(session: Session, ctx: Context, purchase: _Purchase) -> int | None:
    """The buyer's user id: found by email (any case), or a new learner."""
    if purchase.email is None:
        return None
    try:
        email = clean_email(purchase.email, "customer_email")
    except Invalid:
        return None
    found = session.scalar(
        select(User.id).where(
            User.tenant_id == ctx.tenant_id, User.email_normalized == normalize_email(email)
        )
    )
    if found is not None:
        return int(found)
    first, _, last = purchase.name.partition(" ")
    user = create_user(
        session, ctx, data=UserData(email=email, first_name=first[:100], last_name=last[:100])
    )
    return user.id


def _course_id(session: Session, ctx: Context, ref: object) -> int | None:
    """The program's course named by ``metadata.course_id`` (a number or numeric text)."""
    text = str(ref).strip() if isinstance(ref, str | int) and not isinstance(ref, bool) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 10 and possible_id(int(text))):
        return None
    found = session.scalar(
        select(Course.id).where(Course.tenant_id == ctx.tenant_id, Course.id == int(text))
    )
    return None if found is None else int(found)
