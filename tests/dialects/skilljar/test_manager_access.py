"""Manager access over HTTP: PUT replaces the whole setting, DELETE revokes it, and it is the
same data as SkyPrep's group managers (set here, read there, and back)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from syllabus.domain.events import Event
from syllabus.domain.groups import Group
from syllabus.domain.users import User
from syllabus.services.tenants import add_domain
from tests.dialects.skilljar.conftest import arrange, codec
from tests.factories import make_course, make_group, make_learning_path, make_user
from tests.http_client import Program


def skyprep(client: TestClient, program: Program, action: str, **params: Any) -> httpx.Response:
    body = {"api_key": program.api_key, "acct_key": program.acct_key, **params}
    return client.post(f"/admin/api/{action}", json=body)


def member(client: TestClient, program: Program, auth: dict[str, str], email: str) -> str:
    created = client.post(
        f"/v1/domains/{program.acct_key}/users", json={"user": {"email": email}}, headers=auth
    )
    assert created.status_code == 201, created.text
    user_id: str = created.json()["user"]["id"]
    return user_id


def url(program: Program, user_id: str) -> str:
    return f"/v1/domains/{program.acct_key}/users/{user_id}/manager-access"


def group_id_named(client: TestClient, program: Program, name: str) -> int | None:
    with arrange(client, program) as (session, _ctx):
        return session.scalar(select(Group.id).where(Group.name == name))


def test_put_grants_access_creating_the_group_and_reporting_invalid_ids(
    client: TestClient, program: Program, other_program: Program, auth: dict[str, str]
) -> None:
    ids = codec(client)
    with arrange(client, program) as (session, ctx):
        course = ids.encode("course", make_course(session, ctx).id)
        path = ids.encode("path", make_learning_path(session, ctx).id)
    with arrange(client, other_program) as (session, ctx):
        foreign_course = ids.encode("course", make_course(session, ctx).id)
    user_id = member(client, program, auth, "lead@example.com")
    answer = client.put(
        url(program, user_id),
        json={
            "group_name": "Acme Corp",
            "can_create_users": True,
            "course_access_level": "SELECTED",
            "course_ids": [course, foreign_course, "not-an-id"],
            "path_access_level": "selected",
            "path_ids": [path],
            "license_ids": ["lic1"],
        },
        headers=auth,
    )
    assert answer.status_code == 200, answer.text
    group_id = group_id_named(client, program, "Acme Corp")
    assert group_id is not None
    body = answer.json()
    assert body["user"]["id"] == user_id
    assert body["user"]["email"] == "lead@example.com"
    assert body["manager_access"] == {
        "group_id": ids.encode("group", group_id),
        "can_create_users": True,
        "course_access_level": "SELECTED",
        "course_ids": [course],
        "path_access_level": "SELECTED",
        "path_ids": [path],
        "license_ids": [],
    }
    assert body["invalid_ids"] == {
        "course_ids": [foreign_course, "not-an-id"],
        "path_ids": [],
        "license_ids": ["lic1"],
    }
    with arrange(client, program) as (session, _ctx):
        user = session.scalar(select(User).where(User.email == "lead@example.com"))
        assert user is not None
        assert user.role == "manager"
        kinds = [e.type for e in session.scalars(select(Event).order_by(Event.id))]
    assert "group.manager_assigned" in kinds
    assert kinds[-1] == "manager_access.updated"


def test_granted_here_is_seen_by_skyprep_and_put_replaces_it(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    user_id = member(client, program, auth, "mgr@example.com")
    raw_user = codec(client).decode("user", user_id)
    setting = {"group_name": "North", "course_access_level": "ALL", "path_access_level": "NONE"}
    assert client.put(url(program, user_id), json=setting, headers=auth).status_code == 200
    north = group_id_named(client, program, "North")
    seen = skyprep(
        client,
        program,
        "get_manager_permissions_from_user_group",
        user_id=raw_user,
        user_group_id=north,
    )
    assert seen.status_code == 200, seen.text
    assert seen.json()["can_add_users"] is False
    replaced = client.put(
        url(program, user_id),
        data={
            "group_name": "South",
            "can_create_users": "True",
            "course_access_level": "NONE",
            "path_access_level": "ALL",
        },
        headers=auth,
    )
    assert replaced.status_code == 200, replaced.text
    south = group_id_named(client, program, "South")
    params = {"user_id": raw_user}
    gone = skyprep(
        client, program, "get_manager_permissions_from_user_group", **params, user_group_id=north
    )
    assert gone.status_code == 404
    now = skyprep(
        client, program, "get_manager_permissions_from_user_group", **params, user_group_id=south
    )
    assert now.json()["can_add_users"] is True
    assert client.delete(url(program, user_id), headers=auth).status_code == 204
    after = skyprep(
        client, program, "get_manager_permissions_from_user_group", **params, user_group_id=south
    )
    assert after.status_code == 404
    again = client.delete(url(program, user_id), headers=auth)
    assert again.status_code == 404
    assert again.content == b'{"detail":"Not found."}'


def test_assigned_through_skyprep_is_replaced_and_revoked_here(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    user_id = member(client, program, auth, "sky@example.com")
    raw_user = codec(client).decode("user", user_id)
    with arrange(client, program) as (session, ctx):
        user = session.get(User, raw_user)
        assert user is not None
        user.role = "manager"
        group = make_group(session, ctx, "Existing Team")
        group_id = group.id
    assigned = skyprep(
        client, program, "assign_manager_to_user_group", user_id=raw_user, user_group_id=group_id
    )
    assert assigned.status_code == 200, assigned.text
    put = client.put(
        url(program, user_id),
        json={
            "group_name": "existing team",
            "course_access_level": "ALL",
            "path_access_level": "ALL",
        },
        headers=auth,
    )
    assert put.status_code == 200, put.text
    assert put.json()["manager_access"]["group_id"] == codec(client).encode("group", group_id)
    assert group_id_named(client, program, "existing team") is None  # matched, not created
    assert client.delete(url(program, user_id), headers=auth).status_code == 204
    removed = skyprep(
        client,
        program,
        "get_manager_permissions_from_user_group",
        user_id=raw_user,
        user_group_id=group_id,
    )
    assert removed.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"course_access_level": "SOME"}, "course_access_level"),
        ({"path_access_level": "everything"}, "path_access_level"),
        ({"course_access_level": ""}, "course_access_level"),
        ({"group_name": None}, "group_name"),
        ({"group_name": "a / b"}, "group_name"),
        ({"can_create_users": "perhaps"}, "can_create_users"),
        ({"course_ids": ["x"]}, "course_ids"),
        ({"path_ids": "notalist"}, "path_ids"),
    ],
)
def test_bad_settings_are_400_naming_the_field(
    client: TestClient,
    program: Program,
    auth: dict[str, str],
    change: dict[str, Any],
    field: str,
) -> None:
    user_id = member(client, program, auth, "bad@example.com")
    body = {"group_name": "Team", "course_access_level": "ALL", "path_access_level": "ALL"}
    body.update(change)
    if change.get("group_name", "") is None:
        del body["group_name"]
    answer = client.put(url(program, user_id), json=body, headers=auth)
    assert answer.status_code == 400, answer.text
    assert list(answer.json()) == [field]
    assert client.delete(url(program, user_id), headers=auth).status_code == 404


def test_users_outside_the_domain_or_program_are_404(
    client: TestClient, program: Program, other_program: Program, auth: dict[str, str]
) -> None:
    body = {"group_name": "Team", "course_access_level": "ALL", "path_access_level": "ALL"}
    user_id = member(client, program, auth, "in@example.com")
    with arrange(client, program) as (session, ctx):
        add_domain(session, ctx, name="partners.example.test")
        loner = codec(client).encode("user", make_user(session, ctx).id)
    elsewhere = f"/v1/domains/partners.example.test/users/{user_id}/manager-access"
    assert client.put(elsewhere, json=body, headers=auth).status_code == 404
    assert client.delete(elsewhere, headers=auth).status_code == 404
    other_auth = {"Authorization": f"Bearer {other_program.api_key}"}
    assert client.put(url(program, user_id), json=body, headers=other_auth).status_code == 404
    foreign = f"/v1/domains/{other_program.acct_key}/users/{user_id}/manager-access"
    assert client.put(foreign, json=body, headers=other_auth).status_code == 404
    assert client.put(url(program, "zzzzzzzzzzzz"), json=body, headers=auth).status_code == 404
    assert loner  # a user of the program is a member of its primary domain
    assert group_id_named(client, program, "Team") is None


def test_the_openapi_document_lists_the_new_operations(client: TestClient) -> None:
    paths = client.get("/v1/openapi.json").json()["paths"]
    access = paths["/domains/{domain_name}/users/{user_id}/manager-access"]
    assert access["put"]["operationId"] == "domains_users_manager_access_update"
    assert access["delete"]["operationId"] == "domains_users_manager_access_destroy"
    bulk = paths["/domains/{domain_name}/users/{user_id}/signup-fields-bulk"]
    assert bulk["post"]["operationId"] == "domains_users_signup_fields_bulk_create"
    assert "/domains/{domain_name}/signup-fields" in paths


def test_if_match_guards_the_setting(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    user_id = member(client, program, auth, "etag@example.com")
    body = {"group_name": "Team", "course_access_level": "ALL", "path_access_level": "ALL"}
    first = client.put(url(program, user_id), json=body, headers=auth)
    tag = first.headers["ETag"]
    second = client.put(url(program, user_id), json=body, headers={**auth, "If-Match": tag})
    assert second.status_code == 200, second.text
    assert second.headers["ETag"] != tag
    stale = client.put(url(program, user_id), json=body, headers={**auth, "If-Match": tag})
    assert stale.status_code == 412
    refused = client.delete(url(program, user_id), headers={**auth, "If-Match": tag})
    assert refused.status_code == 412
    current = second.headers["ETag"]
    deleted = client.delete(url(program, user_id), headers={**auth, "If-Match": current})
    assert deleted.status_code == 204
