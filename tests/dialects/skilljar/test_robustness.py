"""Every /v1 route answers malformed, foreign and random input with a 4xx, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.dialects.skilljar.conftest import codec
from tests.http_client import Program

BODIES: list[Any] = [
    b"{not json",
    b"[1, 2, 3]",
    {"user": "x", "users": "y", "email": 5, "groups": "g", "course": None, "is_active": "maybe"},
    {"users": [{"id": "\x00"}], "page": -1, "expires_at": "yesterday", "slug": "Not A Slug"},
    {"custom_attributes": [], "name": "x" * 5000, "title": "", "path": {}, "add": "a"},
]


def _routes(client: TestClient) -> list[tuple[str, str]]:
    v1 = next(r for r in client.app.routes if getattr(r, "path", "") == "/v1")  # type: ignore[attr-defined]
    found = []
    for route in v1.app.state.method_routes:  # type: ignore[attr-defined]
        if route.path.rstrip("/").endswith("/stream"):
            continue  # an open-ended event stream; its bad input is tested in test_events.py
        for method in route.methods:
            found.append((method, route.path))
    return sorted(set(found))


@pytest.mark.parametrize("id_style", ["garbage", "foreign"])
def test_no_route_answers_500(
    client: TestClient,
    program: Program,
    other_program: Program,
    auth: dict[str, str],
    id_style: str,
) -> None:
    foreign = client.post(
        "/v1/users",
        json={"email": "foreign@example.com"},
        headers={"Authorization": f"Token {other_program.api_key}"},
    ).json()["id"]
    ids = codec(client)
    values = {
        "garbage": lambda name: "zz-not-an-id",
        "foreign": lambda name: (
            foreign if "user" in name else ids.encode(name.rsplit("_", 1)[0], 1)
        ),
    }[id_style]
    for method, path in _routes(client):
        url = "/v1" + re.sub(
            r"\{(\w+)\}",
            lambda m: other_program.acct_key if m.group(1) == "domain_name" else values(m.group(1)),
            path,
        )
        for body in BODIES if method in {"POST", "PUT", "PATCH"} else [None]:
            kwargs: dict[str, Any] = {"headers": auth}
            if isinstance(body, bytes):
                kwargs["content"] = body
                kwargs["headers"] = {**auth, "Content-Type": "application/json"}
            elif body is not None:
                kwargs["json"] = body
            queries = ("",) if body is not None else ("", "?cursor=n0&email=%00&page=x")
            for query in queries:
                response = client.request(method, url + query, **kwargs)
                assert response.status_code < 500, (method, url + query, body, response.text)


@pytest.mark.parametrize("edge", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_a_datetime_past_the_calendar_in_utc_is_a_field_error(
    client: TestClient, program: Program, auth: dict[str, str], edge: str
) -> None:
    """Found by the OpenAPI fuzzer: an offset that carries the instant past year 9999 (or
    before year 1) when converted to UTC was an OverflowError, a 500."""
    domain = f"/v1/domains/{program.acct_key}"
    course = client.post("/v1/courses", json={"title": "Edge"}, headers=auth).json()
    published = client.post(
        f"{domain}/published-courses", json={"course": {"id": course["id"]}}, headers=auth
    ).json()
    url = f"{domain}/published-courses/{published['id']}"
    for method in ("PUT", "PATCH"):
        response = client.request(method, url, json={"registration_ends_at": edge}, headers=auth)
        assert response.status_code == 400, response.text
        assert response.json() == {"registration_ends_at": ["Datetime is out of range."]}
    user = client.post(f"{domain}/users", json={"user": {"email": "e@x.io"}}, headers=auth)
    enroll = {"user": {"id": user.json()["user"]["id"]}, "expires_at": edge}
    response = client.post(f"{url}/enrollments", json=enroll, headers=auth)
    assert response.json() == {"expires_at": ["Datetime is out of range."]}
    # The same instant a client can name without leaving the calendar is accepted.
    fine = client.patch(url, json={"registration_ends_at": "9999-12-31T00:00:00Z"}, headers=auth)
    assert fine.status_code == 200, fine.text
    assert fine.json()["registration_ends_at"] == "9999-12-31T00:00:00Z"


def test_a_path_holding_a_newline_gets_the_compact_not_found(
    client: TestClient, auth: dict[str, str]
) -> None:
    for path in ("/v1/users/%0A0", "/v1/groups/%0A0", "/v1/courses/0%0A"):
        response = client.get(path, headers=auth)
        assert response.status_code == 404, path
        assert response.content == b'{"detail":"Not found."}', path
