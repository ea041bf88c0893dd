"""HEAD wherever GET is served (/v1 and SCIM), with the GET's headers and no body; 405 answers
list HEAD in ``Allow`` where GET is allowed."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from tests.dialects.skilljar.conftest import codec
from tests.http_client import Program

SAME = ("etag", "content-length", "content-type", "ratelimit-policy", "allow")


def _same_headers(get: httpx.Response, head: httpx.Response) -> None:
    assert head.status_code == get.status_code
    for name in SAME:
        assert head.headers.get(name) == get.headers.get(name), name
    assert "ratelimit" in head.headers
    assert head.content == b""


def test_head_answers_like_get_on_a_resource(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    user = client.post("/v1/users/", json={"email": "hd@example.com"}, headers=auth).json()
    for path in (f"/v1/users/{user['id']}", f"/v1/users/{user['id']}/", "/v1/users?page=1"):
        get = client.get(path, headers=auth)
        head = client.head(path, headers=auth)
        assert get.status_code == 200
        assert get.headers.get("etag") or "?" in path
        assert int(head.headers["content-length"]) == len(get.content) > 0
        _same_headers(get, head)
    missing = client.head("/v1/users/zzzzzzzzzzzz", headers=auth)
    assert (missing.status_code, missing.content) == (404, b"")
    assert client.head("/v1/users", headers={}).status_code == 401


def test_every_get_route_of_v1_answers_head(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    v1 = next(r for r in client.app.routes if getattr(r, "path", "") == "/v1")  # type: ignore[attr-defined]
    routes = [r for r in v1.app.state.method_routes if "GET" in r.methods]  # type: ignore[attr-defined]
    assert len(routes) > 50
    some_id = codec(client).encode("user", 1)
    for route in routes:
        path = "/v1" + re.sub(r"\{[^}]+\}", some_id, route.path)
        head = client.head(path, headers=auth)
        if path.rstrip("/").endswith("/events/stream"):  # a GET never ends; HEAD does
            assert head.status_code == 200
            assert head.headers["content-type"].startswith("text/event-stream")
            continue
        get = client.get(path, headers=auth)
        assert get.status_code != 405, path
        assert head.status_code == get.status_code, path
        assert head.headers.get("content-type") == get.headers.get("content-type"), path
        assert head.content == b"", path


def test_405_lists_head_where_get_is_allowed(client: TestClient, auth: dict[str, str]) -> None:
    refused = client.delete("/v1/ping", headers=auth)
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, HEAD, OPTIONS"
    post_only = client.head("/v1/users/x/anonymize", headers=auth)
    assert post_only.status_code == 405
    assert "HEAD" not in post_only.headers["allow"].split(", ")
    assert "POST" in post_only.headers["allow"].split(", ")


def test_scim_answers_head_and_names_allowed_methods(client: TestClient, program: Program) -> None:
    auth = {"Authorization": f"Bearer {program.scim_token}"}
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "hs@ex.com"}
    created = client.post("/scim/v2/Users", json=body, headers=auth).json()
    for path in ("/scim/v2/Users", f"/scim/v2/Users/{created['id']}", "/scim/v2/Schemas"):
        get = client.get(path, headers=auth)
        head = client.head(path, headers=auth)
        assert get.status_code == 200, path
        _same_headers(get, head)
    assert client.head(f"/scim/v2/Users/{created['id']}", headers=auth).headers["etag"]
    refused = client.delete("/scim/v2/Users", headers=auth)
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert refused.json()["status"] == "405"


def test_options_answers_what_allow_lists_on_both_surfaces(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    """``Allow`` names OPTIONS, so OPTIONS must be answered: DRF's metadata on /v1, an empty
    204 on SCIM, each with the path's methods (public facts: the OpenAPI document says as
    much); unknown paths stay 404."""
    answer = client.options("/v1/users", headers=auth)
    assert answer.status_code == 200
    assert answer.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert "application/json" in answer.json()["parses"]
    assert client.options("/v1/nothing-here", headers=auth).status_code == 404
    scim = {"Authorization": f"Bearer {program.scim_token}"}
    answer = client.options("/scim/v2/Users", headers=scim)
    assert (answer.status_code, answer.content) == (204, b"")
    assert answer.headers["allow"] == "GET, HEAD, OPTIONS, POST"
