"""What Okta and Entra really send (scim-interop.md), replayed: one regression per quirk,
and the recorded-style conversations of each IdP."""

from __future__ import annotations

from typing import Any

from tests.dialects.scim.conftest import (
    ENTERPRISE,
    GROUP_URN,
    PATCH_URN,
    USER_URN,
    Scim,
    assert_error,
    user_body,
)

ENTRA_GROUP_URN = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
AAD = "?aadOptscim062020"


def members(scim: Scim, group_id: str) -> list[str]:
    return sorted(m["value"] for m in scim.get(f"/Groups/{group_id}").json().get("members", []))


def test_entra_capitalised_ops_string_booleans_and_urn_keys(scim: Scim) -> None:
    user = scim.create_user("ent@example.com")
    response = scim.patch(
        f"/Users/{user['id']}{AAD}",
        [
            {"op": "Replace", "path": "active", "value": "False"},  # quirks 1, 2, 22
            {
                "op": "Add",
                "value": {
                    "name.givenName": "Entra",  # quirk 4: dotted key
                    f"{ENTERPRISE}:employeeNumber": "E-7",  # quirk 4: URN key
                    f"{ENTERPRISE}:department": "Ops",
                },
            },
        ],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["active"] is False
    assert body["name"]["givenName"] == "Entra"
    assert body[ENTERPRISE] == {"employeeNumber": "E-7", "department": "Ops"}
    again = scim.patch(
        f"/Users/{user['id']}", [{"op": "replace", "path": "active", "value": "True"}]
    )
    assert again.json()["active"] is True


def test_okta_pathless_replace_and_work_email_value_path(scim: Scim) -> None:
    user = scim.create_user("okta@example.com", emails=[])
    assert user["emails"][0]["value"] == "okta@example.com"  # userName doubles as the email
    off = scim.patch(f"/Users/{user['id']}", [{"op": "replace", "value": {"active": False}}])
    assert off.json()["active"] is False  # quirk 3
    # quirk 5/6: replace on emails[type eq "work"].value when no work email exists adds one
    moved = scim.patch(
        f"/Users/{user['id']}",
        [{"op": "replace", "path": 'emails[type eq "work"].value', "value": "new@example.com"}],
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["emails"][0]["value"] == "new@example.com"
    found = scim.get(
        "/Users", params={"filter": 'emails[type eq "work"].value eq "new@example.com"'}
    )
    assert found.json()["totalResults"] == 1


def test_okta_post_extras_are_tolerated(scim: Scim) -> None:
    # quirk 13 and 14: password, groups: [], locale; plain application/json
    body = user_body("extra@example.com", password="t1meMa$heen", groups=[], locale="en-US")
    response = scim.post("/Users", body, headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    assert response.json()["locale"] == "en-US"
    assert "password" not in response.json()


def test_group_push_quirks(scim: Scim) -> None:
    a, b, c = (scim.create_user(f"{n}@example.com")["id"] for n in ("ga", "gb", "gc"))
    group = scim.post(
        "/Groups",
        {
            "schemas": [GROUP_URN, ENTRA_GROUP_URN],  # quirk 12
            "displayName": "Sales",
            "externalId": "okta-grp-1",
            "members": [{"value": a, "$ref": None}, {"value": b, "$ref": None}],  # quirk 11
        },
    )
    assert group.status_code == 201, group.text
    gid = group.json()["id"]
    assert members(scim, gid) == sorted([a, b])
    # quirk 7: Entra legacy removal removes only the listed members
    removed = scim.patch(
        f"/Groups/{gid}", [{"op": "Remove", "path": "members", "value": [{"value": a}]}]
    )
    assert removed.status_code == 200
    assert members(scim, gid) == [b]
    # quirk 8: removal by filter
    scim.patch(f"/Groups/{gid}", [{"op": "add", "path": "members", "value": [{"value": c}]}])
    scim.patch(f"/Groups/{gid}", [{"op": "remove", "path": f'members[value eq "{b}"]'}])
    assert members(scim, gid) == [c]
    # quirk 9: full replace
    scim.patch(
        f"/Groups/{gid}",
        [{"op": "replace", "path": "members", "value": [{"value": a}, {"value": b}]}],
    )
    assert members(scim, gid) == sorted([a, b])
    # quirk 10: rename whose value carries the read-only id
    renamed = scim.patch(
        f"/Groups/{gid}", [{"op": "replace", "value": {"id": gid, "displayName": "Sales EMEA"}}]
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["displayName"] == "Sales EMEA"
    # quirk 17: excludedAttributes=members on GET and list; attributes= too
    slim = scim.get(f"/Groups/{gid}", params={"excludedAttributes": "members"}).json()
    assert "members" not in slim
    assert slim["displayName"] == "Sales EMEA"
    listed = scim.get("/Groups", params={"excludedAttributes": "members"}).json()
    assert "members" not in listed["Resources"][0]
    only = scim.get("/Groups", params={"attributes": "displayName"}).json()["Resources"][0]
    assert set(only) == {"schemas", "id", "displayName"}
    # Entra looks groups up by displayName; names are unique per program
    by_name = scim.get("/Groups", params={"filter": 'displayName eq "sales emea"'}).json()
    assert [g["id"] for g in by_name["Resources"]] == [gid]
    assert_error(
        scim.post("/Groups", {"schemas": [GROUP_URN], "displayName": "SALES emea"}),
        409,
        "uniqueness",
    )
    by_member = scim.get("/Groups", params={"filter": f'members[value eq "{a}"]'}).json()
    assert by_member["totalResults"] == 1
    assert_error(
        scim.patch(
            f"/Groups/{gid}", [{"op": "add", "path": "members", "value": [{"value": "999999"}]}]
        ),
        400,
        "invalidValue",
    )
    assert members(scim, gid) == sorted([a, b])


def test_membership_changes_move_the_group_etag(scim: Scim) -> None:
    a = scim.create_user("e1@example.com")["id"]
    group = scim.create_group("Etag")
    before = scim.get(f"/Groups/{group['id']}").headers["etag"]
    scim.patch(
        f"/Groups/{group['id']}", [{"op": "add", "path": "members", "value": [{"value": a}]}]
    )
    after = scim.get(f"/Groups/{group['id']}").headers["etag"]
    assert after != before
    stale = scim.patch(
        f"/Groups/{group['id']}",
        [{"op": "remove", "path": "members"}],
        headers={"If-Match": before},
    )
    assert_error(stale, 412)
    assert members(scim, group["id"]) == [a]


def test_entra_test_connection_and_empty_results(scim: Scim) -> None:
    # quirks 19, 23: random lookups answer 200 with an empty list
    for path, expression in (
        ("/Users", 'userName eq "b5a1f6e2-0c7d-4b8a-9f3e-1a2b3c4d5e6f"'),
        ("/Groups", 'displayName eq "e3f0c8a1-5b6d-4e7f-8a9b-0c1d2e3f4a5b"'),
    ):
        response = scim.get(path + AAD, params={"filter": expression})
        assert response.status_code == 200
        assert response.json()["totalResults"] == 0
        assert response.json()["Resources"] == []


def _entra_user(user_name: str) -> dict[str, Any]:
    return {
        "schemas": [USER_URN, ENTERPRISE],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": user_name,
        "active": True,
        "displayName": "Test User",
        "emails": [{"primary": True, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Test User", "familyName": "User", "givenName": "Test"},
        "title": "Analyst",
        "preferredLanguage": "en-US",
        "addresses": [{"type": "work", "country": "NZ", "primary": True}],
        "phoneNumbers": [{"type": "work", "value": "+64 1", "primary": True}],
        ENTERPRISE: {"employeeNumber": "42", "department": "Finance"},
    }


def test_entra_conversation(scim: Scim) -> None:
    # Entra checks whether the user exists, by userName then by externalId
    probe = scim.get("/Users" + AAD, params={"filter": 'userName eq "Test_User@contoso.com"'})
    assert probe.json()["totalResults"] == 0
    created = scim.post("/Users" + AAD, _entra_user("Test_User@contoso.com"))
    assert created.status_code == 201, created.text
    uid = created.json()["id"]
    assert created.json()["displayName"] == "Test User"
    by_external = scim.get(
        "/Users", params={"filter": 'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"'}
    ).json()
    assert [u["id"] for u in by_external["Resources"]] == [uid]
    # attribute updates, several ops at once, with a work-email value path
    update = scim.patch(
        f"/Users/{uid}{AAD}",
        [
            {"op": "Replace", "path": "displayName", "value": "Tess User"},
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "tess@contoso.com"},
            {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": None},
        ],
    )
    assert update.status_code == 200, update.text
    assert update.json()["emails"][0]["value"] == "tess@contoso.com"
    # deactivate, legacy mode (string boolean) and current mode (path-less object)
    legacy = scim.patch(
        f"/Users/{uid}{AAD}", [{"op": "Replace", "path": "active", "value": "False"}]
    )
    assert legacy.json()["active"] is False
    scim.patch(f"/Users/{uid}", [{"op": "replace", "path": "active", "value": True}])
    current = scim.patch(f"/Users/{uid}{AAD}", [{"op": "replace", "value": {"active": False}}])
    assert current.json()["active"] is False
    assert scim.get(f"/Users/{uid}").json()["active"] is False  # quirk 20: still there
    # group push: create, add, remove in both shapes
    probe_group = scim.get(
        "/Groups",
        params={"filter": 'displayName eq "Finance Team"', "excludedAttributes": "members"},
    )
    assert probe_group.json()["totalResults"] == 0
    other = scim.post("/Users", _entra_user("other@contoso.com") | {"externalId": "x-2"}).json()[
        "id"
    ]
    group = scim.post(
        "/Groups" + AAD,
        {
            "schemas": [GROUP_URN, ENTRA_GROUP_URN],
            "externalId": "g-1",
            "displayName": "Finance Team",
            "members": [],
        },
    )
    assert group.status_code == 201, group.text
    gid = group.json()["id"]
    add = scim.patch(
        f"/Groups/{gid}{AAD}",
        [{"op": "Add", "path": "members", "value": [{"value": uid}, {"value": other}]}],
    )
    assert add.status_code == 200
    scim.patch(
        f"/Groups/{gid}{AAD}", [{"op": "Remove", "path": "members", "value": [{"value": uid}]}]
    )
    assert members(scim, gid) == [other]
    scim.patch(f"/Groups/{gid}{AAD}", [{"op": "remove", "path": f'members[value eq "{other}"]'}])
    assert members(scim, gid) == []
    # Entra DELETEs only on hard delete; the user is gone for SCIM
    assert scim.delete(f"/Users/{uid}{AAD}").status_code == 204
    assert_error(scim.get(f"/Users/{uid}"), 404)


def test_okta_conversation(scim: Scim) -> None:
    lookup = scim.get(
        "/Users", params={"filter": 'userName eq "jo@okta.example"', "startIndex": 1, "count": 100}
    )
    assert lookup.json()["totalResults"] == 0
    created = scim.post(
        "/Users",
        user_body(
            "jo@okta.example", externalId="00u1abcd", password="Secret-1", groups=[], locale="en-US"
        ),
        headers={"Content-Type": "application/json"},
    )
    assert created.status_code == 201, created.text
    uid = created.json()["id"]
    # Okta custom apps GET then PUT the whole user for every change
    current = scim.get(f"/Users/{uid}").json()
    current["name"]["familyName"] = "Smith"
    current["title"] = "Director"
    put = scim.put(f"/Users/{uid}", current, headers={"Content-Type": "application/json"})
    assert put.status_code == 200, put.text
    assert put.json()["name"]["familyName"] == "Smith"
    assert put.json()["title"] == "Director"
    # deactivate with a PATCH, reactivate with a PUT
    off = scim.patch(f"/Users/{uid}", [{"op": "replace", "value": {"active": False}}])
    assert off.json()["active"] is False
    current = scim.get(f"/Users/{uid}").json()
    current["active"] = True
    assert scim.put(f"/Users/{uid}", current).json()["active"] is True
    # group push: create with members, rename carrying the id, full member replace
    other = scim.create_user("kim@okta.example")["id"]
    group = scim.create_group("Okta Engineers", [uid])
    gid = group["id"]
    renamed = scim.patch(
        f"/Groups/{gid}", [{"op": "replace", "value": {"id": gid, "displayName": "Okta Eng"}}]
    )
    assert renamed.status_code == 200
    scim.patch(
        f"/Groups/{gid}",
        [{"op": "replace", "path": "members", "value": [{"value": other, "display": "kim"}]}],
    )
    assert members(scim, gid) == [other]
    scim.patch(f"/Groups/{gid}", [{"op": "remove", "path": f'members[value eq "{other}"]'}])
    assert members(scim, gid) == []
    assert scim.delete(f"/Groups/{gid}").status_code == 204
    assert_error(scim.get(f"/Groups/{gid}"), 404)


def test_patch_request_schema_is_required(scim: Scim) -> None:
    user = scim.create_user("schema@example.com")
    no_schema = scim.request(
        "PATCH",
        f"/Users/{user['id']}",
        {"Operations": [{"op": "replace", "path": "title", "value": "x"}]},
    )
    assert_error(no_schema, 400, "invalidSyntax")
    ok = scim.request(
        "PATCH",
        f"/Users/{user['id']}",
        {"schemas": [PATCH_URN], "operations": [{"OP": "replace", "PATH": "title", "VALUE": "x"}]},
    )
    assert ok.status_code == 200
    assert ok.json()["title"] == "x"
