"""A retry with the same Idempotency-Key gets the first answer's meaningful headers too (ETag,
Location, Allow...), on every surface, through the real app on both databases; the rate-limit
headers are the retry's own, and answers kept without headers (NULL) still replay.
"""

from __future__ import annotations

import base64
import re

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import null, select, update

from syllabus.core.context import Context, Surface
from syllabus.db.session import unit_of_work
from syllabus.domain.limits import IdempotencyKey
from syllabus.domain.tenants import Domain
from syllabus.pipeline.idempotency import KEPT_HEADERS, kept_headers
from syllabus.services.idempotency import hash_key
from syllabus.services.rate_limits import set_program_rate_limit
from syllabus.services.signup_fields import SignupFieldData, add_signup_field
from tests.dialects.skilljar.conftest import arrange, codec
from tests.http_client import Program, make_program

RATE_STATE = re.compile(r'^"per-key";r=(\d+);t=(\d+)$')
SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"


@pytest.fixture
def program(client: TestClient) -> Program:
    """A program whose budget barely refills, so each request visibly spends one."""
    made = make_program(client, "replayed.example.test")
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=made.tenant_id) as session:
        ctx = Context(made.tenant_id, "test", Surface.CLI)
        set_program_rate_limit(session, ctx, per_second=0.01, burst=100)
    client.app.state.rate_limiter.forget_policies()  # type: ignore[attr-defined]
    return made


def v1(program: Program, key: str | None = None) -> dict[str, str]:
    basic = base64.b64encode(f"{program.api_key}:".encode()).decode()
    headers = {"Authorization": f"Basic {basic}"}
    return headers | ({"Idempotency-Key": key} if key else {})


