"""Wire behaviour shared by every /v1 route: auth forms, slashes, errors, ids, docs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from syllabus.dialects.skilljar.ids import IdCodec
from tests.dialects.skilljar.conftest import basic
from tests.http_client import Program


@pytest.mark.parametrize(
    "style", ["basic-colon", "basic-no-colon", "token", "bearer", "bearer-lowercase"]
)
def test_every_auth_form_is_accepted(client: TestClient, program: Program, style: str) -> None:
    key = program.api_key
    headers = {
        "basic-colon": basic(key),
        "basic-no-colon": basic(key, colon=False),
        "token": {"Authorization": f"Token {key}"},
        "bearer": {"Authorization": f"Bearer {key}"},
        "bearer-lowercase": {"Authorization": f"bearer {key}"},
    }[style]
    assert client.get("/v1/ping", headers=headers).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Token wrong"},
        {"Authorization": "Basic !!!notbase64"},
        {"Authorization": "Digest abc"},
    ],
)
def test_bad_or_missing_credentials_are_401(
    client: TestClient, program: Program, headers: dict[str, str]
) -> None:
    response = client.get("/v1/ping", headers=headers)
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}
    assert response.headers["www-authenticate"].startswith("Basic")


def test_scim_token_is_refused(client: TestClient, program: Program) -> None:
    response = client.get("/v1/ping", headers={"Authorization": f"Bearer {program.scim_token}"})
    assert response.status_code == 401


def test_both_slash_forms_answer_without_redirect(client: TestClient, auth: dict[str, str]) -> None:
    for path in ("/v1/ping", "/v1/ping/"):
        response = client.get(path, headers=auth, follow_redirects=False)
        assert response.status_code == 200, path


def test_unknown_path_is_the_exact_drf_404(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get("/v1/no-such-thing", headers=auth)
    assert response.status_code == 404
    assert response.content == b'{"detail":"Not found."}'
    assert response.headers["content-type"] == "application/json"


def test_wrong_method_is_405_with_allow(client: TestClient, auth: dict[str, str]) -> None:
    response = client.delete("/v1/ping", headers=auth)
    assert response.status_code == 405
    assert "GET" in response.headers["allow"].split(", ")
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_openapi_document_and_docs_are_served(client: TestClient) -> None:
    document = client.get("/v1/openapi.json").json()
    paths = document["paths"]
    for path, method in [
        ("/ping", "get"),
        ("/users", "post"),  # the guide's create
        ("/users/{user_id}/enrollments", "post"),  # the guide's enrollment
        ("/users/by-email/{email}", "get"),  # trap 1
        ("/users/{user_id}/access", "get"),  # trap 6
        ("/groups/{group_id}/users", "post"),  # bulk membership, trap 5
        ("/domains/{domain_name}/users/bulk-create", "post"),
    ]:
        assert method in paths[path], (path, method)
    body = paths["/groups/{group_id}/users"]["post"]["requestBody"]["content"]
    assert set(body) == {
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    }
    assert "GroupMemberWrite" in document["components"]["schemas"]
    assert "OrganizationApiKey" in document["components"]["securitySchemes"]
    assert client.get("/v1/docs").status_code == 200


def test_ids_are_12_to_13_base36_and_round_trip() -> None:
    codec = IdCodec("secret")
    seen = set()
    for row_id in (1, 2, 3, 1000, 2**31 - 1):
        public = codec.encode("user", row_id)
        assert 12 <= len(public) <= 13
        assert public == public.lower()
        assert public.isalnum()
        assert codec.decode("user", public) == row_id
        assert codec.decode("group", public) is None
        seen.add(public)
    assert len(seen) == 5
    assert codec.encode("user", 1) != IdCodec("other").encode("user", 1)
    for garbage in ("", "usr_abc123", "zzzzzzzzzzzzz", "0" * 12, "ABCDEFGHIJKLM", 12):
        assert codec.decode("user", garbage) is None


def test_openapi_declares_the_list_routes_query_parameters(client: TestClient) -> None:
    paths = client.get("/v1/openapi.json").json()["paths"]

    def names(path: str) -> set[str]:
        return {p["name"] for p in paths[path]["get"].get("parameters", []) if p["in"] == "query"}

    assert {"page", "page_size", "cursor", "email", "is_inactive"} <= names("/users")
    assert {"page", "page_size", "cursor", "user__email", "active"} <= names(
        "/domains/{domain_name}/users"
    )
    assert {"course_id", "page"} <= names("/lessons")
    assert {"after", "type", "limit", "wait"} <= names("/events")
    assert names("/users/{user_id}") == set()  # a single resource pages nothing
