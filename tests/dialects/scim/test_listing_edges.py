"""Inputs the OpenAPI fuzzer found answered with a 500: an empty cursor page and attribute
lists that are not attribute paths. Each now has a 4xx naming the parameter, or a real page."""

from __future__ import annotations

import pytest

from tests.dialects.scim.conftest import PATCH_URN, Scim, assert_error, user_body

pytestmark = pytest.mark.postgres  # the filter compiler's SQL differs by database


@pytest.mark.parametrize("kind", ["Users", "Groups"])
def test_a_cursor_page_of_count_zero_is_empty_and_resumes_where_it_began(
    scim: Scim, kind: str
) -> None:
    users = [scim.create_user(f"z{i}@example.com")["id"] for i in range(3)]
    groups = [scim.create_group(f"G{i}")["id"] for i in range(3)]
    ids = users if kind == "Users" else groups
    empty = scim.get(f"/{kind}", params={"cursor": "", "count": 0})
    assert empty.status_code == 200, empty.text
    assert empty.json()["Resources"] == []
    assert empty.json()["totalResults"] == 3
    resumed = scim.get(f"/{kind}", params={"cursor": empty.json()["nextCursor"], "count": 5})
    assert [r["id"] for r in resumed.json()["Resources"]] == ids
    assert "nextCursor" not in resumed.json()
    # In the middle of a walk, a count of 0 keeps the walk's place.
    first = scim.get(f"/{kind}", params={"cursor": "", "count": 1}).json()
    held = scim.get(f"/{kind}", params={"cursor": first["nextCursor"], "count": 0}).json()
    rest = scim.get(f"/{kind}", params={"cursor": held["nextCursor"], "count": 5}).json()
    assert [r["id"] for r in rest["Resources"]] == ids[1:]


@pytest.mark.parametrize("name", ["attributes", "excludedAttributes"])
@pytest.mark.parametrize("kind", ["Users", "Groups"])
def test_an_attribute_list_that_is_not_paths_is_invalid_path_on_every_route(
    scim: Scim, kind: str, name: str
) -> None:
    user = scim.create_user("pat@example.com")
    one = user if kind == "Users" else scim.create_group("Ops")
    bad = {name: "0"}
    body = (
        user_body("pat@example.com")
        if kind == "Users"
        else {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Ops",
        }
    )
    patch = {"schemas": [PATCH_URN], "Operations": []}
    answers = [
        scim.get(f"/{kind}", params=bad),
        scim.get(f"/{kind}/{one['id']}", params=bad),
        scim.post(f"/{kind}/.search", {"schemas": [SEARCH], name: ["0"]}),
        scim.put(f"/{kind}/{one['id']}", body, params=bad),
        scim.request("PATCH", f"/{kind}/{one['id']}", patch, params=bad),
    ]
    for answer in answers:
        assert_error(answer, 400, "invalidPath")
        assert name in answer.json()["detail"]
    # Unchanged by the rejected writes.
    assert scim.get(f"/{kind}/{one['id']}").status_code == 200


SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


def test_the_openapi_document_declares_bodies_parameters_and_statuses(scim: Scim) -> None:
    paths = scim.client.get("/scim/v2/openapi.json").json()["paths"]
    create = paths["/Users"]["post"]
    assert set(create["requestBody"]["content"]) == {"application/scim+json", "application/json"}
    assert "201" in create["responses"]
    assert "200" not in create["responses"]
    listed = {p["name"] for p in paths["/Groups"]["get"]["parameters"]}
    assert {"filter", "startIndex", "count", "cursor", "attributes"} <= listed
    assert "204" in paths["/Users/{user_id}"]["delete"]["responses"]
    patch = paths["/Users/{user_id}"]["patch"]["requestBody"]["content"]["application/scim+json"]
    assert patch["schema"]["required"] == ["schemas", "Operations"]
    assert list(paths["/Bulk"]["post"]["responses"]) == ["501"]


@pytest.mark.parametrize("kind", ["Users", "Groups"])
@pytest.mark.parametrize("edge", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_a_filter_datetime_past_the_calendar_in_utc_is_invalid_filter(
    scim: Scim, kind: str, edge: str
) -> None:
    scim.create_user("dot@example.com")
    response = scim.get(f"/{kind}", params={"filter": f'meta.lastModified gt "{edge}"'})
    assert_error(response, 400, "invalidFilter")
    assert "meta.lastModified" in response.json()["detail"]
    inside = scim.get(f"/{kind}", params={"filter": 'meta.lastModified lt "9999-12-31T00:00:00Z"'})
    assert inside.status_code == 200, inside.text


def test_a_start_index_past_any_database_offset_is_an_empty_page(scim: Scim) -> None:
    scim.create_user("far@example.com")
    huge = "9" * 30
    for kind in ("Users", "Groups"):
        page = scim.get(f"/{kind}", params={"startIndex": huge})
        assert page.status_code == 200, page.text
        assert page.json()["Resources"] == []
    assert scim.get("/Users", params={"startIndex": huge}).json()["totalResults"] == 1


def test_a_member_id_no_row_can_have_matches_nothing(scim: Scim) -> None:
    """``members.value eq "<25 digits>"`` folded to false inside EXISTS, which lost its FROM
    ("no tables specified", a 500)."""
    user = scim.create_user("mem@example.com")
    group = scim.create_group("Crew", [user["id"]])
    huge = "9" * 25
    for kind, expression in [
        ("Groups", f'members.value eq "{huge}"'),
        ("Groups", f"members[value eq {huge}]"),
        ("Users", f'groups.value eq "{huge}"'),
    ]:
        page = scim.get(f"/{kind}", params={"filter": expression})
        assert page.status_code == 200, page.text
        assert page.json()["Resources"] == []
    found = scim.get("/Groups", params={"filter": f'members.value eq "{user["id"]}"'}).json()
    assert [g["id"] for g in found["Resources"]] == [group["id"]]
    found = scim.get("/Users", params={"filter": f'groups.value eq "{group["id"]}"'}).json()
    assert [u["id"] for u in found["Resources"]] == [user["id"]]


def test_a_path_holding_a_newline_still_reaches_scim_and_gets_its_error(scim: Scim) -> None:
    """Starlette's mount pattern stopped at an encoded newline, so the parent app answered
    with a bare ``{"detail": "Not Found"}`` instead of a SCIM Error."""
    for path in ("/Users/%0A0", "/Groups/%0A0", "/Schemas/%0A", "/ResourceTypes/%0AUser"):
        assert_error(scim.get(path), 404)
    assert_error(scim.delete("/Users/%0A0"), 404)
