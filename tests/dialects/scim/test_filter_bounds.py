"""A filter longer or with more terms than any IdP sends is a 400 invalidFilter, quickly, not a
500 from the database's expression depth or seconds of parsing."""

from __future__ import annotations

from tests.dialects.scim.conftest import Scim, assert_error


def _or_terms(n: int) -> str:
    return " or ".join(f'userName eq "u{i}@example.com"' for i in range(n))


def test_a_hundred_terms_are_answered(scim: Scim) -> None:
    scim.create_user("u7@example.com")
    response = scim.get("/Users", params={"filter": _or_terms(100)})
    assert response.status_code == 200, response.text
    assert response.json()["totalResults"] == 1


def test_more_terms_or_a_longer_filter_are_invalid_filters(scim: Scim) -> None:
    assert_error(scim.get("/Users", params={"filter": _or_terms(101)}), 400, "invalidFilter")
    long = 'userName eq "' + "x" * 5000 + '"'
    assert_error(scim.get("/Users", params={"filter": long}), 400, "invalidFilter")
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": long}
    assert_error(scim.post("/Groups/.search", body), 400, "invalidFilter")
