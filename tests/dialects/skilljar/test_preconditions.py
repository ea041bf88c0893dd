"""A stale If-Match on /v1 is answered as it always was: 412 and DRF's words."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.http_client import Program


def test_stale_if_match_is_412_with_drf_detail(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    group = client.post("/v1/groups", json={"name": "Tagged"}, headers=auth)
    assert group.status_code == 201, group.text
    url = f"/v1/groups/{group.json()['id']}"
    tag = group.headers["etag"]
    assert client.get(url, headers=auth).headers["etag"] == tag
    moved = client.patch(url, json={"name": "Moved"}, headers={**auth, "If-Match": tag})
    assert moved.status_code == 200, moved.text
    stale = client.patch(url, json={"name": "Lost"}, headers={**auth, "If-Match": tag})
    assert stale.status_code == 412
    assert stale.json() == {"detail": "Precondition failed."}
    assert client.get(url, headers=auth).json()["name"] == "Moved"
    anyone = client.patch(url, json={"name": "Any"}, headers={**auth, "If-Match": "*"})
    assert anyone.status_code == 200
