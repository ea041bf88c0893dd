"""Paths and published paths over HTTP: publish, items, enrollments (idempotent)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.http_client import Program


def test_published_path_lifecycle(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    domain = program.acct_key
    base = f"/v1/domains/{domain}/published-paths"
    created = client.post(
        base,
        json={"slug": "onboarding", "path": {"title": "Onboarding", "short_description": "Start"}},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    pp = created.json()
    assert pp["slug"] == "onboarding"
    assert pp["path"]["title"] == "Onboarding"
    assert pp["path"]["path_item_count"] == 0
    path = client.get(f"/v1/paths/{pp['path']['id']}", headers=auth).json()
    assert path["short_description"] == "Start"
    assert [p["id"] for p in client.get("/v1/paths", headers=auth).json()["results"]] == [
        pp["path"]["id"]
    ]
    assert client.get(f"{base}/{pp['id']}/path-items", headers=auth).json()["results"] == []

    user = client.post("/v1/users", json={"email": "path@example.com"}, headers=auth).json()
    enrollments = f"{base}/{pp['id']}/published-path-enrollments"
    first = client.post(enrollments, json={"user": {"id": user["id"]}}, headers=auth)
    assert first.status_code == 201, first.text
    again = client.post(enrollments, json={"user": {"id": user["id"]}}, headers=auth)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    listed = client.get(enrollments, headers=auth).json()
    assert [e["user"]["id"] for e in listed["results"]] == [user["id"]]
    one = client.get(f"{enrollments}/{first.json()['id']}/", headers=auth)
    assert one.json()["user"]["email"] == "path@example.com"
    mine = client.get(f"/v1/users/{user['id']}/published-path-enrollments", headers=auth).json()
    assert [e["published_path"]["title"] for e in mine] == ["Onboarding"]

    hidden = client.patch(f"{base}/{pp['id']}", json={"hidden": "True"}, headers=auth)
    assert hidden.json()["hidden"] is True
    clash = client.post(base, json={"slug": "onboarding", "path": {"title": "Other"}}, headers=auth)
    assert clash.status_code == 400
    assert list(clash.json()) == ["slug"]
    assert client.delete(f"{base}/{pp['id']}", headers=auth).status_code == 204
    assert client.get(f"{base}/{pp['id']}", headers=auth).status_code == 404
