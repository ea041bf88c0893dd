"""A SCIM client on a fresh database (SQLite and PostgreSQL) and a program with a token."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.http_client import Program, make_program

SCIM_JSON = "application/scim+json"
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error"


class Scim:
    """Requests as an IdP makes them: bearer token, SCIM JSON, paths under /scim/v2."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.token = token

    def request(self, method: str, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        if body is not None:
            headers.setdefault("Content-Type", SCIM_JSON)
            kw["json"] = body
        return self.client.request(method, f"/scim/v2{path}", headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any, **kw: Any) -> httpx.Response:
        return self.request("POST", path, body, **kw)

    def put(self, path: str, body: Any, **kw: Any) -> httpx.Response:
        return self.request("PUT", path, body, **kw)

    def patch(self, path: str, ops: list[dict[str, Any]], **kw: Any) -> httpx.Response:
        return self.request("PATCH", path, {"schemas": [PATCH_URN], "Operations": ops}, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", path, **kw)

    def create_user(self, user_name: str, **extra: Any) -> dict[str, Any]:
        body = user_body(user_name, **extra)
        response = self.post("/Users", body)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def create_group(self, name: str, members: list[str] = (), **extra: Any) -> dict[str, Any]:  # type: ignore[assignment]
        body = {
            "schemas": [GROUP_URN],
            "displayName": name,
            "members": [{"value": m} for m in members],
            **extra,
        }
        response = self.post("/Groups", body)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]


def user_body(user_name: str, **extra: Any) -> dict[str, Any]:
    local = user_name.split("@")[0]
    body: dict[str, Any] = {
        "schemas": [USER_URN],
        "userName": user_name,
        "name": {"givenName": local.capitalize(), "familyName": "Jensen"},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "displayName": f"{local.capitalize()} Jensen",
        "active": True,
    }
    body.update(extra)
    return body


def assert_error(response: httpx.Response, status: int, scim_type: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(SCIM_JSON)
    body = response.json()
    assert body["schemas"] == [ERROR_URN]
    assert body["status"] == str(status)
    assert body.get("detail")
    if scim_type is not None:
        assert body.get("scimType") == scim_type, body
    else:
        assert "scimType" not in body, body


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_program(client, "acme.example.test")


@pytest.fixture
def scim(client: TestClient, program: Program) -> Scim:
    return Scim(client, program.scim_token)
