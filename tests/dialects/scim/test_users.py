"""/Users over HTTP: filters compiled to SQL, paging, sorting, attribute selection, PUT,
PATCH, DELETE, ETags and the errors each bad input gets."""

from __future__ import annotations

import pytest

from tests.dialects.scim.conftest import ENTERPRISE, Scim, assert_error, user_body

pytestmark = pytest.mark.postgres  # the filter compiler's SQL differs by database


def _ids(response_json: dict[str, object]) -> list[str]:
    return [r["id"] for r in response_json["Resources"]]  # type: ignore[index, union-attr]


def _find(scim: Scim, expression: str) -> list[str]:
    response = scim.get("/Users", params={"filter": expression})
    assert response.status_code == 200, response.text
    return sorted(_ids(response.json()), key=int)


@pytest.fixture
def people(scim: Scim) -> dict[str, str]:
    made = {
        "ann": scim.create_user(
            "Ann@Example.com",
            externalId="EXT-ann",
            title="Engineer",
            **{ENTERPRISE: {"employeeNumber": "1001", "department": "R&D"}},
        ),
        "bob": scim.create_user("bob@example.org", externalId="ext-bob", title="Manager"),
        "cy": scim.create_user("cy_50%@example.com", active=False),
    }
    return {k: v["id"] for k, v in made.items()}


def test_filters_compile_every_operator(scim: Scim, people: dict[str, str]) -> None:
    ann, bob, cy = people["ann"], people["bob"], people["cy"]
    assert _find(scim, 'userName eq "ann@example.com"') == [ann]  # case-insensitive
    assert _find(scim, 'USERNAME Eq "ANN@EXAMPLE.COM"') == [ann]  # names and ops too
    assert _find(scim, 'externalId eq "ext-ann"') == []  # externalId is exact
    assert _find(scim, 'externalId eq "EXT-ann"') == [ann]
    assert _find(scim, 'userName ne "bob@example.org"') == [ann, cy]
    assert _find(scim, 'userName co "example.c"') == [ann, cy]
    assert _find(scim, 'userName co "50%"') == [cy]  # LIKE wildcards are escaped
    assert _find(scim, 'userName co "_50"') == [cy]
    assert _find(scim, 'userName sw "B"') == [bob]
    assert _find(scim, 'userName ew ".org"') == [bob]
    assert _find(scim, "title pr") == [ann, bob]
    assert _find(scim, "not (title pr)") == [cy]
    assert _find(scim, 'title gt "F"') == [bob]
    assert _find(scim, 'title ge "Engineer"') == [ann, bob]
    assert _find(scim, 'title lt "F"') == [ann]
    assert _find(scim, 'title le "manager"') == [ann, bob]
    assert _find(scim, "active eq false") == [cy]  # deactivated users still answer
    assert _find(scim, 'active eq true and userName sw "a"') == [ann]
    assert _find(scim, '(title eq "Engineer" or title eq "Manager") and not (userName sw "b")') == [
        ann
    ]
    assert _find(scim, 'emails[type eq "work"].value eq "bob@example.org"') == [bob]
    assert _find(scim, 'emails[type eq "home"]') == []
    assert _find(scim, 'emails.value co "@example.org"') == [bob]
    assert _find(scim, 'emails co "@example.org"') == [bob]
    assert _find(scim, f'{ENTERPRISE}:employeeNumber eq "1001"') == [ann]
    assert _find(scim, 'department eq "r&d"') == [ann]
    assert _find(scim, f'id eq "{bob}"') == [bob]
    assert _find(scim, 'id eq "not-a-number"') == []
    assert _find(scim, 'meta.created gt "2000-01-01T00:00:00Z"') == [ann, bob, cy]
    assert _find(scim, 'name.familyName eq "jensen" and name.givenName sw "ann"') == [ann]


@pytest.mark.parametrize(
    "expression",
    [
        'userName eqq "x"',
        'userName eq "x" and',
        "(userName pr",
        'nickName eq "x"',
        'name eq "x"',
        "active gt true",
        'active eq "yes"',
        "userName eq 5",
        'meta.created gt "yesterday"',
        'urn:example:unknown:attr eq "x"',
    ],
)
def test_bad_filters_are_invalid_filter(scim: Scim, expression: str) -> None:
    assert_error(scim.get("/Users", params={"filter": expression}), 400, "invalidFilter")


