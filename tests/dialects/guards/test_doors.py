"""The guard and the route behind it read ``Authorization`` the same way, on every door."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient
from starlette.datastructures import Headers

from syllabus.dialects.scim.endpoint import SCIM, bearer
from syllabus.dialects.skilljar.auth import V1, presented_key
from syllabus.dialects.skilljar.errors import Unauthorized
from tests.http_client import make_program


def b64(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


FORMS = [
    f"Basic {b64('sk_1:')}",
    f"Basic {b64('sk_1')}",
    f"Basic {b64(' sk_1 :')}",
    "Token sk_1",
    "Bearer sk_1",
    "bearer sk_1",
    "  Token   sk_1 ",
    "Bearer",
    f"Basic {b64(':')}",
    "Digest sk_1",
    "sk_1",
    "",
]


@pytest.mark.parametrize("value", FORMS)
def test_v1_guard_and_route_agree(value: str) -> None:
    assert V1.extract(Headers({"authorization": value})) == presented_key(value)


@pytest.mark.parametrize("value", ["Basic not*base64", "Basic " + "A" * 1000])
def test_v1_malformed_basic_is_no_one_to_the_guard_and_a_401_to_the_route(value: str) -> None:
    assert V1.extract(Headers({"authorization": value})) is None
    with pytest.raises(Unauthorized):
        presented_key(value)


class _Request:
    def __init__(self, value: str) -> None:
        self.headers = Headers({"authorization": value})


@pytest.mark.parametrize("value", FORMS)
def test_scim_takes_bearer_only_in_guard_and_route(value: str) -> None:
    secret = SCIM.extract(Headers({"authorization": value}))
    if value.strip().lower().startswith("bearer") and secret is not None:
        assert secret == "sk_1"
        assert bearer(_Request(value)) == "sk_1"  # type: ignore[arg-type]
    else:
        assert secret is None
        with pytest.raises(Exception, match="bearer token is required"):
            bearer(_Request(value))  # type: ignore[arg-type]


def test_the_guard_limits_exactly_the_callers_the_route_accepts(client: TestClient) -> None:
    program = make_program(client, "doors.example")
    padded = {"Authorization": f"Basic {b64(f' {program.api_key} :')}"}
    accepted = client.get("/v1/ping", headers=padded)
    assert accepted.status_code == 200
    assert "ratelimit" in accepted.headers  # the guard read the key as the route did
    as_token = {"Authorization": f"Token {program.scim_token}"}
    refused = client.get("/scim/v2/Users", headers=as_token)
    assert refused.status_code == 401  # SCIM takes Bearer only, in the guard as in the route
    assert "ratelimit" not in refused.headers
    bearer_ok = client.get(
        "/scim/v2/Users", headers={"Authorization": f"Bearer {program.scim_token}"}
    )
    assert bearer_ok.status_code == 200
    assert "ratelimit" in bearer_ok.headers


def test_a_padded_basic_key_is_one_caller_for_idempotency_too(client: TestClient) -> None:
    """Issue 12, item 11: a space before the key once let two POSTs with one key both run."""
    program = make_program(client, "padded.example")
    padded = {"Authorization": f"Basic {b64(f' {program.api_key}:')}", "Idempotency-Key": "k-1"}
    first = client.post("/v1/courses", json={"title": "Once"}, headers=padded)
    again = client.post("/v1/courses", json={"title": "Once"}, headers=padded)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    listed = client.get("/v1/courses", headers={"Authorization": padded["Authorization"]})
    assert [c["title"] for c in listed.json()["results"]] == ["Once"]
