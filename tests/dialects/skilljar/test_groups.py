"""Groups over HTTP: CRUD, members one by one and in bulk, email-domain rules, categories."""

from __future__ import annotations

from fastapi.testclient import TestClient

from syllabus.services.groups import GroupData, create_group
from tests.dialects.skilljar.conftest import arrange, codec
from tests.http_client import Program


def _user(client: TestClient, auth: dict[str, str], email: str) -> str:
    response = client.post("/v1/users", json={"email": email}, headers=auth)
    assert response.status_code == 201, response.text
    user_id: str = response.json()["id"]
    return user_id


def test_group_lifecycle_and_membership_forms(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    created = client.post("/v1/groups", json={"name": "Partners"}, headers=auth)
    assert created.status_code == 201, created.text
    group = created.json()
    assert group["user_count"] == 0
    alice, bob = _user(client, auth, "alice@example.com"), _user(client, auth, "bob@example.com")

    official = client.post(
        f"/v1/groups/{group['id']}/users", json={"user": {"id": alice}}, headers=auth
    )
    assert official.status_code == 201, official.text
    assert official.json()["user"]["id"] == alice
    again = client.post(f"/v1/groups/{group['id']}/users/", json={"user_id": alice}, headers=auth)
    assert again.status_code == 200
    assert again.json()["status"] == "already_member"
    guide = client.post(f"/v1/groups/{group['id']}/users/", json={"user_id": bob}, headers=auth)
    assert guide.status_code == 201
    assert guide.json() | {"group_id": group["id"], "user_id": bob, "status": "added"} == (
        guide.json()
    )

    listed = client.get(f"/v1/groups/{group['id']}/users", headers=auth).json()
    assert listed["count"] == 2
    assert [m["user"]["id"] for m in listed["results"]] == [alice, bob]
    assert client.get(f"/v1/groups/{group['id']}", headers=auth).json()["user_count"] == 2
    user_groups = client.get(f"/v1/users/{alice}/groups", headers=auth).json()
    assert [g["group"]["name"] for g in user_groups["results"]] == ["Partners"]

    # The guide's offboarding step: remove the membership.
    removed = client.delete(f"/v1/groups/{group['id']}/users/{bob}/", headers=auth)
    assert removed.status_code == 204
    gone = client.get(f"/v1/groups/{group['id']}/users/{bob}", headers=auth)
    assert gone.status_code == 404
    assert client.delete(f"/v1/groups/{group['id']}/users/{bob}", headers=auth).status_code == 404

    renamed = client.patch(f"/v1/groups/{group['id']}", json={"name": "Resellers"}, headers=auth)
    assert renamed.json()["name"] == "Resellers"
    assert client.delete(f"/v1/groups/{group['id']}", headers=auth).status_code == 204
    assert client.get(f"/v1/groups/{group['id']}", headers=auth).status_code == 404


def test_bulk_membership_is_atomic_and_reports_added_vs_existing(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    group = client.post("/v1/groups", json={"name": "Bulk"}, headers=auth).json()
    users = [_user(client, auth, f"bulk{i}@example.com") for i in range(5)]
    client.post(f"/v1/groups/{group['id']}/users", json={"user_id": users[0]}, headers=auth)

    rejected = client.post(
        f"/v1/groups/{group['id']}/users",
        json={"users": [{"id": users[1]}, {"id": "zzzzzzzzzzzz"}]},
        headers=auth,
    )
    assert rejected.status_code == 400
    assert "zzzzzzzzzzzz" in rejected.json()["users"][0]
    assert client.get(f"/v1/groups/{group['id']}", headers=auth).json()["user_count"] == 1

    response = client.post(
        f"/v1/groups/{group['id']}/users",
        json={"users": [{"id": u} for u in users]},
        headers=auth,
    )
    assert response.status_code == 200
    assert response.json()["added"] == users[1:]
    assert response.json()["already_members"] == users[:1]
    too_many = client.post(
        f"/v1/groups/{group['id']}/users",
        json={"users": [{"id": users[0]}] * 1001},
        headers=auth,
    )
    assert too_many.status_code == 400
    assert "users" in too_many.json()


def test_email_domain_rules_add_new_users_to_the_group(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    group = client.post("/v1/groups", json={"name": "Acme staff"}, headers=auth).json()
    patched = client.patch(
        f"/v1/groups/{group['id']}/email-domain-rules", json={"add": ["acme.com"]}, headers=auth
    )
    assert patched.json() == {"email_domains": ["acme.com"]}
    user = client.post("/v1/users", json={"email": "wile@acme.com"}, headers=auth).json()
    assert user["groups"] == [group["id"]]
    other = client.post("/v1/users", json={"email": "road@runner.com"}, headers=auth).json()
    assert other["groups"] == []
    cleared = client.patch(
        f"/v1/groups/{group['id']}/email-domain-rules", json={"remove": ["acme.com"]}, headers=auth
    )
    assert cleared.json() == {"email_domains": []}


def test_guide_groups_field_is_writable_as_a_set(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    one = client.post("/v1/groups", json={"name": "One"}, headers=auth).json()["id"]
    two = client.post("/v1/groups", json={"name": "Two"}, headers=auth).json()["id"]
    user = _user(client, auth, "sets@example.com")
    assert client.patch(f"/v1/users/{user}", json={"groups": [one, two]}, headers=auth).json()[
        "groups"
    ] == [one, two]
    assert client.patch(f"/v1/users/{user}", json={"groups": [two]}, headers=auth).json()[
        "groups"
    ] == [two]
    bad = client.patch(f"/v1/users/{user}", json={"groups": ["nope"]}, headers=auth)
    assert bad.status_code == 400
    assert "groups" in bad.json()


def test_categories_are_listed_and_assignable(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    with arrange(client, program) as (session, ctx):
        create_group(session, ctx, data=GroupData(name="Seeded", category="Regions"))
    categories = client.get("/v1/group-categories", headers=auth).json()
    assert [c["name"] for c in categories["results"]] == ["Regions"]
    category_id = categories["results"][0]["id"]
    one = client.get(f"/v1/group-categories/{category_id}/", headers=auth)
    assert one.json() == {"id": category_id, "name": "Regions"}
    group = client.post(
        "/v1/groups", json={"name": "EMEA", "group_category_id": category_id}, headers=auth
    ).json()
    assert group["group_category_id"] == category_id
    assert codec(client).decode("group_category", category_id) is not None
