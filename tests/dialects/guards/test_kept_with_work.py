"""An Idempotency-Key's answer on /v1 and SCIM is kept in the write's own transaction: a write
that commits has its kept answer, and one whose commit fails leaves neither data nor answer.

Faults are injected at two points only: the guard's own after-the-fact transactions (as if the
process died once the write committed) and the write transaction's commit.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from syllabus.db.session import unit_of_work
from syllabus.domain.groups import Group
from syllabus.domain.limits import IdempotencyKey, IdempotencyState
from syllabus.domain.users import User
from syllabus.services.idempotency import hash_key
from tests.http_client import Program, make_program

pytestmark = pytest.mark.fresh_db  # faults are injected at the write's real commit


@dataclass(frozen=True)
class Surface:
    path: str
    body: dict[str, Any]
    model: type[Any]
    scim: bool


SURFACES = {
    "v1": Surface("/v1/groups", {"name": "Kept"}, Group, False),
    "scim": Surface(
        "/scim/v2/Users",
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "kept@ex.com"},
        User,
        True,
    ),
}


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_program(client, "kept.example.test")


def _headers(program: Program, surface: Surface, key: str) -> dict[str, str]:
    if surface.scim:
        auth = f"Bearer {program.scim_token}"
    else:
        auth = "Basic " + base64.b64encode(f"{program.api_key}:".encode()).decode()
    return {"Authorization": auth, "Idempotency-Key": key}


def _state(client: TestClient, program: Program, surface: Surface, key: str) -> tuple[int, Any]:
    """How many rows the write made, and its key's record (state, status, body) if any."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id, read_only=True) as session:
        count = session.scalar(select(func.count()).select_from(surface.model)) or 0
        if surface.model is User:  # the program's own admin user is not the write's
            count = session.scalar(
                select(func.count()).select_from(User).where(User.email == "kept@ex.com")
            )
        record = session.execute(
            select(IdempotencyKey.state, IdempotencyKey.status_code, IdempotencyKey.body).where(
                IdempotencyKey.key_hash == hash_key(key)
            )
        ).first()
    return int(count or 0), record


@pytest.mark.parametrize("name", SURFACES)
def test_a_committed_write_has_its_answer_without_another_transaction(
    client: TestClient, program: Program, name: str
) -> None:
    surface = SURFACES[name]
    guard = client.app.state.idempotency  # type: ignore[attr-defined]

    def died(*_: object) -> None:
        raise RuntimeError("the process died right after the write committed")

    guard.keep = died  # fault injection: nothing runs after the write's commit
    guard.release = died
    first = client.post(surface.path, json=surface.body, headers=_headers(program, surface, "k1"))
    assert first.status_code == 201, first.text
    count, record = _state(client, program, surface, "k1")
    assert count == 1
    assert record is not None
    assert (record.state, record.status_code) == (IdempotencyState.COMPLETED, 201)
    assert bytes(record.body) == first.content
    again = client.post(surface.path, json=surface.body, headers=_headers(program, surface, "k1"))
    assert again.headers["idempotent-replayed"] == "true"
    assert (again.status_code, again.content) == (201, first.content)
    assert _state(client, program, surface, "k1")[0] == 1


@pytest.mark.parametrize("name", SURFACES)
def test_a_write_whose_commit_fails_leaves_neither_data_nor_answer(
    client: TestClient, program: Program, name: str
) -> None:
    surface = SURFACES[name]
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    table = IdempotencyKey.__table__
    failed: list[bool] = []

    def fail_commit_with_answer(session: Session) -> None:
        """Fault injection: the first commit that holds the kept answer fails."""
        state = session.connection().scalar(
            select(table.c.state).where(table.c.key_hash == hash_key("k2"))
        )
        if state == IdempotencyState.COMPLETED and not failed:
            failed.append(True)
            raise RuntimeError("the database refused the commit")

    event.listen(factory, "before_commit", fail_commit_with_answer)
    try:
        with pytest.raises(RuntimeError, match="refused the commit"):
            client.post(surface.path, json=surface.body, headers=_headers(program, surface, "k2"))
    finally:
        event.remove(factory, "before_commit", fail_commit_with_answer)
    assert failed
    assert _state(client, program, surface, "k2") == (0, None)
    retried = client.post(surface.path, json=surface.body, headers=_headers(program, surface, "k2"))
    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers
    count, record = _state(client, program, surface, "k2")
    assert count == 1
    assert (record.state, record.status_code) == (IdempotencyState.COMPLETED, 201)


def test_refusals_are_still_kept_and_replayed(client: TestClient, program: Program) -> None:
    """A 4xx commits no work: its answer is kept afterwards, as before."""
    surface = SURFACES["v1"]
    headers = _headers(program, surface, "k3")
    refused = client.post(surface.path, json={"name": ""}, headers=headers)
    assert refused.status_code == 400
    again = client.post(surface.path, json={"name": ""}, headers=headers)
    assert (again.status_code, again.content) == (400, refused.content)
    assert again.headers["idempotent-replayed"] == "true"
    other = client.post(surface.path, json={"name": "Other"}, headers=headers)
    assert other.status_code == 422
