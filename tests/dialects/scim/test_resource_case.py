"""Resource endpoints answer in any letter case, as some IdPs and SDKs send them."""

from __future__ import annotations

import pytest

from tests.dialects.scim.conftest import Scim


@pytest.mark.parametrize(
    "path", ["/users", "/USERS", "/groups", "/schemas", "/resourcetypes", "/serviceproviderconfig"]
)
def test_resource_endpoints_ignore_letter_case(scim: Scim, path: str) -> None:
    response = scim.get(path)
    assert response.status_code == 200, response.text
    assert response.json() == scim.get(CANONICAL_OF[path.lower()]).json()


CANONICAL_OF = {
    "/users": "/Users",
    "/groups": "/Groups",
    "/schemas": "/Schemas",
    "/resourcetypes": "/ResourceTypes",
    "/serviceproviderconfig": "/ServiceProviderConfig",
}


def test_a_user_and_search_through_lower_case_paths(scim: Scim) -> None:
    created = scim.create_user("case@example.com")
    one = scim.get(f"/users/{created['id']}")
    assert one.status_code == 200, one.text
    assert one.json()["userName"] == "case@example.com"
    assert one.json()["meta"]["location"] == created["meta"]["location"]
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": 'userName eq "case@example.com"',
    }
    found = scim.post("/USERS/.search", body)
    assert found.status_code == 200, found.text
    assert found.json()["totalResults"] == 1
    assert scim.get("/Userz").status_code == 404
