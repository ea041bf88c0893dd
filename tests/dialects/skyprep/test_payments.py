"""SkyPrep's get_payments over HTTP, on both databases: payments recorded by the Stripe
receiver, newest first, filtered, in pages that neither skip nor repeat."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from syllabus.core.clock import utcnow
from syllabus.core.context import Context, Surface
from syllabus.db.session import unit_of_work
from syllabus.domain.payments import Payment
from syllabus.queries.payments import PaymentFilter, list_payments_page
from syllabus.services.payments import record_stripe_event
from tests.dialects.skyprep.reward_samples import PAYMENT, assert_shape
from tests.dialects.skyprep.test_users import (
    NEW_YORK,
    api,
    fails,
    make_zoned_program,
    new_user,
    ok,
    parse_xml,
)
from tests.factories import make_course
from tests.http_client import Program, make_program
from tests.stripe_events import checkout_completed, payment_intent_succeeded

BUYER_KEYS = frozenset({"user_id", "first_name", "last_name"})
"""Null when no buyer is known (a payment whose event carried no email)."""


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


def _ctx(program: Program) -> Context:
    return Context(program.tenant_id, "stripe", Surface.WEB)


def pay(client: TestClient, program: Program, sent: dict[str, Any]) -> int:
    """Apply a Stripe event through the payments service, as the receiver does once the
    signature is verified."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        outcome = record_stripe_event(session, _ctx(program), event=sent)
    assert outcome.payment_id is not None
    return outcome.payment_id


def backdate(client: TestClient, program: Program, payment_id: int, days: float) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        moment = utcnow() - timedelta(days=days)
        session.execute(
            update(Payment)
            .where(Payment.id == payment_id)
            .values(created_at=moment, updated_at=moment)
        )


def test_payments_in_the_samples_shape_newest_first(client: TestClient, program: Program) -> None:
    learner = new_user(
        client, program, "avery@example.com", first_name="Avery", last_name="Learner", ca_0="EMEA"
    )
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        course = make_course(session, _ctx(program), "Safety").id
    older = pay(client, program, checkout_completed(course_id=course, email="avery@example.com"))
    backdate(client, program, older, 2)
    newer = pay(
        client,
        program,
        payment_intent_succeeded("pi_test_new", course_id=None, email=None, amount=4900),
    )
    payments = ok(api(client, program, "get_payments", "GET"))
    assert [p["id"] for p in payments] == [newer, older]
    for payment in payments:
        assert_shape(payment, PAYMENT, nullable=BUYER_KEYS)
    first = payments[1]
    assert first["amount"] == "99.00"
    assert (first["user_id"], first["first_name"], first["last_name"]) == (
        learner["id"],
        "Avery",
        "Learner",
    )
    assert first["ca_0"] == "EMEA"
    assert first["payer_email"] == "avery@example.com"
    assert (first["payment_type"], first["status"]) == ("stripe", "complete")
    assert first["created_at"].endswith(("-04:00", "-05:00"))
    assert first["course_id"] == course
    assert payments[0]["user_id"] is None
    assert payments[0]["amount"] == "49.00"


def test_filters(client: TestClient, program: Program) -> None:
    done = pay(client, program, checkout_completed(course_id=None))
    waiting = pay(client, program, checkout_completed(course_id=None, payment_status="unpaid"))
    old = pay(client, program, checkout_completed(course_id=None))
    backdate(client, program, old, 5)

    def ids(**params: Any) -> list[int]:
        return [p["id"] for p in ok(api(client, program, "get_payments", **params))]

    assert ids() == [waiting, done, old]
    assert ids(status="complete") == [done, old]
    assert ids(status="PENDING") == [waiting]
    assert ids(payment_type="stripe") == [waiting, done, old]
    assert ids(payment_type="paypal") == []
    # The spec's sample parameters.
    assert ids(status="complete", created_after_days_ago=3, payment_type="paypal") == []
    assert ids(status="complete", created_after_days_ago="3") == [done]
    assert ids(created_after_days_ago=6) == [waiting, done, old]
    assert ids(status="", payment_type="") == [waiting, done, old]


def test_numbered_pages(client: TestClient, program: Program) -> None:
    made = [pay(client, program, checkout_completed(course_id=None)) for _ in range(5)]
    newest_first = list(reversed(made))
    page = ok(api(client, program, "get_payments", page=2, per_page=2))
    assert [p["id"] for p in page] == newest_first[2:4]
    assert ok(api(client, program, "get_payments", page=9, per_page=2)) == []


def test_keyset_pages_neither_skip_nor_repeat_while_payments_arrive(
    client: TestClient, program: Program
) -> None:
    made = [pay(client, program, checkout_completed(course_id=None)) for _ in range(6)]
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        same = utcnow() - timedelta(hours=1)  # a tie on created_at: the id decides
        session.execute(update(Payment).values(created_at=same))
    seen: list[int] = []
    before = None
    while True:
        with unit_of_work(factory, tenant_id=program.tenant_id, read_only=True) as session:
            rows = list_payments_page(
                session, _ctx(program), PaymentFilter(), before=before, limit=2
            )
        seen += [row.id for row in rows]
        if len(rows) < 2:
            break
        before = (rows[-1].created_at, rows[-1].id)
        pay(client, program, checkout_completed(course_id=None))  # lands before the cursor
    assert seen == sorted(made, reverse=True)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "paid-ish"}, "status"),
        ({"payment_type": "cash"}, "payment_type"),
        ({"created_after_days_ago": -1}, "created_after_days_ago"),
        ({"created_after_days_ago": "three"}, "created_after_days_ago"),
        ({"created_after_days_ago": True}, "created_after_days_ago"),
        ({"created_after_days_ago": 10**9}, "created_after_days_ago"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": 5000}, "per_page"),
        ({"page": "x"}, "page"),
    ],
)
def test_bad_input_is_400_naming_the_field(
    client: TestClient, program: Program, params: dict[str, Any], field: str
) -> None:
    fails(api(client, program, "get_payments", **params), 400, field)


def test_another_programs_payments_are_not_listed(client: TestClient, program: Program) -> None:
    pay(client, program, checkout_completed(course_id=None))
    other = make_program(client, "other.skyprepapp.com")
    assert ok(api(client, other, "get_payments")) == []


def test_xml(client: TestClient, program: Program) -> None:
    pay(client, program, checkout_completed(course_id=None))
    root = parse_xml(api(client, program, "get_payments", format="xml").content)
    assert root.tag == "payments"
    assert root.findtext("payment/amount") == "99.00"
