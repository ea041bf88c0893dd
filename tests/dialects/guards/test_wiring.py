"""The app puts the guard in front of the real ``/v1`` and ``/scim/v2``: every authenticated
answer says where the key stands, and an exhausted key is refused in each surface's style."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.http_client import Program, make_program


@pytest.fixture(scope="module")
def http_settings() -> dict[str, Any]:
    return {"rate_limit_per_second": 0.001, "rate_limit_burst": 3}


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_program(client, "wired.example")


def basic(secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{secret}:".encode()).decode()}


def test_v1_answers_carry_the_headers_and_an_exhausted_key_gets_a_detail_429(
    client: TestClient, program: Program
) -> None:
    for remaining in (2, 1, 0):
        response = client.get("/v1/ping", headers=basic(program.api_key))
        assert response.status_code == 200
        assert response.headers["ratelimit"].startswith(f'"per-key";r={remaining};')
    refused = client.get("/v1/ping", headers=basic(program.api_key))
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert set(refused.json()) == {"detail"}


def test_scim_answers_carry_the_headers_and_an_exhausted_token_gets_a_scim_429(
    client: TestClient, program: Program
) -> None:
    bearer = {"Authorization": f"Bearer {program.scim_token}"}
    for _ in range(3):
        response = client.get("/scim/v2/Users", headers=bearer)
        assert response.status_code == 200
        assert "ratelimit-policy" in response.headers
    refused = client.get("/scim/v2/Users", headers=bearer)
    assert refused.status_code == 429
    assert refused.json()["status"] == "429"
    assert "urn:ietf:params:scim:api:messages:2.0:Error" in refused.json()["schemas"]
