"""Domains and domain users over HTTP, including bulk-create as a background job."""

from __future__ import annotations

from fastapi.testclient import TestClient

from syllabus.delivery.worker import Worker, wait_idle
from tests.http_client import Program


def test_domain_is_read_and_edited(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    domains = client.get("/v1/domains", headers=auth).json()
    assert [d["name"] for d in domains["results"]] == [program.acct_key]
    patched = client.patch(
        f"/v1/domains/{program.acct_key}",
        json={"catalog_title": "Academy", "access": "PUBLIC"},
        headers=auth,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["catalog_title"] == "Academy"
    assert patched.json()["private"] is False
    bad = client.patch(f"/v1/domains/{program.acct_key}", json={"access": "OPEN"}, headers=auth)
    assert bad.status_code == 400
    assert list(bad.json()) == ["access"]
    assert client.get("/v1/domains/nope.example.test", headers=auth).status_code == 404


def test_domain_user_create_adds_existing_email(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    base = f"/v1/domains/{program.acct_key}/users"
    created = client.post(
        base,
        json={"user": {"email": "dee@example.com", "first_name": "Dee"}, "active": True},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    user_id = created.json()["user"]["id"]
    again = client.post(base, json={"user": {"email": "DEE@example.com"}}, headers=auth)
    assert again.status_code == 200
    assert again.json()["user"]["id"] == user_id
    listed = client.get(f"{base}?user__email=dee@example.com", headers=auth).json()
    assert [u["user"]["id"] for u in listed["results"]] == [user_id]
    patched = client.patch(
        f"{base}/{user_id}",
        data={"active": "False", "expires_at": "2030-01-02 03:04:05"},
        headers=auth,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["active"] is False
    assert patched.json()["expires_at"] == "2030-01-02T03:04:05Z"
    missing = client.post(base, json={"user": {}}, headers=auth)
    assert missing.status_code == 400
    assert missing.json() == {"user": {"email": ["This field is required."]}}


def test_bulk_create_runs_in_the_background_with_per_row_results(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    base = f"/v1/domains/{program.acct_key}/users"
    existing = client.post(base, json={"user": {"email": "old@example.com"}}, headers=auth)
    rejected = client.post(
        f"{base}/bulk-create",
        json={"users": [{"email": "ok@example.com"}, {"email": "not-an-email"}]},
        headers=auth,
    )
    assert rejected.status_code == 400
    assert list(rejected.json()["users"]) == ["1"]

    users = [{"email": f"bulk{i}@example.com", "first_name": f"B{i}"} for i in range(50)]
    users.append({"email": "old@example.com"})
    accepted = client.post(f"{base}/bulk-create", json={"users": users}, headers=auth)
    assert accepted.status_code == 202, accepted.text
    url = accepted.json()["url"]
    assert url.startswith("http://testserver/v1/domains/")
    assert accepted.headers["location"] == url
    assert client.get(url, headers=auth).json()["status"] == "queued"

    wait_idle(Worker(client.app.state.session_factory))  # type: ignore[attr-defined]
    result = client.get(url, headers=auth).json()
    assert result["status"] == "done"
    assert (result["created"], result["added"], result["failed"]) == (50, 1, 0)
    assert result["results"][-1]["user_id"] == existing.json()["user"]["id"]
    assert result["results"][-1]["status"] == "added"
    first = client.get(f"/v1/users/{result['results'][0]['user_id']}", headers=auth).json()
    assert first["email"] == "bulk0@example.com"
    too_many = client.post(
        f"{base}/bulk-create", json={"users": [{"email": "x@example.com"}] * 1001}, headers=auth
    )
    assert too_many.status_code == 400


def test_domain_user_etag_follows_the_membership(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    base = f"/v1/domains/{program.acct_key}/users"
    user_id = client.post(base, json={"user": {"email": "tag@example.com"}}, headers=auth).json()[
        "user"
    ]["id"]
    tag = client.get(f"{base}/{user_id}", headers=auth).headers["etag"]
    changed = client.patch(
        f"{base}/{user_id}", json={"active": False}, headers={**auth, "If-Match": tag}
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag
    stale = client.patch(
        f"{base}/{user_id}", json={"active": True}, headers={**auth, "If-Match": tag}
    )
    assert stale.status_code == 412
