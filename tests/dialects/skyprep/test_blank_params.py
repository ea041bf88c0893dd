"""A blank parameter is an absent one, on every action and whatever its type: what SkyPrep's AD
sign-on connector and SDKs that send every field rely on. JSON null still clears a field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.dialects.skyprep.test_users import api, ok
from tests.http_client import Program, make_program


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_program(client, "blank.skyprepapp.com")


def form(client: TestClient, program: Program, action: str, **params: str) -> object:
    """As the AD connector and PHP SDK send it: a form, every parameter present."""
    data = {"api_key": program.api_key, "acct_key": program.acct_key, **params}
    response = client.post(f"/admin/api/{action}", data=data)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_ad_connectors_sign_on_with_blank_options_works(
    client: TestClient, program: Program
) -> None:
    answer = form(
        client,
        program,
        "get_login_key",
        user_email="new.hire@example.com",
        autocreate="true",
        autocreate_user_groups="",
        user_groups="",
        first_name="",
        key_type="",
    )
    assert isinstance(answer, dict)
    assert answer["url"]
    again = form(client, program, "get_login_key", user_email="new.hire@example.com", autocreate="")
    assert isinstance(again, dict)
    assert again["url"]


def test_blank_booleans_ids_and_dates_are_absent_on_creates(
    client: TestClient, program: Program
) -> None:
    course = form(client, program, "create_course", name="Safety", active="", category_id="")
    assert isinstance(course, dict)
    user = form(client, program, "create_user", email="a@example.com", admin="", access_end_date="")
    assert isinstance(user, dict)
    assert user["admin"] is False
    assert user["access_end_date"] is None


def test_a_blank_leaves_a_field_alone_and_null_clears_it(
    client: TestClient, program: Program
) -> None:
    user = ok(api(client, program, "create_user", email="t@example.com", title="Lead"))
    kept = ok(api(client, program, "update_user", user_id=user["id"], title="  "))["user"]
    assert kept["title"] == "Lead"
    cleared = ok(api(client, program, "update_user", user_id=user["id"], title=None))["user"]
    assert cleared["title"] is None
