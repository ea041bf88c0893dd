"""/account/automated_login: the URL get_login_key answers signs the user in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from syllabus.auth.secrets import hash_secret
from syllabus.auth.sessions import (
    COOKIE_NAME,
    load_or_create_secret_key,
    read_session,
    sign_session,
)
from syllabus.db.engine import make_engine
from syllabus.db.session import unit_of_work
from syllabus.domain.access import LoginKey
from tests.http_client import Program, make_program


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_program(client, "example.skyprepapp.com")


def api(client: TestClient, program: Program, action: str, **params: Any) -> Any:
    body = {"api_key": program.api_key, "acct_key": program.acct_key, **params}
    response = client.post(f"/admin/api/{action}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def login_url(client: TestClient, program: Program, key_type: str) -> tuple[int, str]:
    user = api(client, program, "create_user", email=f"{key_type}-learner@example.com")
    body = api(client, program, "get_login_key", user_id=user["id"], key_type=key_type)
    return user["id"], body["url"]


def open_url(client: TestClient, url: str) -> Any:
    client.cookies.clear()
    return client.get(url, follow_redirects=False)


def test_a_daily_url_signs_in_with_a_signed_httponly_cookie(
    client: TestClient, program: Program
) -> None:
    user_id, url = login_url(client, program, "daily")
    for _ in range(2):  # daily keys work more than once
        response = open_url(client, url)
        assert response.status_code == 303
        assert response.headers["location"] == "/"
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE_NAME}=")
        assert "HttpOnly" in cookie
        assert "samesite=lax" in cookie.lower()
        value = response.cookies[COOKIE_NAME]
        session = read_session(client.app.state.secret_key, value)  # type: ignore[attr-defined]
        assert session is not None
        assert (session.tenant_id, session.user_id) == (program.tenant_id, user_id)
    me = api(client, program, "get_user", user_id=user_id)
    assert me["last_login"] is not None


def test_an_otl_url_works_once(client: TestClient, program: Program) -> None:
    _, url = login_url(client, program, "otl")
    assert open_url(client, url).status_code == 303
    again = open_url(client, url)
    assert again.status_code == 401
    assert "text/html" in again.headers["content-type"]
    assert "not valid" in again.text
    assert COOKIE_NAME not in again.cookies


def test_an_expired_or_unknown_key_is_refused(client: TestClient, program: Program) -> None:
    _, url = login_url(client, program, "daily")
    secret = url.split("login_key=", 1)[1]
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        session.execute(
            update(LoginKey)
            .where(LoginKey.secret_hash == hash_secret(secret))
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    assert open_url(client, url).status_code == 401
    assert open_url(client, "/account/automated_login?login_key=nope").status_code == 401
    assert open_url(client, "/account/automated_login").status_code == 401


def test_a_deactivated_users_key_is_refused(client: TestClient, program: Program) -> None:
    user_id, url = login_url(client, program, "daily")
    api(client, program, "update_user", user_id=user_id, login_status="inactive")
    assert open_url(client, url).status_code == 401


def test_session_cookies_cannot_be_forged() -> None:
    cookie = sign_session("key-one", tenant_id=1, user_id=2)
    assert read_session("key-one", cookie) is not None
    assert read_session("key-two", cookie) is None
    payload, mac = cookie.split(".")
    forged = sign_session("key-one", tenant_id=1, user_id=3).split(".")[0]
    assert read_session("key-one", f"{forged}.{mac}") is None
    assert read_session("key-one", "garbage") is None
    assert read_session("key-one", f"{payload}.") is None


def test_every_server_on_one_database_shares_the_secret_key(
    fresh_db_url: str, tmp_path: Path
) -> None:
    """Two servers with their own data directories must sign sessions and ids alike."""
    engine = make_engine(fresh_db_url)
    try:
        first = load_or_create_secret_key(None, tmp_path / "server-a", engine)
        assert len(first) >= 48
        assert load_or_create_secret_key(None, tmp_path / "server-b", engine) == first
        assert load_or_create_secret_key("configured", tmp_path / "server-a", engine) == (
            "configured"
        )
    finally:
        engine.dispose()


def test_a_key_file_from_an_older_version_is_carried_over(
    fresh_db_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "secret_key").write_text("kept-from-before\n")
    engine = make_engine(fresh_db_url)
    try:
        assert load_or_create_secret_key(None, data_dir, engine) == "kept-from-before"
        assert load_or_create_secret_key(None, tmp_path / "elsewhere", engine) == (
            "kept-from-before"
        )
    finally:
        engine.dispose()
