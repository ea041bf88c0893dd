"""Stripe events as Stripe sends them, signed the way Stripe signs them (HMAC-SHA256 over
``{timestamp}.{payload}``, header ``t=...,v1=...``), for tests of the webhook receiver."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any

SECRET = "whsec_test_5b2c1f0e9d8a7b6c5d4e3f2a1b0c9d8e"
_ids = itertools.count(1)


def signature(payload: str, secret: str = SECRET, timestamp: int | None = None) -> str:
    moment = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{moment}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={moment},v1={mac}"


def event(event_type: str, obj: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_test_{next(_ids):06d}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "type": event_type,
        "livemode": False,
        "data": {"object": obj},
    }


def checkout_completed(
    *,
    course_id: int | None,
    email: str = "buyer@example.com",
    name: str = "Avery Learner",
    amount: int = 9900,
    currency: str = "usd",
    payment_intent: str | None = None,
    payment_status: str = "paid",
) -> dict[str, Any]:
    number = next(_ids)
    metadata = {} if course_id is None else {"course_id": str(course_id)}
    return event(
        "checkout.session.completed",
        {
            "id": f"cs_test_{number:06d}",
            "object": "checkout.session",
            "amount_total": amount,
            "currency": currency,
            "customer_details": {"email": email, "name": name},
            "metadata": metadata,
            "mode": "payment",
            "payment_intent": payment_intent or f"pi_test_{number:06d}",
            "payment_status": payment_status,
            "status": "complete",
        },
    )


def payment_intent_succeeded(
    payment_intent: str,
    *,
    course_id: int | None,
    email: str | None = "buyer@example.com",
    amount: int = 9900,
) -> dict[str, Any]:
    metadata = {} if course_id is None else {"course_id": course_id}
    return event(
        "payment_intent.succeeded",
        {
            "id": payment_intent,
            "object": "payment_intent",
            "amount": amount,
            "amount_received": amount,
            "currency": "usd",
            "receipt_email": email,
            "metadata": metadata,
            "status": "succeeded",
        },
    )


def body(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2)
