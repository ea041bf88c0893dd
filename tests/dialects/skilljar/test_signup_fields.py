"""Signup fields over HTTP: the domain's fields, a user's values (one, bulk), validation errors
naming the field, other programs' ids, and the domain users list's filters and include flag."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from syllabus.domain.events import Event
from syllabus.domain.tenants import Domain
from syllabus.services.signup_fields import (
    SignupFieldData,
    add_signup_field,
    add_signup_field_option,
)
from syllabus.services.tenants import add_domain
from tests.dialects.skilljar.conftest import arrange, codec
from tests.http_client import Program
from tests.statements import statements_during


def _domain_id(client: TestClient, program: Program) -> int:
    with arrange(client, program) as (session, _ctx):
        found = session.scalar(select(Domain.id).where(Domain.name == program.acct_key))
        assert found is not None
        return int(found)


def define(client: TestClient, program: Program) -> dict[str, str]:
    """Four fields on the program's domain; their public ids by short name."""
    domain_id = _domain_id(client, program)
    ids = codec(client)
    out: dict[str, str] = {}
    with arrange(client, program) as (session, ctx):
        specs: dict[str, SignupFieldData] = {
            "code": SignupFieldData(
                label="Partner code",
                regex_validator=r"[A-Z]{3}-\d+",
                regex_validator_error_text="Use a code like ABC-123.",
                required=True,
                order=10,
            ),
            "colour": SignupFieldData(type="PICKLIST", label="Colour", order=20),
            "optin": SignupFieldData(type="CHECKBOX", label="Newsletter", order=30),
            "old": SignupFieldData(label="Retired", active=False, order=40),
        }
        for name, data in specs.items():
            field = add_signup_field(session, ctx, domain_id=domain_id, data=data)
            out[name] = ids.encode("signup_field", field.id)
            if name == "colour":
                for value in ("Red", "Blue"):
                    add_signup_field_option(session, ctx, field_id=field.id, value=value)
    return out


def member(client: TestClient, program: Program, auth: dict[str, str], email: str) -> str:
    created = client.post(
        f"/v1/domains/{program.acct_key}/users", json={"user": {"email": email}}, headers=auth
    )
    assert created.status_code == 201, created.text
    user_id: str = created.json()["user"]["id"]
    return user_id


@pytest.fixture
def fields(client: TestClient, program: Program) -> dict[str, str]:
    return define(client, program)


def test_the_domains_fields_are_listed_with_their_options(
    client: TestClient, program: Program, auth: dict[str, str], fields: dict[str, str]
) -> None:
    url = f"/v1/domains/{program.acct_key}/signup-fields"
    body = client.get(url, headers=auth).json()
    assert body["count"] == 4
    by_id = {f["id"]: f for f in body["results"]}
    colour = by_id[fields["colour"]]
    assert colour["type"] == "PICKLIST"
    assert [o["value"] for o in colour["options"]] == ["Red", "Blue"]
    assert all(len(o["id"]) >= 12 for o in colour["options"])
    code = by_id[fields["code"]]
    assert code["regex_validator"] == r"[A-Z]{3}-\d+"
    assert code["required"] is True
    assert by_id[fields["old"]]["active"] is False
    first = client.get(f"{url}?page_size=3", headers=auth).json()
    assert len(first["results"]) == 3
    second = client.get(first["next"], headers=auth).json()
    assert [f["id"] for f in first["results"] + second["results"]] == list(by_id)
    assert (
        client.get("/v1/domains/nope.example.test/signup-fields", headers=auth).status_code == 404
    )


def test_a_value_is_created_then_updated_and_read_back(
    client: TestClient, program: Program, auth: dict[str, str], fields: dict[str, str]
) -> None:
    user_id = member(client, program, auth, "val@example.com")
    base = f"/v1/domains/{program.acct_key}/users/{user_id}/signup-fields"
    created = client.post(
        base, json={"signup_field": {"id": fields["code"]}, "value": "ABC-1"}, headers=auth
    )
    assert created.status_code == 201, created.text
    assert created.json() == {
        "signup_field": {"id": fields["code"], "label": "Partner code"},
        "value": "ABC-1",
    }
    updated = client.post(
        base, data={"signup_field.id": fields["code"], "value": "XYZ-22"}, headers=auth
    )
    assert updated.status_code == 201, updated.text
    one = client.get(f"{base}/{fields['code']}", headers=auth)
    assert one.status_code == 200
    assert one.json()["value"] == "XYZ-22"
    assert one.headers["ETag"]
    listed = client.get(base, headers=auth).json()
    assert listed["count"] == 1
    assert listed["results"] == [one.json()]
    assert client.get(f"{base}/{fields['colour']}", headers=auth).status_code == 404
    checkbox = client.post(
        base, json={"signup_field": {"id": fields["optin"]}, "value": True}, headers=auth
    )
    assert checkbox.json()["value"] == "true"
    with arrange(client, program) as (session, _ctx):
        changes = [
            e.data
            for e in session.scalars(select(Event).where(Event.type == "user.updated"))
            if e.data.get("changed") == ["signup_fields"]
        ]
    assert len(changes) == 3
    assert codec(client).encode("user", changes[0]["user_id"]) == user_id