def test_paging_is_one_based_stable_and_clamped(scim: Scim) -> None:
    ids = [scim.create_user(f"p{i}@example.com")["id"] for i in range(7)]
    page = scim.get("/Users", params={"startIndex": 0, "count": 3}).json()
    assert (page["startIndex"], page["itemsPerPage"], page["totalResults"]) == (1, 3, 7)
    assert _ids(page) == ids[:3]
    # Users added while an IdP pages through do not shift earlier pages.
    scim.create_user("late@example.com")
    second = scim.get("/Users", params={"startIndex": 4, "count": 3}).json()
    assert _ids(second) == ids[3:6]
    only_total = scim.get("/Users", params={"count": 0}).json()
    assert only_total["totalResults"] == 8
    assert only_total["Resources"] == []
    beyond = scim.get("/Users", params={"startIndex": 100}).json()
    assert beyond["Resources"] == []
    assert beyond["totalResults"] == 8
    assert_error(scim.get("/Users", params={"count": "many"}), 400, "invalidValue")
    assert_error(scim.get("/Users", params={"startIndex": "1.5"}), 400, "invalidValue")


def test_cursor_pagination_walks_every_user_once(scim: Scim) -> None:
    ids = [scim.create_user(f"c{i}@example.com")["id"] for i in range(5)]
    seen: list[str] = []
    cursor = ""
    while True:
        page = scim.get("/Users", params={"cursor": cursor, "count": 2}).json()
        assert page["totalResults"] == 5
        seen += _ids(page)
        if "nextCursor" not in page:
            break
        cursor = page["nextCursor"]
    assert seen == ids
    assert_error(scim.get("/Users", params={"cursor": "garbage!"}), 400, "invalidCursor")


def test_sorting_and_attribute_selection(scim: Scim) -> None:
    for name in ("mia", "al", "zed"):
        scim.create_user(f"{name}@example.com")
    names = lambda r: [u["userName"] for u in r.json()["Resources"]]  # noqa: E731
    assert names(scim.get("/Users", params={"sortBy": "userName"})) == [
        "al@example.com",
        "mia@example.com",
        "zed@example.com",
    ]
    down = scim.get("/Users", params={"sortBy": "username", "sortOrder": "descending"})
    assert names(down)[0] == "zed@example.com"
    assert_error(scim.get("/Users", params={"sortBy": "nickName"}), 400, "invalidValue")
    assert_error(scim.get("/Users", params={"sortOrder": "sideways"}), 400, "invalidValue")
    slim = scim.get("/Users", params={"attributes": "userName"}).json()["Resources"][0]
    assert set(slim) == {"schemas", "id", "userName"}
    lean = scim.get("/Users", params={"excludedAttributes": "emails,name"}).json()
    assert "emails" not in lean["Resources"][0]
    assert "name" not in lean["Resources"][0]
    assert lean["Resources"][0]["userName"]


def test_put_replaces_and_patch_answers_the_full_user(scim: Scim) -> None:
    user = scim.create_user("rae@example.com", title="Intern")
    body = user_body("rae@example.com", title=None)
    body["name"] = {"givenName": "Rachel", "familyName": "Ng"}
    put = scim.put(f"/Users/{user['id']}", body)
    assert put.status_code == 200, put.text
    assert put.json()["name"] == {"givenName": "Rachel", "familyName": "Ng"}
    assert "title" not in put.json()  # absent from the replacement: cleared
    patched = scim.patch(
        f"/Users/{user['id']}", [{"op": "replace", "path": "title", "value": "Lead"}]
    )
    assert patched.status_code == 200
    assert patched.json()["title"] == "Lead"
    assert patched.json()["userName"] == "rae@example.com"


def test_delete_deactivates_and_hides_from_scim(scim: Scim) -> None:
    user = scim.create_user("gone@example.com")
    assert scim.delete(f"/Users/{user['id']}").status_code == 204
    assert_error(scim.get(f"/Users/{user['id']}"), 404)
    assert _find(scim, 'userName eq "gone@example.com"') == []
    assert_error(scim.delete(f"/Users/{user['id']}"), 404)