def scim(program: Program, key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {program.scim_token}", "Idempotency-Key": key}


def remaining(response: httpx.Response) -> int:
    match = RATE_STATE.match(response.headers["ratelimit"])
    assert match, response.headers["ratelimit"]
    return int(match.group(1))


def assert_replayed(first: httpx.Response, again: httpx.Response, *expected: str) -> None:
    """``again`` is ``first`` replayed: status, body, content type and the allow-listed
    headers (``expected`` among them), with a rate-limit state of its own."""
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["content-type"] == first.headers["content-type"]
    kept = kept_headers(first.headers.items())
    assert set(kept) >= set(expected), kept
    assert kept_headers(again.headers.items()) == kept
    assert remaining(again) < remaining(first)  # counted again, not copied from the first


def set_kept_headers(client: TestClient, program: Program, key: str, value: object) -> None:
    """Rewrite the kept headers of ``key``'s record (NULL: as kept before they were stored)."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        done = session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key_hash == hash_key(key))
            .values(headers=value)
            .execution_options(synchronize_session=False)
        )
        assert done.rowcount == 1  # type: ignore[attr-defined]


def kept_record(client: TestClient, program: Program, key: str) -> object:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id, read_only=True) as session:
        return session.scalar(
            select(IdempotencyKey.headers).where(IdempotencyKey.key_hash == hash_key(key))
        )


def test_the_allow_list_keeps_meaning_and_drops_transport_and_secrets() -> None:
    sent = [
        ("etag", '"g-1"'),
        ("LOCATION", "https://h/v1/x"),
        ("Content-Location", "https://h/v1/x"),
        ("last-modified", "Mon, 23 Nov 2026 02:00:00 GMT"),
        ("retry-after", "5"),
        ("allow", "GET, HEAD"),
        ("RateLimit", '"per-key";r=1;t=1'),
        ("RateLimit-Policy", '"per-key";q=2;w=1'),
        ("Set-Cookie", "session=secret"),
        ("Authorization", "Bearer secret"),
        ("Content-Type", "application/json"),
        ("Content-Length", "2"),
        ("Idempotent-Replayed", "true"),
    ]
    assert kept_headers(sent) == {
        "ETag": '"g-1"',
        "Location": "https://h/v1/x",
        "Content-Location": "https://h/v1/x",
        "Last-Modified": "Mon, 23 Nov 2026 02:00:00 GMT",
        "Retry-After": "5",
        "Allow": "GET, HEAD",
    }
    assert not {"set-cookie", "ratelimit", "ratelimit-policy", "authorization"} & set(KEPT_HEADERS)


def test_v1_create_replays_its_location(client: TestClient, program: Program) -> None:
    with arrange(client, program) as (session, ctx):
        domain_id = session.scalar(select(Domain.id).where(Domain.name == program.acct_key))
        assert domain_id is not None
        data = SignupFieldData(label="Code")
        field = add_signup_field(session, ctx, domain_id=domain_id, data=data)
        field_id = codec(client).encode("signup_field", field.id)
    member = client.post(
        f"/v1/domains/{program.acct_key}/users",
        json={"user": {"email": "loc@example.com"}},
        headers=v1(program),
    )
    assert member.status_code == 201, member.text
    user_id = member.json()["user"]["id"]
    url = f"/v1/domains/{program.acct_key}/users/{user_id}/signup-fields-bulk"
    body = {"signup_fields": [{"id": field_id, "value": "A-1"}]}
    first = client.post(url, json=body, headers=v1(program, "loc-1"))
    assert first.status_code == 201, first.text
    assert first.headers["location"].endswith(f"/users/{user_id}/signup-fields")
    assert kept_record(client, program, "loc-1") == {"Location": first.headers["location"]}
    again = client.post(url, json=body, headers=v1(program, "loc-1"))
    assert_replayed(first, again, "Location")


def test_v1_bulk_create_replays_its_202_and_location(client: TestClient, program: Program) -> None:
    url = f"/v1/domains/{program.acct_key}/users/bulk-create"
    body = {"users": [{"email": "bulk@example.com"}]}
    first = client.post(url, json=body, headers=v1(program, "bulk-1"))
    assert first.status_code == 202, first.text
    assert first.headers["location"] == first.json()["url"]
    again = client.post(url + "/", json=body, headers=v1(program, "bulk-1"))
    assert_replayed(first, again, "Location")


def test_v1_patch_replays_the_etag_it_answered_not_the_current_one(
    client: TestClient, program: Program
) -> None:
    created = client.post("/v1/groups", json={"name": "Team"}, headers=v1(program))
    assert created.status_code == 201, created.text
    url = f"/v1/groups/{created.json()['id']}"
    first = client.patch(url, json={"name": "Renamed"}, headers=v1(program, "etag-1"))
    assert first.status_code == 200, first.text
    later = client.patch(url, json={"name": "Later"}, headers=v1(program))
    assert later.headers["etag"] != first.headers["etag"]
    again = client.patch(url, json={"name": "Renamed"}, headers=v1(program, "etag-1"))
    assert_replayed(first, again, "ETag")
    assert again.headers["etag"] == first.headers["etag"]


def test_scim_user_create_replays_location_and_etag(client: TestClient, program: Program) -> None:
    body = {"schemas": [SCIM_USER], "userName": "scim@example.com"}
    first = client.post("/scim/v2/Users", json=body, headers=scim(program, "scim-1"))
    assert first.status_code == 201, first.text
    again = client.post("/scim/v2/Users", json=body, headers=scim(program, "scim-1"))
    assert_replayed(first, again, "Location", "ETag")
    assert again.headers["content-type"] == "application/scim+json"


def test_a_refusal_kept_after_the_fact_keeps_its_allow(
    client: TestClient, program: Program
) -> None:
    """A 405 commits no work: its answer is kept outside the route, with its ``Allow``."""
    first = client.delete("/v1/ping", headers=v1(program, "allow-1"))
    assert first.status_code == 405
    again = client.delete("/v1/ping", headers=v1(program, "allow-1"))
    assert_replayed(first, again, "Allow")


def test_answers_kept_without_headers_replay_without_them(
    client: TestClient, program: Program
) -> None:
    """Records kept before the headers column existed (NULL) replay status and body only."""
    first = client.post("/v1/groups", json={"name": "Old"}, headers=v1(program, "old-1"))
    assert first.status_code == 201, first.text
    assert "etag" in first.headers
    set_kept_headers(client, program, "old-1", null())
    assert kept_record(client, program, "old-1") is None
    again = client.post("/v1/groups", json={"name": "Old"}, headers=v1(program, "old-1"))
    assert again.headers["idempotent-replayed"] == "true"
    assert (again.status_code, again.content) == (201, first.content)
    assert kept_headers(again.headers.items()) == {}


def test_headers_taken_off_the_list_are_not_replayed_from_older_records(
    client: TestClient, program: Program
) -> None:
    first = client.post("/v1/groups", json={"name": "Listed"}, headers=v1(program, "list-1"))
    assert first.status_code == 201, first.text
    set_kept_headers(client, program, "list-1", {"Set-Cookie": "s=1", "ETag": '"x"'})
    again = client.post("/v1/groups", json={"name": "Listed"}, headers=v1(program, "list-1"))
    assert "set-cookie" not in again.headers
    assert again.headers["etag"] == '"x"'


def skyprep(program: Program, key: str) -> dict[str, str]:
    return {
        "X-SkyPrep-API-Key": program.api_key,
        "X-SkyPrep-Acct-Key": program.acct_key,
        "Idempotency-Key": key,
    }


def test_skyprep_write_replays_its_answer_and_kept_headers(
    client: TestClient, program: Program
) -> None:
    """SkyPrep keeps its answers on its own path (the router, not ``ApiGuard``). Its actions
    answer no allow-listed header today, so the first replay must add none, keep the request's
    own ``Deprecation`` (a write sent as GET) and recount the budget; a record that does hold
    headers is replayed with them through the same path."""
    params = {"email": "sky@example.com", "first_name": "Sky"}
    url = "/admin/api/create_user"
    first = client.get(url, params=params, headers=skyprep(program, "sky-1"))
    assert first.status_code == 200, first.text
    again = client.get(url, params=params, headers=skyprep(program, "sky-1"))
    assert_replayed(first, again)
    assert again.headers["deprecation"] == first.headers["deprecation"] == "true"
    assert kept_headers(again.headers.items()) == {}
    location = "https://replayed.example.test/admin/api/get_user?user_id=1"
    set_kept_headers(client, program, "sky-1", {"Location": location})
    kept = client.get(url, params=params, headers=skyprep(program, "sky-1"))
    assert (kept.status_code, kept.content) == (200, first.content)
    assert kept.headers["location"] == location
    set_kept_headers(client, program, "sky-1", null())
    legacy = client.get(url, params=params, headers=skyprep(program, "sky-1"))
    assert (legacy.status_code, legacy.content) == (200, first.content)
    assert "location" not in legacy.headers