@pytest.mark.parametrize(
    ("name", "value", "errors"),
    [
        ("code", "abc", {"value": ["Use a code like ABC-123."]}),
        ("code", "ABC-1 trailing", {"value": ["Use a code like ABC-123."]}),
        ("colour", "Green", {"value": ['"Green" is not a valid choice.']}),
        ("optin", "maybe", {"value": ['"maybe" is not a valid boolean.']}),
        ("code", "", {"value": ["This field may not be blank."]}),
        ("code", True, {"value": ["Not a valid string."]}),
        ("code", 12, {"value": ["Use a code like ABC-123."]}),
        ("code", ["ABC-1"], {"value": ["Not a valid string."]}),
        ("code", None, {"value": ["Not a valid string."]}),
        ("old", "x", {"signup_field": {"id": ["The field 'Retired' is inactive."]}}),
        ("unknown", "x", {"signup_field": {"id": ["No such signup field on this domain."]}}),
    ],
)
def test_bad_values_are_400_naming_the_field(
    client: TestClient,
    program: Program,
    auth: dict[str, str],
    fields: dict[str, str],
    name: str,
    value: object,
    errors: dict[str, Any],
) -> None:
    user_id = member(client, program, auth, "bad@example.com")
    base = f"/v1/domains/{program.acct_key}/users/{user_id}/signup-fields"
    field_id = fields.get(name, "zzzzzzzzzzzzz")
    answer = client.post(
        base, json={"signup_field": {"id": field_id}, "value": value}, headers=auth
    )
    assert answer.status_code == 400, answer.text
    assert answer.json() == errors
    assert client.get(base, headers=auth).json()["count"] == 0


def test_missing_input_and_foreign_ids(
    client: TestClient,
    program: Program,
    other_program: Program,
    auth: dict[str, str],
    fields: dict[str, str],
) -> None:
    user_id = member(client, program, auth, "who@example.com")
    base = f"/v1/domains/{program.acct_key}/users/{user_id}/signup-fields"
    missing = client.post(base, json={}, headers=auth)
    assert missing.status_code == 400
    assert set(missing.json()) == {"signup_field", "value"}
    foreign = define(client, other_program)
    other_field = client.post(
        base, json={"signup_field": {"id": foreign["code"]}, "value": "ABC-1"}, headers=auth
    )
    assert other_field.status_code == 400
    assert list(other_field.json()) == ["signup_field"]
    with arrange(client, program) as (session, ctx):
        add_domain(session, ctx, name="partners.example.test")
    partners = f"/v1/domains/partners.example.test/users/{user_id}"
    not_member = client.post(
        f"{partners}/signup-fields",
        json={"signup_field": {"id": fields["code"]}, "value": "ABC-1"},
        headers=auth,
    )
    assert not_member.status_code == 404
    assert not_member.content == b'{"detail":"Not found."}'
    assert client.get(f"{partners}/signup-fields", headers=auth).status_code == 404
    client.post(
        "/v1/domains/partners.example.test/users",
        json={"user": {"email": "who@example.com"}},
        headers=auth,
    )
    other_domain = client.post(
        f"{partners}/signup-fields",
        json={"signup_field": {"id": fields["code"]}, "value": "ABC-1"},
        headers=auth,
    )
    assert other_domain.status_code == 400
    assert other_domain.json() == {"signup_field": {"id": ["No such signup field on this domain."]}}
    other_auth = {"Authorization": f"Token {other_program.api_key}"}
    assert client.get(base, headers=other_auth).status_code == 404
    assert (
        client.get(
            f"/v1/domains/{other_program.acct_key}/users/{user_id}/signup-fields",
            headers=other_auth,
        ).status_code
        == 404
    )


def test_bulk_saves_all_or_nothing(
    client: TestClient, program: Program, auth: dict[str, str], fields: dict[str, str]
) -> None:
    user_id = member(client, program, auth, "bulk@example.com")
    url = f"/v1/domains/{program.acct_key}/users/{user_id}/signup-fields-bulk"
    rejected = client.post(
        url,
        json={
            "signup_fields": [
                {"id": fields["code"], "value": "ABC-9"},
                {"id": fields["colour"], "value": "Purple"},
            ]
        },
        headers=auth,
    )
    assert rejected.status_code == 400
    assert rejected.json() == {
        "signup_fields": [{}, {"value": ['"Purple" is not a valid choice.']}]
    }
    listing = f"/v1/domains/{program.acct_key}/users/{user_id}/signup-fields"
    assert client.get(listing, headers=auth).json()["count"] == 0
    twice = client.post(
        url,
        json={"signup_fields": [{"id": fields["code"], "value": "ABC-9"}] * 2},
        headers=auth,
    )
    assert twice.json() == {"signup_fields": [{}, {"id": ["The same field is given twice."]}]}
    saved = client.post(
        url,
        json={
            "signup_fields": [
                {"id": fields["colour"], "value": "Blue"},
                {"id": fields["code"], "value": "ABC-9"},
            ]
        },
        headers=auth,
    )
    assert saved.status_code == 201, saved.text
    assert saved.headers["Location"].endswith(listing)
    assert saved.json() == {
        "results": [
            {"signup_field": {"id": fields["colour"], "label": "Colour"}, "value": "Blue"},
            {"signup_field": {"id": fields["code"], "label": "Partner code"}, "value": "ABC-9"},
        ]
    }
    only_one = client.post(
        url, json={"signup_fields": [{"id": fields["optin"], "value": "False"}]}, headers=auth
    )
    assert [r["value"] for r in only_one.json()["results"]] == ["false"]
    assert client.get(listing, headers=auth).json()["count"] == 3
    assert client.post(url, json={"signup_fields": []}, headers=auth).status_code == 400