def test_etags_and_if_match(scim: Scim) -> None:
    user = scim.create_user("tag@example.com")
    got = scim.get(f"/Users/{user['id']}")
    tag = got.headers["etag"]
    assert tag == got.json()["meta"]["version"]
    assert tag.startswith('W/"')
    stale = scim.patch(
        f"/Users/{user['id']}",
        [{"op": "replace", "path": "title", "value": "A"}],
        headers={"If-Match": 'W/"not-it"'},
    )
    assert_error(stale, 412)
    fresh = scim.patch(
        f"/Users/{user['id']}",
        [{"op": "replace", "path": "title", "value": "A"}],
        headers={"If-Match": tag},
    )
    assert fresh.status_code == 200
    assert fresh.headers["etag"] != tag
    assert_error(
        scim.put(f"/Users/{user['id']}", user_body("tag@example.com"), headers={"If-Match": tag}),
        412,
    )
    assert_error(scim.delete(f"/Users/{user['id']}", headers={"If-Match": tag}), 412)
    assert scim.delete(f"/Users/{user['id']}", headers={"If-Match": "*"}).status_code == 204


def test_bad_bodies_get_their_scim_type(scim: Scim) -> None:
    user = scim.create_user("ok@example.com")
    raw = scim.client.post(
        "/scim/v2/Users",
        content=b"{not json",
        headers={"Authorization": f"Bearer {scim.token}", "Content-Type": "application/scim+json"},
    )
    assert_error(raw, 400, "invalidSyntax")
    assert_error(scim.post("/Users", ["a list"]), 400, "invalidSyntax")
    assert_error(
        scim.post("/Users", {**user_body("x@example.com"), "schemas": ["urn:nope"]}),
        400,
        "invalidSyntax",
    )
    assert_error(
        scim.post("/Users", {**user_body("x@example.com"), "favouriteColour": "red"}),
        400,
        "invalidSyntax",
    )
    assert_error(
        scim.post("/Users", {**user_body("x@example.com"), "urn:example:ext": {}}),
        400,
        "invalidSyntax",
    )
    assert_error(scim.post("/Users", {"schemas": user_body("x")["schemas"]}), 400, "invalidValue")
    assert_error(
        scim.post("/Users", user_body("x@example.com", active="maybe")), 400, "invalidValue"
    )
    assert_error(
        scim.post("/Users", user_body("x@example.com", emails=[{"value": "not-an-email"}])),
        400,
        "invalidValue",
    )
    assert_error(scim.post("/Users", user_body("OK@example.com")), 409, "uniqueness")
    other = scim.create_user("other@example.com")
    taken = scim.patch(
        f"/Users/{other['id']}", [{"op": "replace", "path": "userName", "value": "ok@EXAMPLE.com"}]
    )
    assert_error(taken, 409, "uniqueness")
    path = f"/Users/{user['id']}"
    assert_error(
        scim.patch(path, [{"op": "replace", "path": "id", "value": "77"}]), 400, "mutability"
    )
    assert_error(
        scim.patch(path, [{"op": "replace", "path": "meta.created", "value": "x"}]),
        400,
        "mutability",
    )
    assert_error(
        scim.patch(path, [{"op": "replace", "path": "nosuch", "value": "x"}]), 400, "invalidPath"
    )
    assert_error(
        scim.patch(path, [{"op": "replace", "path": "name.middle", "value": "x"}]),
        400,
        "invalidPath",
    )
    assert_error(
        scim.patch(path, [{"op": "replace", "path": "emails[type eq", "value": "x"}]),
        400,
        "invalidPath",
    )
    assert_error(scim.patch(path, [{"op": "remove"}]), 400, "noTarget")
    assert_error(
        scim.patch(
            path, [{"op": "replace", "path": 'emails[value co "zzz"]', "value": {"value": "a@b.c"}}]
        ),
        400,
        "noTarget",
    )
    assert_error(
        scim.patch(path, [{"op": "jump", "path": "title", "value": "x"}]), 400, "invalidSyntax"
    )
    assert_error(scim.request("PATCH", path, {"Operations": []}), 400, "invalidSyntax")
    assert_error(
        scim.patch(path, [{"op": "replace", "value": "not an object"}]), 400, "invalidValue"
    )
    assert_error(
        scim.patch(path, [{"op": "replace", "path": "active", "value": "perhaps"}]),
        400,
        "invalidValue",
    )
    assert_error(scim.get("/Users/abc"), 404)
    assert_error(scim.get("/Nope"), 404)


def test_one_bad_operation_applies_none(scim: Scim) -> None:
    user = scim.create_user("atomic@example.com", title="Before")
    bad = scim.patch(
        f"/Users/{user['id']}",
        [
            {"op": "replace", "path": "title", "value": "After"},
            {"op": "replace", "path": "active", "value": False},
            {"op": "replace", "path": "userName", "value": ""},
        ],
    )
    assert_error(bad, 400, "invalidValue")
    after = scim.get(f"/Users/{user['id']}").json()
    assert after["title"] == "Before"
    assert after["active"] is True
