"""SkyPrep's get_payments: the program's payments, newest first.

Filters: ``status`` (complete, pending), ``payment_type`` (stripe, paypal) and
``created_after_days_ago`` (whole days back from now). Without ``page``/``per_page`` every
match is streamed; each page of the stream continues after the last row of the one before.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.errors import Invalid
from syllabus.core.fields import is_set
from syllabus.dialects.skyprep.actions import Call, action
from syllabus.dialects.skyprep.courses import epoch
from syllabus.dialects.skyprep.params import Params
from syllabus.dialects.skyprep.render import Named, Program, Stream, load_program
from syllabus.domain.users import CUSTOM_SLOTS
from syllabus.queries import payments as payment_queries
from syllabus.queries.payments import PaymentFilter
from syllabus.services.payments import PAYMENT_TYPES, PaymentStatus

STREAM_PAGE = 500
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
MAX_DAYS = 100_000
CENT = Decimal("0.01")


def payment_json(row: Row[Any], program: Program) -> dict[str, Any]:
    p = row._asdict()
    out: dict[str, Any] = {
        "id": p["id"],
        "model_type": "payment",
        "payment_type": p["payment_type"],
        "status": p["status"],
        "transaction_number": p["transaction_number"],
        "ipn_history": p["ipn_history"],
        "amount": str(Decimal(p["amount"]).quantize(CENT)),
        "user_id": p["user_id"],
        "first_name": p["first_name"],
        "last_name": p["last_name"],
    }
    for slot in CUSTOM_SLOTS:
        out[slot] = p[slot]
    out.update(
        {
            "payer_email": p["payer_email"],
            "latest_ipn_data": p["latest_ipn_data"],
            "created_at": program.local(p["created_at"]),
            "created_at_int": epoch(p["created_at"]),
            "updated_at": program.local(p["updated_at"]),
            "updated_at_int": epoch(p["updated_at"]),
            "course_id": p["course_id"],
            "currency": p["currency"],
        }
    )
    return out


def _choice(p: Params, name: str, allowed: Sequence[str]) -> str | None:
    value = p.text(name)
    if not is_set(value) or value is None or not value.strip():
        return None
    word = value.strip().lower()
    if word not in allowed:
        raise Invalid(name, f"{name} must be one of {', '.join(allowed)}")
    return word


def _days_ago(p: Params) -> int | None:
    name = "created_after_days_ago"
    value = p.raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip() if isinstance(value, int | str) else ""
    if isinstance(value, bool) or not text.isascii() or not text.isdigit():
        raise Invalid(name, f"{name} must be a whole number of days")
    if len(text) > 6 or int(text) > MAX_DAYS:
        raise Invalid(name, f"{name} must be at most {MAX_DAYS}")
    return int(text)


def _filters(p: Params) -> PaymentFilter:
    days = _days_ago(p)
    return PaymentFilter(
        status=_choice(p, "status", PaymentStatus.ALL),
        payment_type=_choice(p, "payment_type", PAYMENT_TYPES),
        created_after=None if days is None else utcnow() - timedelta(days=days),
    )


@action("get_payments", read_only=True)
def get_payments(session: Session, call: Call) -> Named | Stream:
    p = Params(call.params)
    filters = _filters(p)
    program = load_program(call.acct_key, call.time_zone)
    page, per_page = p.id("page"), p.id("per_page")
    if is_set(page) or is_set(per_page):
        size = per_page if is_set(per_page) else DEFAULT_PER_PAGE
        if size > MAX_PER_PAGE:
            raise Invalid("per_page", f"per_page must be at most {MAX_PER_PAGE}")
        rows = payment_queries.list_payments_numbered_page(
            session, call.ctx, filters, page=page if is_set(page) else 1, per_page=size
        )
        return Named("payments", [payment_json(row, program) for row in rows])
    ctx = call.ctx

    def pages(stream_session: Session) -> Iterator[Sequence[dict[str, Any]]]:
        before = None
        while True:
            rows = payment_queries.list_payments_page(
                stream_session, ctx, filters, before=before, limit=STREAM_PAGE
            )
            if rows:
                yield [payment_json(row, program) for row in rows]
            if len(rows) < STREAM_PAGE:
                return
            before = (rows[-1].created_at, rows[-1].id)

    return Stream(tenant_id=ctx.tenant_id, root="payments", pages=pages)
