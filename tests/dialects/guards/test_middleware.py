"""``ApiGuard`` around REST surfaces, wired the way the app wires ``/v1`` and ``/scim/v2``.

The routes here are probes under ``/probe`` (failing on demand, echoing what they get): they go
through the real services and the real app, so what is tested is the guard, not the probe.
``test_wiring.py`` checks the real ``/v1`` and ``/scim/v2``.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from syllabus.app import create_app
from syllabus.auth.keys import authenticate
from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.db.session import unit_of_work
from syllabus.dialects.responses import JSONResponse
from syllabus.dialects.scim.endpoint import SCIM
from syllabus.dialects.skilljar.auth import V1
from syllabus.domain.groups import Group
from syllabus.pipeline.middleware import ApiGuard
from syllabus.services.groups import GroupData, create_group
from syllabus.services.rate_limits import set_program_rate_limit
from tests.http_client import Program, make_program, settings_for

pytestmark = pytest.mark.postgres  # rate limits: PostgreSQL shares buckets through SQL


def probe_app(url: str, data_dir: Path) -> FastAPI:
    app = create_app(settings_for(url, data_dir))
    failures = itertools.count()

    def create(secret: str, name: str, kind: CredentialKind) -> dict[str, object]:
        factory = app.state.session_factory
        with unit_of_work(factory, tenant_id=None, read_only=True) as session:
            principal = authenticate(session, secret, kind)
        assert principal is not None
        with unit_of_work(factory, tenant_id=principal.tenant_id) as session:
            ctx = Context(principal.tenant_id, principal.actor, Surface.SKILLJAR)
            group = create_group(session, ctx, data=GroupData(name=name))
            return {"id": group.id, "name": group.name}

    @app.post("/probe/v1/probe-groups")
    async def v1_create(request: Request) -> Response:
        body = await request.json()
        secret = request.headers["authorization"].partition(" ")[2]
        if request.headers["authorization"].startswith("Basic"):
            secret = base64.b64decode(secret).decode().partition(":")[0]
        made = await run_in_threadpool(create, secret, body["name"], CredentialKind.API_KEY)
        return JSONResponse(made, 201)

    @app.get("/probe/v1/ping")
    async def ping() -> dict[str, str]:
        return {"ping": "pong"}

    @app.post("/probe/v1/flaky")
    async def flaky() -> Response:
        if next(failures) == 0:
            raise RuntimeError("first attempt fails")
        return JSONResponse({"ok": True}, 201)

    @app.delete("/probe/v1/unavailable")
    async def unavailable() -> Response:
        return JSONResponse({"detail": "try later"}, 503)

    @app.post("/probe/scim/v2/Groups")
    async def scim_create(request: Request) -> Response:
        body = await request.json()
        secret = request.headers["authorization"].partition(" ")[2]
        made = await run_in_threadpool(
            create, secret, body["displayName"], CredentialKind.SCIM_TOKEN
        )
        return JSONResponse(made, 201, media_type="application/scim+json")

    app.add_middleware(ApiGuard, prefix="/probe/v1", door=V1)
    app.add_middleware(ApiGuard, prefix="/probe/scim/v2", door=SCIM)
    return app


@pytest.fixture
def client(fresh_db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(probe_app(fresh_db_url, tmp_path), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_program(client, "rest.example")


def basic(secret: str, colon: bool = True) -> dict[str, str]:
    raw = f"{secret}:" if colon else secret
    return {"Authorization": "Basic " + base64.b64encode(raw.encode()).decode()}


def groups_named(client: TestClient, name: str) -> int:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        count = session.scalar(select(func.count()).select_from(Group).where(Group.name == name))
    return int(count or 0)


def limit(client: TestClient, program: Program, per_second: float, burst: float) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        ctx = Context(program.tenant_id, "test", Surface.CLI)
        set_program_rate_limit(session, ctx, per_second=per_second, burst=burst)
    client.app.state.rate_limiter.forget_policies()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "auth",
    [
        lambda p: basic(p.api_key),
        lambda p: basic(p.api_key, colon=False),
        lambda p: {"Authorization": f"Token {p.api_key}"},
        lambda p: {"Authorization": f"Bearer {p.api_key}"},
    ],
    ids=["basic", "basic-no-colon", "token", "bearer"],
)
def test_every_auth_form_gets_the_headers(
    client: TestClient, program: Program, auth: object
) -> None:
    response = client.get("/probe/v1/ping", headers=auth(program))  # type: ignore[operator]
    assert response.status_code == 200
    assert response.headers["ratelimit-policy"] == '"per-key";q=200;w=4'
    assert response.headers["ratelimit"].startswith('"per-key";r=199;')


def test_unidentified_requests_pass_untouched(client: TestClient, program: Program) -> None:
    for headers in ({}, {"Authorization": "Bearer sk_nope"}, basic(program.scim_token)):
        response = client.get("/probe/v1/ping", headers=headers)
        assert response.status_code == 200  # the probe has no auth of its own
        assert "ratelimit" not in response.headers
    outside = client.get("/health", headers=basic(program.api_key))
    assert "ratelimit" not in outside.headers


def test_429_in_each_surfaces_style(client: TestClient, program: Program) -> None:
    limit(client, program, per_second=0.05, burst=1)
    assert client.get("/probe/v1/ping", headers=basic(program.api_key)).status_code == 200
    refused = client.get("/probe/v1/ping", headers=basic(program.api_key))
    assert refused.status_code == 429
    assert set(refused.json()) == {"detail"}
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit"].startswith('"per-key";r=0;')
    bearer = {"Authorization": f"Bearer {program.scim_token}"}
    assert client.post(
        "/probe/scim/v2/Groups", json={"displayName": "a"}, headers=bearer
    ).is_success
    scim = client.post("/probe/scim/v2/Groups", json={"displayName": "b"}, headers=bearer)
    assert scim.status_code == 429
    assert scim.headers["content-type"] == "application/scim+json"
    assert scim.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert scim.json()["status"] == "429"
    assert groups_named(client, "b") == 0


def test_replay_conflict_and_slash_forms(client: TestClient, program: Program) -> None:
    headers = basic(program.api_key) | {"Idempotency-Key": "g-1"}
    first = client.post("/probe/v1/probe-groups", json={"name": "Team"}, headers=headers)
    spaced = b'{ "name" : "Team" }'  # the same JSON, written differently
    json_headers = headers | {"Content-Type": "application/json"}
    again = client.post("/probe/v1/probe-groups/", content=spaced, headers=json_headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == "application/json"
    assert groups_named(client, "Team") == 1
    other = client.post("/probe/v1/probe-groups", json={"name": "Other"}, headers=headers)
    assert other.status_code == 422
    assert set(other.json()) == {"detail"}
    assert groups_named(client, "Other") == 0
    scim_headers = {"Authorization": f"Bearer {program.scim_token}", "Idempotency-Key": "g-1"}
    scim = client.post("/probe/scim/v2/Groups", json={"displayName": "Team2"}, headers=scim_headers)
    assert scim.status_code == 201  # another credential: the same key is free


def test_failures_release_the_key(client: TestClient, program: Program) -> None:
    headers = basic(program.api_key) | {"Idempotency-Key": "f-1"}
    assert client.post("/probe/v1/flaky", headers=headers).status_code == 500
    retried = client.post("/probe/v1/flaky", headers=headers)
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert client.post("/probe/v1/flaky", headers=headers).headers["idempotent-replayed"] == "true"
    down = basic(program.api_key) | {"Idempotency-Key": "u-1"}
    assert client.delete("/probe/v1/unavailable", headers=down).status_code == 503
    again = client.delete("/probe/v1/unavailable", headers=down)
    assert again.status_code == 503
    assert "idempotent-replayed" not in again.headers


def test_a_malformed_key_is_refused_before_the_route(client: TestClient, program: Program) -> None:
    headers = basic(program.api_key) | {"Idempotency-Key": "x" * 300}
    response = client.post("/probe/v1/probe-groups", json={"name": "Never"}, headers=headers)
    assert response.status_code == 400
    assert groups_named(client, "Never") == 0
