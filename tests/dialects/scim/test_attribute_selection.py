"""``attributes`` and ``excludedAttributes`` hold for Groups' externalId on list, search and get
(issue 12, item 6), in each form an IdP writes them."""

from __future__ import annotations

import pytest

from tests.dialects.scim.conftest import GROUP_URN, Scim

SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


@pytest.mark.parametrize(
    "attributes", ["externalId", ["externalId"], "externalid", f"{GROUP_URN}:externalId"]
)
def test_groups_searched_for_their_external_id_show_it(scim: Scim, attributes: object) -> None:
    group = scim.create_group("Eng", externalId="ext-1")
    found = scim.post("/Groups/.search", {"schemas": [SEARCH], "attributes": attributes})
    assert found.status_code == 200, found.text
    assert found.json()["Resources"] == [
        {"schemas": [GROUP_URN], "id": group["id"], "externalId": "ext-1"}
    ]
    listed = scim.get("/Groups", params={"attributes": "externalId"}).json()["Resources"]
    assert listed == found.json()["Resources"]
    one = scim.get(f"/Groups/{group['id']}", params={"attributes": "externalId"}).json()
    assert one == found.json()["Resources"][0]
    hidden = scim.post("/Groups/.search", {"schemas": [SEARCH], "excludedAttributes": "externalId"})
    assert "externalId" not in hidden.json()["Resources"][0]
    assert hidden.json()["Resources"][0]["displayName"] == "Eng"
