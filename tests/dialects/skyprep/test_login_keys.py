"""get_login_key and get_course_otp over HTTP, as SkyPrep clients call them."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from syllabus.db.session import unit_of_work
from syllabus.domain.events import Event
from tests.http_client import Program, make_program


def mail(name: str) -> str:
    return f"{name}@example.com"


LOGIN_KEY_SAMPLE = {
    "user_id": 101,
    "status": "success",
    "login_key": "sample_login_key",
    "email": mail("dexter"),
    "url": "https://example.skyprepapp.com/account/automated_login?login_key=sample_login_key",
}


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_program(client, "example.skyprepapp.com")


@pytest.fixture
def other(client: TestClient) -> Program:
    return make_program(client, "other.skyprepapp.com")


def api(client: TestClient, program: Program, action: str, **params: Any) -> httpx.Response:
    body = {"api_key": program.api_key, "acct_key": program.acct_key, **params}
    return client.post(f"/admin/api/{action}", json=body)


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def new_user(client: TestClient, program: Program, email: str) -> dict[str, Any]:
    user: dict[str, Any] = ok(api(client, program, "create_user", email=email))
    return user


def group_names_of(client: TestClient, program: Program, user_id: int) -> set[str]:
    body = ok(api(client, program, "get_user_group_enrollments_for_user", user_id=user_id))
    rows = body if isinstance(body, list) else next(iter(body.values()))
    return {row["name"] for row in rows}


def test_the_specs_sample_request_answers_the_samples_shape(
    client: TestClient, program: Program
) -> None:
    # The sample exactly: GET with a JSON body, trailing slash, autocreate and two groups.
    response = client.request(
        "GET",
        "/admin/api/get_login_key/",
        json={
            "api_key": program.api_key,
            "acct_key": program.acct_key,
            "user_email": mail("dexter"),
            "autocreate": True,
            "key_type": "daily",
            "user_groups": "Forensics Lab;Miami PD Staff",
            "autocreate_user_groups": True,
        },
    )
    body = ok(response)
    assert list(body) == list(LOGIN_KEY_SAMPLE)
    for key, sample in LOGIN_KEY_SAMPLE.items():
        assert type(body[key]) is type(sample), key
    assert body["status"] == "success"
    assert body["email"] == mail("dexter")
    url = urlsplit(body["url"])
    assert (url.scheme, url.netloc, url.path) == ("http", "testserver", "/account/automated_login")
    assert parse_qs(url.query) == {"login_key": [body["login_key"]]}
    assert group_names_of(client, program, body["user_id"]) == {"Forensics Lab", "Miami PD Staff"}


def test_by_user_id_and_by_email_with_query_string_parameters(
    client: TestClient, program: Program
) -> None:
    user = new_user(client, program, mail("deb"))
    keys = {"api_key": program.api_key, "acct_key": program.acct_key}
    by_id = ok(client.get("/admin/api/get_login_key", params={**keys, "user_id": user["id"]}))
    by_email = ok(
        client.post(
            "/admin/api/get_login_key",
            params={**keys, "user_email": mail("deb"), "_": "1700000000000"},
        )
    )
    assert by_id["user_id"] == by_email["user_id"] == user["id"]
    assert by_id["email"] == by_email["email"] == mail("deb")
    assert by_id["login_key"] != by_email["login_key"]
    otl = ok(api(client, program, "get_login_key", user_id=str(user["id"]), key_type="otl"))
    assert otl["user_id"] == user["id"]


def test_existing_groups_are_joined_and_unknown_ones_named(
    client: TestClient, program: Program
) -> None:
    ok(api(client, program, "create_user_group", name="Forensics Lab"))
    body = ok(
        api(
            client,
            program,
            "get_login_key",
            user_email=mail("vince"),
            autocreate="true",
            first_name="Vince",
            last_name="Masuka",
            user_groups="Forensics Lab",
        )
    )
    assert group_names_of(client, program, body["user_id"]) == {"Forensics Lab"}
    user = ok(api(client, program, "get_user", user_id=body["user_id"]))
    assert (user["first_name"], user["last_name"]) == ("Vince", "Masuka")

    refused = api(
        client,
        program,
        "get_login_key",
        user_email=mail("angel"),
        autocreate=True,
        user_groups="Forensics Lab; Homicide ;Narcotics",
    )
    assert refused.status_code == 404, refused.text
    assert refused.json()["field"] == "user_groups"
    assert "Homicide" in refused.json()["message"]
    assert "Narcotics" in refused.json()["message"]
    # Nothing was written: the user was not created either.
    missing = api(client, program, "get_user", user_email=mail("angel"))
    assert missing.status_code == 404


def test_errors(client: TestClient, program: Program, other: Program) -> None:
    stranger = new_user(client, other, mail("rita"))
    for params, status, field in [
        ({}, 400, "user_id"),
        ({"user_id": stranger["id"]}, 404, "user_id"),
        ({"user_email": mail("nobody")}, 404, "user_email"),
        ({"user_email": mail("nobody"), "autocreate": False}, 404, "user_email"),
        ({"user_id": 999999999999}, 404, "user_id"),
        ({"user_id": "abc"}, 400, "user_id"),
    ]:
        response = api(client, program, "get_login_key", **params)
        assert response.status_code == status, (params, response.text)
        assert response.json()["field"] == field
    user = new_user(client, program, mail("maria"))
    bad_type = api(client, program, "get_login_key", user_id=user["id"], key_type="weekly")
    assert bad_type.status_code == 400
    assert bad_type.json()["field"] == "key_type"


def test_the_key_is_in_no_log_event_or_row(
    client: TestClient, program: Program, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    user = new_user(client, program, mail("quinn"))
    secret = ok(api(client, program, "get_login_key", user_id=user["id"]))["login_key"]
    assert client.get(f"/account/automated_login?login_key={secret}", follow_redirects=False)
    # The test's own HTTP client logs the URLs it requests; the server must log nothing of it.
    server_logs = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    assert all(secret not in line for line in server_logs)
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        events = session.scalars(select(Event).where(Event.tenant_id == program.tenant_id)).all()
        assert {"user.login_key_issued", "user.logged_in"} <= {e.type for e in events}
        assert all(secret not in str(e.data) for e in events)
        for table in ("login_keys", "events"):
            rows = session.execute(text(f"SELECT * FROM {table}")).all()
            assert rows
            assert all(secret not in str(row) for row in rows)


def test_get_course_otp_answers_the_samples_shape(
    client: TestClient, program: Program, other: Program
) -> None:
    course = ok(api(client, program, "create_course", name="Blood Spatter 101"))
    body = ok(api(client, program, "get_course_otp", course_id=str(course["id"]), count=2))
    assert list(body) == ["otps"]
    assert len(body["otps"]) == 2
    assert all(isinstance(key, str) and "-" in key for key in body["otps"])
    single = ok(
        client.get(
            "/admin/api/get_course_otp",
            params={
                "api_key": program.api_key,
                "acct_key": program.acct_key,
                "course_id": course["id"],
            },
        )
    )
    assert len(single["otps"]) == 1
    foreign = api(client, other, "get_course_otp", course_id=course["id"])
    assert foreign.status_code == 404
    assert foreign.json()["field"] == "course_id"
    for params, field in [({}, "course_id"), ({"course_id": course["id"], "count": 0}, "count")]:
        response = api(client, program, "get_course_otp", **params)
        assert response.status_code == 400, response.text
        assert response.json()["field"] == field
