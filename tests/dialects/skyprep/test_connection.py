"""``test_connection``: the SkyPrep wire rules for authentication and parameter sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from syllabus.core.context import Context, Surface
from syllabus.db.session import unit_of_work
from syllabus.services.credentials import revoke_credential
from syllabus.services.tenants import add_domain
from tests.http_client import Program, make_program

URL = "/admin/api/test_connection"


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_program(client, "example.skyprepapp.com")


def _ok(response: object, acct_key: str) -> None:
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    assert response.json() == {"message": "success", "acct_key": acct_key}  # type: ignore[attr-defined]


def test_keys_as_headers_on_a_get_answer_with_a_deprecation_header(
    client: TestClient, program: Program
) -> None:
    response = client.get(
        URL, headers={"X-SkyPrep-API-Key": program.api_key, "X-SkyPrep-Acct-Key": program.acct_key}
    )
    _ok(response, program.acct_key)
    assert response.headers["deprecation"] == "true"


@pytest.mark.parametrize("path", [URL, URL + "/"])
def test_keys_in_a_form_body_with_or_without_trailing_slash(
    client: TestClient, program: Program, path: str
) -> None:
    response = client.post(path, data={"api_key": program.api_key, "acct_key": program.acct_key})
    _ok(response, program.acct_key)
    assert "deprecation" not in response.headers


def test_keys_in_the_query_string_of_an_empty_post(client: TestClient, program: Program) -> None:
    _ok(
        client.post(URL, params={"api_key": program.api_key, "acct_key": program.acct_key}),
        program.acct_key,
    )


def test_keys_in_a_json_body_even_on_a_get(client: TestClient, program: Program) -> None:
    response = client.request(
        "GET", URL, json={"api_key": program.api_key, "acct_key": program.acct_key}
    )
    _ok(response, program.acct_key)


def test_multipart_bodies_work(client: TestClient, program: Program) -> None:
    response = client.post(
        URL, files={"api_key": (None, program.api_key), "acct_key": (None, program.acct_key)}
    )
    _ok(response, program.acct_key)


def test_body_wins_over_query(client: TestClient, program: Program) -> None:
    response = client.post(
        URL,
        params={"api_key": "sk_wrong", "acct_key": program.acct_key},
        data={"api_key": program.api_key},
    )
    _ok(response, program.acct_key)


def test_any_domain_of_the_program_is_a_valid_acct_key(
    client: TestClient, program: Program
) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        add_domain(
            session, Context(program.tenant_id, "test", Surface.CLI), name="learn.example.com"
        )
    response = client.post(URL, data={"api_key": program.api_key, "acct_key": "LEARN.example.com"})
    _ok(response, program.acct_key)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "api_key"),
        ({"acct_key": "example.skyprepapp.com"}, "api_key"),
        ({"api_key": "sk_not_a_real_key"}, "acct_key"),
        ({"api_key": "sk_not_a_real_key", "acct_key": "example.skyprepapp.com"}, "api_key"),
    ],
)
def test_missing_or_wrong_keys_are_401_naming_the_field(
    client: TestClient, program: Program, params: dict[str, str], field: str
) -> None:
    response = client.post(URL, data=params)
    assert response.status_code == 401
    assert response.json()["field"] == field
    assert "sk_not_a_real_key" not in response.text  # never echo a key


def test_acct_key_of_another_program_is_401(client: TestClient, program: Program) -> None:
    other = make_program(client, "other.skyprepapp.com")
    response = client.post(URL, data={"api_key": program.api_key, "acct_key": other.acct_key})
    assert response.status_code == 401
    assert response.json() == {
        "message": "acct_key does not belong to this api_key",
        "field": "acct_key",
    }


def test_a_scim_token_is_not_an_api_key(client: TestClient, program: Program) -> None:
    response = client.post(URL, data={"api_key": program.scim_token, "acct_key": program.acct_key})
    assert response.status_code == 401


def test_a_revoked_key_stops_working_at_once(client: TestClient, program: Program) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    from syllabus.auth.keys import authenticate
    from syllabus.core.credentials import CredentialKind

    with unit_of_work(factory, tenant_id=None) as session:
        principal = authenticate(session, program.api_key, CredentialKind.API_KEY)
        assert principal is not None
        revoke_credential(
            session,
            Context(program.tenant_id, "test", Surface.CLI),
            credential_id=principal.credential_id,
        )
    response = client.post(URL, data={"api_key": program.api_key, "acct_key": program.acct_key})
    assert response.status_code == 401


def test_malformed_json_is_400_naming_the_body(client: TestClient, program: Program) -> None:
    response = client.post(URL, content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["field"] == "body"


def test_a_json_array_body_is_400(client: TestClient, program: Program) -> None:
    response = client.post(URL, json=[1, 2])
    assert response.status_code == 400


def test_unknown_actions_are_404_after_authentication(client: TestClient, program: Program) -> None:
    anonymous = client.post("/admin/api/no_such_action")
    assert anonymous.status_code == 401
    response = client.post(
        "/admin/api/no_such_action", data={"api_key": program.api_key, "acct_key": program.acct_key}
    )
    assert response.status_code == 404
    assert response.json()["field"] == "action"


def test_available_api_calls_lists_every_action(client: TestClient, program: Program) -> None:
    response = client.post(
        "/admin/api/available_api_calls",
        data={"api_key": program.api_key, "acct_key": program.acct_key},
    )
    assert response.status_code == 200
    assert "test_connection" in response.json()
    assert response.json() == sorted(response.json())


@pytest.mark.fresh_db
def test_health(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_a_cached_key_answers_the_same_and_still_checks_the_acct_key(
    client: TestClient, program: Program
) -> None:
    data = {"api_key": program.api_key, "acct_key": program.acct_key}
    for _ in range(3):  # the first call fills the cache, the others are served from it
        _ok(client.post(URL, data=data), program.acct_key)
    other = make_program(client, "third.skyprepapp.com")
    response = client.post(URL, data={"api_key": program.api_key, "acct_key": other.acct_key})
    assert response.status_code == 401


def test_a_revoked_key_stops_within_the_cache_ttl(fresh_db_url: str, tmp_path: Path) -> None:
    import dataclasses
    import time

    from syllabus.app import create_app
    from syllabus.auth.keys import authenticate
    from syllabus.core.credentials import CredentialKind
    from tests.http_client import settings_for

    settings = dataclasses.replace(settings_for(fresh_db_url, tmp_path), auth_cache_seconds=0.3)
    with TestClient(create_app(settings)) as client:
        program = make_program(client, "ttl.skyprepapp.com")
        data = {"api_key": program.api_key, "acct_key": program.acct_key}
        _ok(client.post(URL, data=data), program.acct_key)
        factory = client.app.state.session_factory  # type: ignore[attr-defined]
        with unit_of_work(factory, tenant_id=None) as session:
            principal = authenticate(session, program.api_key, CredentialKind.API_KEY)
            assert principal is not None
            ctx = Context(program.tenant_id, "test", Surface.CLI)
            revoke_credential(session, ctx, credential_id=principal.credential_id)
        time.sleep(0.4)
        assert client.post(URL, data=data).status_code == 401
