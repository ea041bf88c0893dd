"""The SkyPrep gamification actions over HTTP, on both databases."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.dialects.skyprep.reward_samples import BALANCE, TRANSACTION, assert_shape
from tests.dialects.skyprep.test_users import (
    NEW_YORK,
    api,
    events,
    fails,
    make_zoned_program,
    new_user,
    ok,
    parse_xml,
)
from tests.http_client import Program, make_program

LOCAL_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-0[45]:00$")


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


@pytest.fixture
def other(client: TestClient) -> Program:
    return make_program(client, "other.skyprepapp.com")


def test_transactions_and_balance_in_the_samples_shapes(
    client: TestClient, program: Program
) -> None:
    user = new_user(client, program, "avery@example.com")
    credit = ok(
        api(
            client,
            program,
            "create_gamification_transaction",
            user_id=str(user["id"]),
            amount="125",
            description="Manual adjustment",
            unique_transaction_id="txn_20260501_001",
        )
    )
    assert_shape(credit, TRANSACTION)
    assert list(credit) == list(TRANSACTION)
    assert (credit["user_id"], credit["amount"], credit["balance"]) == (user["id"], 125, 125)
    assert credit["unique_transaction_id"] == "txn_20260501_001"
    assert LOCAL_TIME.match(credit["created_at"])
    assert abs(credit["created_at_int"] - credit["updated_at_int"]) <= 1
    # The spec's sample parameters: a debit by user_id with a description.
    debit = ok(
        api(
            client,
            program,
            "create_gamification_transaction",
            user_id=user["id"],
            amount=-25,
            description="Deduct points for spending on another platform",
        )
    )
    assert (debit["amount"], debit["balance"]) == (-25, 100)
    balance = ok(
        api(client, program, "get_user_gamification_balance", "GET", email="avery@example.com")
    )
    assert balance == {
        "user_id": user["id"],
        "email": "avery@example.com",
        "gamification_balance": 100,
    }
    assert_shape(balance, BALANCE)
    assert len(events(client, program, "gamification.transaction_created")) == 2


def test_overdrawing_is_400_naming_amount_and_changes_nothing(
    client: TestClient, program: Program
) -> None:
    user = new_user(client, program, "avery@example.com")
    ok(api(client, program, "create_gamification_transaction", user_id=user["id"], amount=30))
    refused = api(
        client, program, "create_gamification_transaction", user_id=user["id"], amount=-31
    )
    fails(refused, 400, "amount")
    assert "overdraw" in refused.json()["message"]
    balance = ok(api(client, program, "get_user_gamification_balance", user_id=user["id"]))
    assert balance["gamification_balance"] == 30


def test_a_retried_transaction_is_applied_once(client: TestClient, program: Program) -> None:
    user = new_user(client, program, "avery@example.com")
    params = {"user_id": user["id"], "amount": 10, "unique_transaction_id": "order-77"}
    first = ok(api(client, program, "create_gamification_transaction", **params))
    again = ok(api(client, program, "create_gamification_transaction", **params))
    assert again["id"] == first["id"]
    assert again["balance"] == 10


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"amount": 5}, "user_id"),
        ({"user_id": "x", "amount": 5}, "user_id"),
        ({"amount": None}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": 10**13}, "amount"),
        ({"amount": 5, "description": ["a"]}, "description"),
    ],
)
def test_bad_input_is_400_naming_the_field(
    client: TestClient, program: Program, params: dict[str, object], field: str
) -> None:
    user = new_user(client, program, "avery@example.com")
    body = {"user_id": user["id"], **params} if field != "user_id" else params
    fails(api(client, program, "create_gamification_transaction", **body), 400, field)


def test_other_programs_users_are_404(client: TestClient, program: Program, other: Program) -> None:
    stranger = new_user(client, other, "stranger@example.com")
    fails(
        api(client, program, "create_gamification_transaction", user_id=stranger["id"], amount=1),
        404,
        "user_id",
    )
    fails(
        api(client, program, "get_user_gamification_balance", email="stranger@example.com"),
        404,
        "user_email",
    )


def test_xml_answers(client: TestClient, program: Program) -> None:
    user = new_user(client, program, "avery@example.com")
    response = api(
        client,
        program,
        "create_gamification_transaction",
        user_id=user["id"],
        amount=7,
        format="xml",
    )
    root = parse_xml(response.content)
    assert root.findtext("balance") == "7"
