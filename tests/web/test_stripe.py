"""The Stripe webhook receiver: signed events become payments and enrollments, once each."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from syllabus.core.context import Context, Surface
from syllabus.core.errors import Invalid
from syllabus.db.session import unit_of_work
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.events import Event
from syllabus.domain.payments import Payment, StripeEvent
from syllabus.domain.tenants import Tenant
from syllabus.domain.users import User
from syllabus.services.payments import StripeOutcome, set_stripe_webhook_secret
from syllabus.web.stripe import receive_stripe_event
from tests.factories import make_course, make_user
from tests.http_client import Program, make_program
from tests.stripe_events import (
    SECRET,
    body,
    checkout_completed,
    event,
    payment_intent_succeeded,
    signature,
)


def _in(client: TestClient, program: Program) -> Any:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    return unit_of_work(factory, tenant_id=program.tenant_id)


def _ctx(program: Program) -> Context:
    return Context(program.tenant_id, "test", Surface.CLI)


@pytest.fixture
def program(client: TestClient) -> Program:
    shop = make_program(client, "shop.skyprepapp.com")
    with _in(client, shop) as session:
        set_stripe_webhook_secret(session, _ctx(shop), secret=SECRET)
    return shop


@pytest.fixture
def course_id(client: TestClient, program: Program) -> int:
    with _in(client, program) as session:
        return make_course(session, _ctx(program), "Workplace Safety Basics").id


def deliver(
    client: TestClient,
    acct_key: str,
    data: dict[str, Any] | str,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    header: str | None = None,
) -> httpx.Response:
    payload = data if isinstance(data, str) else body(data)
    sig = signature(payload, secret, timestamp) if header is None else header
    headers = {"Content-Type": "application/json"}
    if sig:
        headers["Stripe-Signature"] = sig
    return client.post(f"/webhooks/stripe/{acct_key}", content=payload, headers=headers)


def counts(client: TestClient, program: Program) -> dict[str, int]:
    with _in(client, program) as session:

        def count(model: Any) -> int:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(model)
                    .where(model.tenant_id == program.tenant_id)
                )
                or 0
            )

        fulfilled = session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.tenant_id == program.tenant_id, Event.type == "purchase.fulfilled")
        )
        return {
            "payments": count(Payment),
            "stripe_events": count(StripeEvent),
            "users": count(User),
            "enrollments": count(Enrollment),
            "fulfilled": int(fulfilled or 0),
        }


def test_a_paid_checkout_records_the_payment_and_enrolls_a_new_buyer(
    client: TestClient, program: Program, course_id: int
) -> None:
    sent = checkout_completed(course_id=course_id, email="New.Buyer@Example.com", amount=9900)
    response = deliver(client, program.acct_key, sent)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["fulfilled"] is True
    assert answer["duplicate"] is False
    with _in(client, program) as session:
        payment = session.get(Payment, answer["payment_id"])
        assert payment is not None
        assert (payment.status, payment.payment_type, str(payment.amount)) == (
            "complete",
            "stripe",
            "99.00",
        )
        assert payment.transaction_number == sent["data"]["object"]["payment_intent"]
        buyer = session.get(User, payment.user_id)
        assert buyer is not None
        assert (buyer.email, buyer.first_name, buyer.last_name) == (
            "New.Buyer@Example.com",
            "Avery",
            "Learner",
        )
        enrolled = session.scalars(
            select(Enrollment.course_id).where(Enrollment.user_id == buyer.id)
        ).all()
        assert enrolled == [course_id]
        [fulfilled] = session.scalars(
            select(Event).where(
                Event.tenant_id == program.tenant_id, Event.type == "purchase.fulfilled"
            )
        ).all()
        assert fulfilled.data["course_id"] == course_id
        assert fulfilled.data["user_id"] == buyer.id
        assert fulfilled.data["amount"] == "99.00"
        assert fulfilled.data["stripe_event_id"] == sent["id"]


def test_a_retried_event_changes_nothing(
    client: TestClient, program: Program, course_id: int
) -> None:
    sent = checkout_completed(course_id=course_id)
    first = deliver(client, program.acct_key, sent).json()
    before = counts(client, program)
    again = deliver(client, program.acct_key, sent)
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert again.json()["payment_id"] == first["payment_id"]
    assert counts(client, program) == before
    assert before["fulfilled"] == 1


def test_the_payment_intent_of_a_checkout_is_the_same_payment(
    client: TestClient, program: Program, course_id: int
) -> None:
    sent = checkout_completed(course_id=course_id, payment_intent="pi_test_shared")
    deliver(client, program.acct_key, sent)
    follow = deliver(
        client,
        program.acct_key,
        payment_intent_succeeded("pi_test_shared", course_id=course_id),
    )
    assert follow.status_code == 200
    assert follow.json()["fulfilled"] is False  # already fulfilled by the checkout
    assert counts(client, program) | {"users": 0} == {
        "payments": 1,
        "stripe_events": 2,
        "users": 0,
        "enrollments": 1,
        "fulfilled": 1,
    }


def test_an_unpaid_checkout_is_pending_until_the_payment_succeeds(
    client: TestClient, program: Program, course_id: int
) -> None:
    sent = checkout_completed(
        course_id=course_id, payment_intent="pi_test_slow", payment_status="unpaid"
    )
    pending = deliver(client, program.acct_key, sent).json()
    assert pending["fulfilled"] is False
    assert counts(client, program)["enrollments"] == 0
    # The PaymentIntent carries no metadata: the course named by the checkout is remembered.
    paid = deliver(
        client,
        program.acct_key,
        payment_intent_succeeded("pi_test_slow", course_id=None, email=None),
    ).json()
    assert (paid["payment_id"], paid["fulfilled"]) == (pending["payment_id"], True)
    with _in(client, program) as session:
        assert session.get(Payment, paid["payment_id"]).status == "complete"  # type: ignore[union-attr]
    assert counts(client, program)["enrollments"] == 1


def test_an_existing_learner_is_enrolled_not_duplicated(
    client: TestClient, program: Program, course_id: int
) -> None:
    with _in(client, program) as session:
        learner = make_user(session, _ctx(program), email="jordan@example.com").id
    answer = deliver(
        client,
        program.acct_key,
        payment_intent_succeeded("pi_test_jordan", course_id=course_id, email="JORDAN@example.com"),
    ).json()
    assert answer["fulfilled"] is True
    with _in(client, program) as session:
        assert session.get(Payment, answer["payment_id"]).user_id == learner  # type: ignore[union-attr]
    assert counts(client, program)["users"] == 1


def test_a_zero_decimal_currency_is_counted_in_whole_units(
    client: TestClient, program: Program, course_id: int
) -> None:
    sent = checkout_completed(course_id=course_id, amount=5000, currency="jpy")
    answer = deliver(client, program.acct_key, sent).json()
    with _in(client, program) as session:
        payment = session.get(Payment, answer["payment_id"])
        assert payment is not None
        assert (str(payment.amount), payment.currency) == ("5000.00", "jpy")


def test_a_payment_without_a_known_course_is_recorded_but_not_fulfilled(
    client: TestClient, program: Program, course_id: int
) -> None:
    other = make_program(client, "elsewhere.skyprepapp.com")
    with _in(client, other) as session:
        foreign = make_course(session, _ctx(other)).id
    for course in (None, foreign, "abc", "99999999999999999999", -4):
        sent = checkout_completed(course_id=None)
        if course is not None:
            sent["data"]["object"]["metadata"] = {"course_id": course}
        answer = deliver(client, program.acct_key, sent)
        assert answer.status_code == 200
        assert answer.json()["fulfilled"] is False
    assert counts(client, program)["payments"] == 5
    assert counts(client, program)["enrollments"] == 0


def test_other_event_types_are_acknowledged_and_ignored(
    client: TestClient, program: Program
) -> None:
    answer = deliver(client, program.acct_key, event("customer.created", {"id": "cus_1"}))
    assert answer.status_code == 200
    assert answer.json()["handled"] is False
    assert counts(client, program)["stripe_events"] == 0


@pytest.mark.parametrize(
    "tamper",
    ["wrong_secret", "changed_body", "stale", "missing", "garbage"],
)
def test_an_unverifiable_event_is_400_and_records_nothing(
    client: TestClient, program: Program, course_id: int, tamper: str
) -> None:
    sent = checkout_completed(course_id=course_id)
    payload = body(sent)
    if tamper == "wrong_secret":
        response = deliver(client, program.acct_key, payload, secret="whsec_not_the_one")
    elif tamper == "changed_body":
        header = signature(payload)
        response = deliver(client, program.acct_key, payload.replace("9900", "1"), header=header)
    elif tamper == "stale":
        response = deliver(client, program.acct_key, payload, timestamp=1_600_000_000)
    elif tamper == "missing":
        response = deliver(client, program.acct_key, payload, header="")
    else:
        response = deliver(client, program.acct_key, payload, header="t=abc,v1=00")
    assert response.status_code == 400, response.text
    assert response.json()["field"] == "Stripe-Signature"
    assert SECRET not in response.text
    assert counts(client, program) == {
        "payments": 0,
        "stripe_events": 0,
        "users": 0,
        "enrollments": 0,
        "fulfilled": 0,
    }


def test_a_signed_body_that_is_not_an_event_is_400(client: TestClient, program: Program) -> None:
    fails = deliver(client, program.acct_key, "not json")
    assert fails.status_code == 400
    assert fails.json()["field"] == "body"
    no_id = deliver(client, program.acct_key, {"type": "payment_intent.succeeded"})
    assert no_id.status_code == 400
    assert no_id.json()["field"] == "id"


def test_unknown_programs_and_programs_without_a_secret_look_like_a_bad_signature(
    client: TestClient, program: Program
) -> None:
    """Nobody can tell from outside which programs exist or have a signing secret."""
    sent = checkout_completed(course_id=1)
    unknown = deliver(client, "nobody.skyprepapp.com", sent)
    bare = make_program(client, "bare.skyprepapp.com")
    no_secret = deliver(client, bare.acct_key, sent)
    wrong = deliver(client, program.acct_key, sent, secret="whsec_not_the_one")
    for refused in (unknown, no_secret):
        assert (refused.status_code, refused.content) == (wrong.status_code, wrong.content)
    assert wrong.status_code == 400
    assert wrong.json()["field"] == "Stripe-Signature"


def test_the_secret_is_validated_and_kept_in_settings(client: TestClient, program: Program) -> None:
    with _in(client, program) as session:
        with pytest.raises(Invalid) as bad:
            set_stripe_webhook_secret(session, _ctx(program), secret="sk_live_oops")
        assert "sk_live_oops" not in bad.value.message
        tenant = session.get(Tenant, program.tenant_id)
        assert tenant is not None
        assert tenant.settings["stripe_webhook_secret"] == SECRET
        [changed] = session.scalars(
            select(Event).where(
                Event.tenant_id == program.tenant_id, Event.type == "program.stripe_secret_set"
            )
        ).all()
        assert SECRET not in str(changed.data)


@pytest.mark.fresh_db
@pytest.mark.postgres
def test_simultaneous_deliveries_of_one_event_fulfil_it_once(
    client: TestClient, program: Program, course_id: int
) -> None:
    """Stripe may deliver an event again before the first delivery has finished."""
    payload = body(checkout_completed(course_id=course_id))
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    start = threading.Barrier(4)
    outcomes: list[StripeOutcome] = []
    lock = threading.Lock()

    def deliver_now() -> None:
        start.wait()
        outcome = receive_stripe_event(factory, program.acct_key, payload, signature(payload))
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=deliver_now) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o.duplicate for o in outcomes) == [False, True, True, True]
    assert len({o.payment_id for o in outcomes}) == 1
    assert counts(client, program) == {
        "payments": 1,
        "stripe_events": 1,
        "users": 1,
        "enrollments": 1,
        "fulfilled": 1,
    }
