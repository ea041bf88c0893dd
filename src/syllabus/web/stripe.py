"""``POST /webhooks/stripe/{acct_key}``: Stripe's events for one program, verified, then
applied by the payments service.

The signature is checked with the ``stripe`` package against the program's own signing secret
(``syllabus payments set-secret``) before anything is read from the body; a bad signature is
400 and writes nothing. An unknown program and a program without a secret get that same 400
(the reason is logged), so the endpoint tells nobody which programs exist or take payments.
Stripe retries until it gets a 2xx, so every verified event is acknowledged with 200,
including those this receiver ignores and repeats of one it handled.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import stripe
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from syllabus.core.context import Context, Surface
from syllabus.core.errors import DomainError, Invalid
from syllabus.db.session import TENANT_KEY, unit_of_work
from syllabus.domain.tenants import Tenant
from syllabus.services.payments import StripeOutcome, record_stripe_event, stripe_webhook_secret

log = logging.getLogger("syllabus.stripe")
MAX_BODY_BYTES = 1024 * 1024
SIGNATURE_TOLERANCE_SECONDS = 300
"""Signed more than five minutes ago: refused as a possible replay (Stripe's own default)."""
STATUS = {"invalid": 400, "not_found": 404}


def _unverifiable() -> Invalid:
    return Invalid("Stripe-Signature", "the Stripe signature does not verify")


def _apply(
    factory: sessionmaker[Session], acct_key: str, payload: str, signature: str
) -> StripeOutcome:
    with unit_of_work(factory, tenant_id=None) as session:
        tenant = session.scalars(select(Tenant).where(Tenant.acct_key == acct_key.lower())).first()
        secret = None if tenant is None else stripe_webhook_secret(tenant)
        if tenant is None or secret is None:
            why = "no such program" if tenant is None else "no Stripe signing secret configured"
            log.info("stripe event refused for %s: %s", acct_key, why)
            raise _unverifiable()
        try:
            stripe.Webhook.construct_event(
                payload, signature, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
            )
        except stripe.SignatureVerificationError:
            raise _unverifiable() from None
        except ValueError:
            raise Invalid("body", "the body is not a JSON Stripe event") from None
        event: Any = json.loads(payload)
        if not isinstance(event, dict):
            raise Invalid("body", "the body is not a JSON Stripe event")
        session.info[TENANT_KEY] = tenant.id
        ctx = Context(tenant_id=tenant.id, actor="stripe", surface=Surface.WEB)
        return record_stripe_event(session, ctx, event=event)


def receive_stripe_event(
    factory: sessionmaker[Session], acct_key: str, payload: str, signature: str
) -> StripeOutcome:
    """A delivery racing another of the same event loses on a unique key; run again, it sees
    the winner's work and answers as a repeat."""
    for attempt in (1, 2):
        try:
            return _apply(factory, acct_key, payload, signature)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def stripe_webhook(request: Request) -> Response:
    acct_key: str = request.path_params["acct_key"]
    body = await request.body()
    signature = request.headers.get("stripe-signature", "")
    try:
        if len(body) > MAX_BODY_BYTES:
            raise Invalid("body", f"the body is larger than {MAX_BODY_BYTES} bytes")
        if not signature:
            raise Invalid("Stripe-Signature", "the Stripe-Signature header is missing")
        try:
            payload = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("body", "the body is not UTF-8 text") from None
        outcome = await run_in_threadpool(
            receive_stripe_event, request.app.state.session_factory, acct_key, payload, signature
        )
    except DomainError as error:
        log.info("stripe event refused for %s: %s", acct_key, error.message)
        return JSONResponse(
            {"error": error.message, "field": error.field}, STATUS.get(error.code, 400)
        )
    return JSONResponse(
        {
            "received": True,
            "handled": outcome.handled,
            "duplicate": outcome.duplicate,
            "payment_id": outcome.payment_id,
            "fulfilled": outcome.fulfilled,
            "note": outcome.note,
        }
    )


routes = [Route("/webhooks/stripe/{acct_key}", stripe_webhook, methods=["POST"])]
