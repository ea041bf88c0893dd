"""Rate limits and idempotency keys on the SkyPrep dialect, through the ASGI app."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from syllabus.app import create_app
from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.db.session import unit_of_work
from syllabus.domain.users import User
from syllabus.services.credentials import issue_credential
from syllabus.services.rate_limits import set_program_rate_limit
from tests.http_client import Program, make_program, settings_for

POLICY = re.compile(r'^"per-key";q=(\d+);w=(\d+)$')
STATE = re.compile(r'^"per-key";r=(\d+);t=(\d+)$')


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_program(client, "guards.example")


def call(
    client: TestClient,
    program: Program,
    action: str,
    *,
    key: str | None = None,
    api_key: str | None = None,
    method: str = "POST",
    **params: Any,
) -> httpx.Response:
    headers = {
        "X-SkyPrep-API-Key": api_key or program.api_key,
        "X-SkyPrep-Acct-Key": program.acct_key,
    }
    if key is not None:
        headers["Idempotency-Key"] = key
    if method == "GET":
        return client.get(f"/admin/api/{action}", params=params, headers=headers)
    return client.post(f"/admin/api/{action}", data=params, headers=headers)


def limit(client: TestClient, program: Program, per_second: float, burst: float) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        ctx = Context(program.tenant_id, "test", Surface.CLI)
        set_program_rate_limit(session, ctx, per_second=per_second, burst=burst)
    client.app.state.rate_limiter.forget_policies()  # type: ignore[attr-defined]


def remaining(response: httpx.Response) -> int:
    match = STATE.match(response.headers["ratelimit"])
    assert match, response.headers["ratelimit"]
    return int(match.group(1))


def users_named(client: TestClient, email: str) -> int:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        count = session.scalar(select(func.count()).select_from(User).where(User.email == email))
    return int(count or 0)


# --- Rate limits -----------------------------------------------------------------------------


def test_every_authenticated_answer_carries_the_headers(
    client: TestClient, program: Program
) -> None:
    default = call(client, program, "test_connection")
    assert POLICY.match(default.headers["ratelimit-policy"]).groups() == ("200", "4")  # type: ignore[union-attr]
    limit(client, program, per_second=0.01, burst=100)  # no refill within the test
    # A fresh key: the first call's debt (a fraction of a token of the new policy) would
    # otherwise make the counts depend on how long the calls take.
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=None) as session:
        ctx = Context(program.tenant_id, "test", Surface.CLI)
        program = replace(
            program, api_key=issue_credential(session, ctx, kind=CredentialKind.API_KEY).secret
        )
    answers = [
        call(client, program, "test_connection"),  # answered from the key cache
        call(client, program, "get_users", method="GET"),  # streamed
        call(client, program, "create_user", email="h@example.com", first_name="H"),
        call(client, program, "get_user", user_id="999999"),  # 404
        call(client, program, "no_such_action"),  # 404
        call(client, program, "get_user", user_id="x"),  # 400
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 404, 404, 400]
    for answer in answers:
        assert answer.headers["ratelimit-policy"] == '"per-key";q=100;w=10000'
    assert [remaining(a) for a in answers] == [99, 98, 97, 96, 95, 94]
    assert int(STATE.match(answers[-1].headers["ratelimit"]).group(2)) == 600  # type: ignore[union-attr]


def test_unauthenticated_answers_carry_no_budget(client: TestClient, program: Program) -> None:
    response = call(client, program, "test_connection", api_key="sk_wrong")
    assert response.status_code == 401
    assert "ratelimit" not in response.headers


def test_an_exhausted_budget_is_429_with_retry_after(client: TestClient, program: Program) -> None:
    limit(client, program, per_second=0.05, burst=3)
    answers = [call(client, program, "test_connection") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json() == {"message": refused.json()["message"], "field": None}
    assert "rate limit exceeded" in refused.json()["message"]
    assert 1 <= int(refused.headers["retry-after"]) <= 20
    assert refused.headers["ratelimit-policy"] == '"per-key";q=3;w=60'
    assert remaining(refused) == 0
    # Writes are refused before they run.
    write = call(client, program, "create_user", email="late@example.com")
    assert write.status_code == 429
    assert users_named(client, "late@example.com") == 0
    # The budget is per key: another key of the program has its own.
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=None) as session:
        ctx = Context(program.tenant_id, "test", Surface.CLI)
        other = issue_credential(session, ctx, kind=CredentialKind.API_KEY).secret
    assert call(client, program, "test_connection", api_key=other).status_code == 200


def test_xml_clients_get_their_429_in_xml(client: TestClient, program: Program) -> None:
    limit(client, program, per_second=0.05, burst=1)
    call(client, program, "test_connection")
    refused = call(client, program, "test_connection", format="xml")
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/xml")
    assert b"rate limit exceeded" in refused.content


def test_a_program_override_of_zero_switches_its_limit_off(
    client: TestClient, program: Program
) -> None:
    limit(client, program, per_second=0, burst=0)
    answers = [call(client, program, "test_connection") for _ in range(210)]
    assert {a.status_code for a in answers} == {200}
    assert "ratelimit" not in answers[-1].headers


def test_zero_in_the_environment_switches_limiting_off(fresh_db_url: str, tmp_path: Path) -> None:
    settings = replace(settings_for(fresh_db_url, tmp_path), rate_limit_per_second=0)
    with TestClient(create_app(settings)) as client:
        program = make_program(client, "unlimited.example")
        limit(client, program, per_second=1, burst=1)  # overrides do not apply either
        answers = [call(client, program, "test_connection") for _ in range(210)]
    assert {a.status_code for a in answers} == {200}
    assert "ratelimit" not in answers[-1].headers
    assert "ratelimit-policy" not in answers[0].headers


# --- Idempotency keys ------------------------------------------------------------------------


def test_a_retried_write_replays_the_first_answer(client: TestClient, program: Program) -> None:
    params = {"email": "once@example.com", "first_name": "Once"}
    first = call(client, program, "create_user", key="create-once", **params)
    again = call(client, program, "create_user", key="create-once", **params)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert "ratelimit" in again.headers  # a replay is still a request
    assert users_named(client, "once@example.com") == 1


def test_the_same_key_for_another_request_is_422(client: TestClient, program: Program) -> None:
    call(client, program, "create_user", key="k", email="a@example.com")
    other_body = call(client, program, "create_user", key="k", email="b@example.com")
    assert other_body.status_code == 422
    assert other_body.json()["field"] == "Idempotency-Key"
    other_method = call(
        client, program, "create_user", key="k", method="GET", email="a@example.com"
    )
    assert other_method.status_code == 422
    assert users_named(client, "b@example.com") == 0


def test_a_refused_write_is_kept_and_replayed_too(client: TestClient, program: Program) -> None:
    first = call(client, program, "create_user", key="bad", email="not-an-email")
    assert first.status_code == 400
    again = call(client, program, "create_user", key="bad", email="not-an-email")
    assert (again.status_code, again.content) == (400, first.content)
    assert again.headers["idempotent-replayed"] == "true"


def test_keys_belong_to_one_credential(client: TestClient, program: Program) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=None) as session:
        ctx = Context(program.tenant_id, "test", Surface.CLI)
        other = issue_credential(session, ctx, kind=CredentialKind.API_KEY).secret
    call(client, program, "create_user", key="shared", email="k1@example.com")
    second = call(
        client, program, "create_user", key="shared", api_key=other, email="k2@example.com"
    )
    assert second.status_code == 200
    assert "idempotent-replayed" not in second.headers
    assert users_named(client, "k2@example.com") == 1


def test_reads_ignore_the_key(client: TestClient, program: Program) -> None:
    call(client, program, "get_users", key="r")
    again = call(client, program, "get_users", key="r", first_name="x")
    assert again.status_code == 200
    assert "idempotent-replayed" not in again.headers


@pytest.mark.parametrize("key", ["", "x" * 256, "sp ace", "é"])
def test_a_malformed_key_is_400(client: TestClient, program: Program, key: str) -> None:
    headers = {
        "X-SkyPrep-API-Key": program.api_key,
        "X-SkyPrep-Acct-Key": program.acct_key,
        "Idempotency-Key": key,
    }
    response = client.post(
        "/admin/api/create_user",
        data={"email": "m@example.com"},
        headers={k: v.encode() if k == "Idempotency-Key" else v for k, v in headers.items()},  # type: ignore[misc]
    )
    assert response.status_code == 400
    assert response.json()["field"] == "Idempotency-Key"
    assert users_named(client, "m@example.com") == 0
