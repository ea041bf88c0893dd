"""A stale If-Match on SCIM is answered as it always was: 412 with the same detail."""

from __future__ import annotations

from tests.dialects.scim.conftest import Scim, assert_error


def test_stale_if_match_on_a_group_is_412_naming_if_match(scim: Scim) -> None:
    group = scim.create_group("Tagged")
    tag = scim.get(f"/Groups/{group['id']}").headers["etag"]
    assert tag.startswith('W/"')
    op = {"op": "replace", "path": "displayName", "value": "Moved"}
    assert scim.patch(f"/Groups/{group['id']}", [op], headers={"If-Match": tag}).status_code == 200
    stale = scim.patch(f"/Groups/{group['id']}", [op], headers={"If-Match": tag})
    assert_error(stale, 412)
    assert stale.json()["detail"] == "the resource has changed (If-Match)"
    assert_error(scim.delete(f"/Groups/{group['id']}", headers={"If-Match": tag}), 412)
