"""Okta's published SCIM spec test, step by step (scim-interop.md)."""

from __future__ import annotations

from tests.dialects.scim.conftest import Scim, assert_error, user_body


def test_okta_spec_sequence(scim: Scim) -> None:
    scim.create_user("pat@example.com", title="Engineer")
    # 1. first page of one user, fully populated
    page = scim.get("/Users", params={"count": 1, "startIndex": 1})
    assert page.status_code == 200
    body = page.json()
    assert (body["itemsPerPage"], body["startIndex"], body["totalResults"]) == (1, 1, 1)
    first = body["Resources"][0]
    for key in ("id", "userName", "active"):
        assert key in first
    assert first["name"]["familyName"] == "Jensen"
    assert first["name"]["givenName"] == "Pat"
    assert first["emails"][0]["value"] == "pat@example.com"
    # 2. the same user by id
    one = scim.get(f"/Users/{first['id']}")
    assert one.status_code == 200
    assert one.json()["userName"] == "pat@example.com"
    # 3. unknown userName: an empty list
    none = scim.get("/Users", params={"filter": 'userName eq "nobody@example.com"'})
    assert none.status_code == 200
    assert none.json()["totalResults"] == 0
    assert none.json()["Resources"] == []
    # 4. unknown id: 404 in the Error schema
    assert_error(scim.get("/Users/999999"), 404)
    # 5. create with Content-Type application/json
    new = user_body("lee@example.com")
    created = scim.post("/Users", new, headers={"Content-Type": "application/json"})
    assert created.status_code == 201, created.text
    made = created.json()
    assert made["id"]
    assert made["userName"] == "lee@example.com"
    assert made["name"] == {"givenName": "Lee", "familyName": "Jensen"}
    assert made["emails"][0] == {"value": "lee@example.com", "type": "work", "primary": True}
    assert made["active"] is True
    assert made["displayName"] == "Lee Jensen"
    assert created.headers["location"].endswith(f"/scim/v2/Users/{made['id']}")
    # 6. read it back
    again = scim.get(f"/Users/{made['id']}").json()
    assert {k: again[k] for k in ("userName", "name", "emails", "active")} == {
        k: made[k] for k in ("userName", "name", "emails", "active")
    }
    # 7. the same POST again: 409 uniqueness
    assert_error(scim.post("/Users", new), 409, "uniqueness")
    # 8. userName filter is case-insensitive
    upper = scim.get("/Users", params={"filter": 'userName eq "LEE@EXAMPLE.COM"'}).json()
    assert upper["totalResults"] == 1
    assert upper["Resources"][0]["id"] == made["id"]
    # 9. groups list
    groups = scim.get("/Groups")
    assert groups.status_code == 200
    assert groups.json()["Resources"] == []
    # 10. a non-token is 401 in the Error schema
    bad = scim.client.get("/scim/v2/Users", headers={"Authorization": "non-token"})
    assert_error(bad, 401)