def test_domain_users_filter_on_values_and_include_them(
    client: TestClient, program: Program, auth: dict[str, str], fields: dict[str, str]
) -> None:
    users = {n: member(client, program, auth, f"{n}@example.com") for n in ("ann", "bo", "cy")}
    answers = {"ann": ("Red", "ABC-1"), "bo": ("Blue", "ABC-2"), "cy": (None, None)}
    for name, (colour, code) in answers.items():
        rows = []
        if colour:
            rows = [
                {"id": fields["colour"], "value": colour},
                {"id": fields["code"], "value": code},
            ]
        if rows:
            url = f"/v1/domains/{program.acct_key}/users/{users[name]}/signup-fields-bulk"
            assert client.post(url, json={"signup_fields": rows}, headers=auth).status_code == 201
    base = f"/v1/domains/{program.acct_key}/users"

    def ids(query: str) -> list[str]:
        answer = client.get(f"{base}?{query}", headers=auth)
        assert answer.status_code == 200, answer.text
        return [u["user"]["id"] for u in answer.json()["results"]]

    assert ids(f"signup_field_id={fields['colour']}") == [users["ann"], users["bo"]]
    assert ids("signup_field_label=Colour&signup_field_value=Blue") == [users["bo"]]
    assert ids("signup_field_value=blue") == []
    assert ids("signup_field_value=ABC-1") == [users["ann"]]
    assert ids(f"signup_field_id={fields['code']}&signup_field_value=Red") == []
    assert ids(f"signup_field_id={fields['optin']}") == []
    bad = client.get(f"{base}?signup_field_id=nope", headers=auth)
    assert bad.status_code == 400
    assert list(bad.json()) == ["signup_field_id"]
    plain = client.get(base, headers=auth).json()["results"]
    assert all(u["signup_fields"] == [] for u in plain)
    full = client.get(f"{base}?include_signup_field_data=true", headers=auth).json()["results"]
    by_user = {u["user"]["id"]: u["signup_fields"] for u in full}
    assert by_user[users["ann"]] == [
        {"signup_field": {"id": fields["code"], "label": "Partner code"}, "value": "ABC-1"},
        {"signup_field": {"id": fields["colour"], "label": "Colour"}, "value": "Red"},
    ]
    assert by_user[users["cy"]] == []


def test_including_values_costs_one_statement_per_page(
    client: TestClient, program: Program, auth: dict[str, str], fields: dict[str, str]
) -> None:
    engine = client.app.state.session_factory.kw["bind"]  # type: ignore[attr-defined]
    url = f"/v1/domains/{program.acct_key}/users?include_signup_field_data=true&page_size=50"

    def statements() -> int:
        def read() -> None:
            assert client.get(url, headers=auth).status_code == 200

        return len(statements_during(engine, read))

    member(client, program, auth, "first@example.com")
    few = min(statements() for _ in range(3))  # the guard may refill a rate lease now and then
    for n in range(8):
        user_id = member(client, program, auth, f"more{n}@example.com")
        client.post(
            f"/v1/domains/{program.acct_key}/users/{user_id}/signup-fields",
            json={"signup_field": {"id": fields["colour"]}, "value": "Red"},
            headers=auth,
        )
    assert min(statements() for _ in range(3)) == few


def test_one_domain_user_shows_their_answers_and_its_etag_follows_them(
    client: TestClient, program: Program, auth: dict[str, str], fields: dict[str, str]
) -> None:
    user = member(client, program, auth, "dee@example.com")
    url = f"/v1/domains/{program.acct_key}/users/{user}"
    before = client.get(url, headers=auth)
    assert before.json()["signup_fields"] == []
    answer = {"signup_field": {"id": fields["colour"]}, "value": "Blue"}
    saved = client.post(f"{url}/signup-fields", json=answer, headers=auth)
    assert saved.status_code == 201, saved.text
    after = client.get(url, headers=auth)
    assert after.json()["signup_fields"] == [
        {"signup_field": {"id": fields["colour"], "label": "Colour"}, "value": "Blue"}
    ]
    assert after.headers["etag"] != before.headers["etag"]
    stale = client.patch(
        url, json={"active": True}, headers={**auth, "If-Match": before.headers["etag"]}
    )
    assert stale.status_code == 412
    fresh = client.patch(
        url, json={"active": True}, headers={**auth, "If-Match": after.headers["etag"]}
    )
    assert fresh.status_code == 200, fresh.text
