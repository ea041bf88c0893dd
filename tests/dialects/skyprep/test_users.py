"""The SkyPrep users actions over HTTP: get_users, get_user, create_user, update_user,
destroy_user. Shapes are checked key by key against the spec's samples (spec_samples.py)."""

from __future__ import annotations

import hashlib
import itertools
import re
import xml.etree.ElementTree as ET
import zoneinfo
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.db.session import unit_of_work
from syllabus.dialects.skyprep import users as skyprep_users
from syllabus.domain.events import Event
from syllabus.queries.users import UserRow, get_user
from syllabus.services.credentials import issue_credential
from syllabus.services.tenants import NewTenant, create_tenant
from tests.dialects.skyprep.spec_samples import USER
from tests.http_client import Program, make_program
from tests.hypothesis_profiles import examples

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}([+-]\d\d:\d\d|Z)$")
TIMESTAMP_KEYS = ("created_at", "updated_at", "last_login")
MAY_BE_NULL = {
    # Keys the spec shows with a value that a real user may not have (yet).
    "last_course_id",
    "last_login",
    "title",
    "company",
    "country",
    "state",
    "city",
    "zip",
    "user_identifier",
    "ca_0",
}
FULL_PROFILE = {
    "title": "Detective",
    "company": "Miami Metro",
    "country": "US",
    "state": "FL",
    "city": "Miami",
    "zip": "33101",
    "user_identifier": "EMP-158",
    "ca_0": "Alias: Bay Harbour Butcher",
}


def make_zoned_program(client: TestClient, acct_key: str, time_zone: str) -> Program:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=None) as session:
        tenant = create_tenant(
            session,
            data=NewTenant(acct_key=acct_key, time_zone=time_zone),
            actor="test",
            surface=Surface.CLI,
        )
        ctx = Context(tenant.id, "test", Surface.CLI)
        api_key = issue_credential(session, ctx, kind=CredentialKind.API_KEY).secret
    return Program(tenant.id, acct_key, api_key, "")


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


@pytest.fixture
def other(client: TestClient) -> Program:
    return make_program(client, "other.skyprepapp.com")


def api(
    client: TestClient, program: Program, action: str, method: str = "POST", **params: Any
) -> httpx.Response:
    """An action called with a JSON body, keys included, as most clients do."""
    body = {"api_key": program.api_key, "acct_key": program.acct_key, **params}
    return client.request(method, f"/admin/api/{action}", json=body)


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def fails(response: httpx.Response, status: int, field: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"message", "field"}
    assert body["field"] == field, body


def parse_xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314  (our own server's answer)


def new_user(client: TestClient, program: Program, email: str, **params: Any) -> dict[str, Any]:
    user: dict[str, Any] = ok(api(client, program, "create_user", email=email, **params))
    return user


def stored(client: TestClient, program: Program, user_id: int) -> UserRow | None:
    """The user as the query layer sees it after the request's transaction."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id, read_only=True) as session:
        return get_user(session, Context(program.tenant_id, "test", Surface.CLI), user_id)


def events(client: TestClient, program: Program, event_type: str) -> list[Event]:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        return list(
            session.scalars(
                select(Event)
                .where(Event.tenant_id == program.tenant_id, Event.type == event_type)
                .order_by(Event.id)
            )
        )


def assert_user_shape(user: dict[str, Any], *, may_be_null: set[str] = MAY_BE_NULL) -> None:
    """The spec sample's keys, in its order, each with the sample's JSON type."""
    assert list(user) == list(USER)
    for key, sample in USER.items():
        value = user[key]
        if sample is None:  # the spec shows null: any scalar (or null) will do
            assert value is None or type(value) in (str, int), key
        elif value is None:
            assert key in may_be_null, key
        else:
            assert type(value) is type(sample), (key, value)
    for key in TIMESTAMP_KEYS:
        assert user[key] is None or TIMESTAMP.match(user[key]), (key, user[key])
    assert "password" not in str(user).lower()


# --- get_users ------------------------------------------------------------------------------


def test_get_users_answers_every_user_in_the_samples_shape(
    client: TestClient, program: Program
) -> None:
    learner = new_user(client, program, "avery@example.com", first_name="Avery", **FULL_PROFILE)
    manager = new_user(client, program, "jordan@example.com", role="manager")
    users = ok(api(client, program, "get_users"))
    assert [u["id"] for u in users] == [learner["id"], manager["id"]]
    assert_user_shape(users[0], may_be_null={"last_course_id", "last_login"})
    assert_user_shape(users[1])
    assert (users[1]["role"], users[1]["manager"], users[1]["admin"]) == ("manager", True, False)
    assert users[0] == learner


def test_get_users_of_an_empty_program_is_an_empty_array(
    client: TestClient, program: Program
) -> None:
    response = api(client, program, "get_users")
    assert response.content == b"[]"
    assert response.headers["content-type"].startswith("application/json")


def test_get_users_streams_every_user_across_pages_in_id_order(
    client: TestClient, program: Program, other: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(skyprep_users, "STREAM_PAGE", 2)
    ids = [new_user(client, program, f"u{i}@example.com")["id"] for i in range(5)]
    new_user(client, other, "elsewhere@example.com")
    assert [u["id"] for u in ok(api(client, program, "get_users"))] == ids
    root = parse_xml(api(client, program, "get_users", format="xml").content)
    assert (root.tag, root.get("type")) == ("users", "array")
    assert [int(u.findtext("id") or 0) for u in root] == ids


def test_get_users_answers_numbered_pages(client: TestClient, program: Program) -> None:
    ids = [new_user(client, program, f"p{i}@example.com")["id"] for i in range(5)]
    pages = [
        [u["id"] for u in ok(api(client, program, "get_users", page=page, per_page="2"))]
        for page in (1, "2", 3, 4)
    ]
    assert pages == [ids[0:2], ids[2:4], ids[4:], []]
    assert len(ok(api(client, program, "get_users", page=1))) == 5  # per_page defaults to 100
    fails(api(client, program, "get_users", page=0), 400, "page")
    fails(api(client, program, "get_users", per_page="ten"), 400, "per_page")


# --- get_user -------------------------------------------------------------------------------


def test_get_user_by_id_in_either_form_and_by_email_in_any_case(
    client: TestClient, program: Program
) -> None:
    created = new_user(client, program, "Avery.Learner@Example.com", first_name="Avery")
    user_id = created["id"]
    lookups = [
        {"user_id": user_id},
        {"user_id": str(user_id)},
        {"user_id": f" {user_id} "},
        {"user_id": float(user_id)},
        {"user_email": "avery.learner@example.com"},
        {"user_email": "AVERY.LEARNER@EXAMPLE.COM"},
        {"user_id": "", "user_email": "Avery.Learner@example.com"},
    ]
    for lookup in lookups:
        user = ok(api(client, program, "get_user", **lookup))
        assert user == created, lookup
    assert_user_shape(created)
    headers = {"X-SkyPrep-API-Key": program.api_key, "X-SkyPrep-Acct-Key": program.acct_key}
    response = client.get("/admin/api/get_user", params={"user_id": user_id}, headers=headers)
    assert ok(response) == created
    assert response.headers["deprecation"] == "true"


def test_get_user_needs_an_id_or_an_email(client: TestClient, program: Program) -> None:
    fails(api(client, program, "get_user"), 400, "user_id")
    fails(api(client, program, "get_user", user_id="", user_email="  "), 400, "user_id")
    fails(api(client, program, "get_user", user_id="abc"), 400, "user_id")
    fails(api(client, program, "get_user", user_id=-3), 400, "user_id")
    fails(api(client, program, "get_user", user_id=True), 400, "user_id")
    fails(api(client, program, "get_user", user_id=[1, 2]), 400, "user_id")


def test_unknown_and_other_programs_users_are_404(
    client: TestClient, program: Program, other: Program
) -> None:
    theirs = new_user(client, other, "theirs@example.com")
    mine = new_user(client, program, "mine@example.com")
    for action in ("get_user", "update_user", "destroy_user"):
        fails(api(client, program, action, user_id=theirs["id"]), 404, "user_id")
        fails(api(client, program, action, user_email="theirs@example.com"), 404, "user_email")
        fails(api(client, program, action, user_id=10**12), 404, "user_id")
        fails(api(client, program, action, user_id="9" * 25), 404, "user_id")
    assert ok(api(client, other, "get_user", user_id=theirs["id"]))["email"] == "theirs@example.com"
    assert ok(api(client, program, "get_user", user_id=mine["id"]))["id"] == mine["id"]


# --- create_user ----------------------------------------------------------------------------


def test_create_user_with_the_specs_sample_parameters(client: TestClient, program: Program) -> None:
    params = {
        "email": "james.doakes@example.com",
        "first_name": "James",
        "last_name": "Doakes",
        "role": "manager",
        "title": "Detective",
        "cell": "818-333-3333",
        "work_phone": "818-444-4444",
        "address ": "10 Dexter Drive Miami FL",  # sic: the spec's sample key has a space
        "card_no": "Badge No. 158-612",
        "ca_0": "Alias: Bay Harbour Butcher",
    }
    user = ok(api(client, program, "create_user", **params))
    assert_user_shape(user)
    expected = {
        "name_with_username": "James Doakes - james.doakes@example.com",
        "display_name": "James Doakes",
        "name": "James Doakes",
        "initials": "JD",
        "model_type": "user",
        "username": "james.doakes@example.com",
        "role": "manager",
        "manager": True,
        "admin": False,
        "login_status": "active",
        "time_zone": "Eastern Time (US & Canada)",
        "address": "10 Dexter Drive Miami FL",
        "title": "Detective",
        "cell": "818-333-3333",
        "work_phone": "818-444-4444",
        "ca_0": "Alias: Bay Harbour Butcher",
        "notification_email": "james.doakes@example.com",
        "picture_url": "",
    }
    assert {key: user[key] for key in expected} == expected
    assert user["user_id"] == user["id"]
    digest = hashlib.md5(b"james.doakes@example.com").hexdigest()  # noqa: S324
    assert user["gravatar_url"] == f"https://www.gravatar.com/avatar/{digest}"

    row = stored(client, program, user["id"])
    assert row is not None
    assert (row.card_no, row.address, row.is_active) == (
        "Badge No. 158-612",
        params["address "],
        True,
    )
    calendar = f"example.skyprepapp.com/public_api/calendar/?user_id={row.id}"
    assert user["webcal_link"] == f"webcal://{calendar}&calendar_key={row.calendar_key}"
    assert user["webcal_secure_link"] == f"webcals://{calendar}&calendar_key={row.calendar_key}"
    assert user["view_key"] == row.view_key
    registered = events(client, program, "user.registered")
    assert [e.data["user_id"] for e in registered] == [user["id"]]
    assert (registered[0].surface, registered[0].data["role"]) == ("skyprep", "manager")


def test_timestamps_are_in_the_programs_zone_with_milliseconds(
    client: TestClient, program: Program
) -> None:
    user = new_user(client, program, "clock@example.com")
    row = stored(client, program, user["id"])
    assert row is not None
    created = datetime.fromisoformat(user["created_at"])
    assert created.utcoffset() == row.created_at.astimezone(NEW_YORK).utcoffset()
    assert abs((created - row.created_at).total_seconds()) < 0.001
    assert user["created_at"][-6:] in ("-04:00", "-05:00")


def test_a_utc_program_writes_z_as_rails_does(client: TestClient, other: Program) -> None:
    user = new_user(client, other, "utc@example.com")
    assert user["created_at"].endswith("Z")
    assert TIMESTAMP.match(user["created_at"])
    assert user["time_zone"] == "UTC"


def test_create_user_reads_loose_inputs(client: TestClient, program: Program) -> None:
    user = new_user(
        client,
        program,
        "loose@example.com",
        email_notifications="0",
        sms_notifications="true",
        global_content_manager=1,
        full_permissions_for_courses_i_created=False,
        access_start_date="July 31, 2015",
        access_end_date="2017-07-30",
        password_expiration_date="19 July 2022",
        date_of_birth="2000-02-29T00:00:00Z",
        time_zone="pacific time (us & canada)",
        zip=10001,
        role="Admin",
        **{f"ca_{i}": f"value {i}" for i in range(11)},
    )
    assert (user["email_notifications"], user["sms_notifications"]) == (False, True)
    assert (user["global_content_manager"], user["full_permissions_for_courses_i_created"]) == (
        True,
        False,
    )
    assert (user["access_start_date"], user["access_end_date"]) == ("2015-07-31", "2017-07-30")
    assert user["date_of_birth"] == "2000-02-29"
    assert (user["time_zone"], user["zip"], user["role"], user["admin"]) == (
        "Pacific Time (US & Canada)",
        "10001",
        "admin",
        True,
    )
    assert [user[f"ca_{i}"] for i in range(11)] == [f"value {i}" for i in range(11)]
    row = stored(client, program, user["id"])
    assert row is not None
    assert (row.time_zone, row.password_expiration_date) == (
        "America/Los_Angeles",
        date(2022, 7, 19),
    )


def test_create_user_takes_form_bodies_and_query_strings(
    client: TestClient, program: Program
) -> None:
    keys = {"api_key": program.api_key, "acct_key": program.acct_key}
    form = client.post(
        "/admin/api/create_user",
        data={**keys, "email": "form@example.com", "sms_notifications": "1", "_": "1712"},
    )
    assert ok(form)["sms_notifications"] is True
    query = client.post(
        "/admin/api/create_user/", params={**keys, "email": "query@example.com", "cachebust": "x"}
    )
    assert ok(query)["email"] == "query@example.com"
    get = client.get("/admin/api/create_user", params={**keys, "email": "get@example.com"})
    assert ok(get)["email"] == "get@example.com"
    assert get.headers["deprecation"] == "true"


def test_create_user_inactive_with_login_status(client: TestClient, program: Program) -> None:
    user = new_user(client, program, "asleep@example.com", login_status="inactive")
    assert user["login_status"] == "inactive"


def test_a_duplicate_email_is_409_in_any_case(client: TestClient, program: Program) -> None:
    new_user(client, program, "taken@example.com")
    fails(api(client, program, "create_user", email="TAKEN@example.com"), 409, "email")
    assert len(events(client, program, "user.registered")) == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": ["a@example.com", "b@example.com"]}, "email"),
        ({"role": "boss"}, "role"),
        ({"email_notifications": "maybe"}, "email_notifications"),
        ({"sms_notifications": "sometimes"}, "sms_notifications"),
        ({"access_start_date": "not a date"}, "access_start_date"),
        ({"access_start_date": "February 30, 2015"}, "access_start_date"),
        ({"access_start_date": 20150731}, "access_start_date"),
        ({"access_start_date": "2017-01-01", "access_end_date": "2016-01-01"}, "access_end_date"),
        ({"date_of_birth": "Smarch 3, 2001"}, "date_of_birth"),
        ({"first_name": {"given": "James"}}, "first_name"),
        ({"first_name": "x" * 101}, "first_name"),
        ({"last_name": "nul\x00byte"}, "last_name"),
        ({"login_status": "disabled"}, "login_status"),
        ({"notification_email": "nope"}, "notification_email"),
        ({"format": "yaml"}, "format"),
    ],
)
def test_bad_create_user_input_is_400_naming_the_field(
    client: TestClient, program: Program, params: dict[str, Any], field: str
) -> None:
    body = {"email": "new@example.com", **params} if field != "email" else params
    fails(api(client, program, "create_user", **body), 400, field)
    assert events(client, program, "user.registered") == []


# --- update_user ----------------------------------------------------------------------------


def test_update_user_with_the_specs_sample_parameters(client: TestClient, program: Program) -> None:
    created = new_user(client, program, "james@example.com", first_name="Jim", company="Miami PD")
    answer = ok(
        api(
            client,
            program,
            "update_user",
            user_email="JAMES@example.com",
            first_name="James",
            last_name="Doakes",
            role="admin",
            title="Detective",
            cell="818-333-3333",
            work_phone="818-444-4444",
            card_no="Badge No. 158-612",
            ca_0="Alias: Bay Harbour Butcher",
            access_start_date="July 31, 2015",
            access_end_date="July 30, 2017",
            password_expiration_date="July 19, 2022",
            **{"address ": "10 Dexter Drive Miami FL"},
        )
    )
    assert list(answer) == ["message", "user"]
    assert answer["message"] == "success"
    user = answer["user"]
    assert_user_shape(user)
    assert (user["id"], user["name"], user["role"], user["admin"]) == (
        created["id"],
        "James Doakes",
        "admin",
        True,
    )
    assert (user["access_start_date"], user["access_end_date"]) == ("2015-07-31", "2017-07-30")
    assert user["company"] == "Miami PD"  # not given, not changed
    assert user["created_at"] == created["created_at"]
    row = stored(client, program, created["id"])
    assert row is not None
    assert (row.card_no, row.password_expiration_date) == ("Badge No. 158-612", date(2022, 7, 19))
    assert ok(api(client, program, "get_user", user_id=created["id"])) == user
    [updated] = events(client, program, "user.updated")
    assert "card_no" in updated.data["changed"]
    assert "company" not in updated.data["changed"]


def test_update_user_by_id_changes_the_email(client: TestClient, program: Program) -> None:
    created = new_user(client, program, "old@example.com")
    new_user(client, program, "someone@example.com")
    user = ok(
        api(client, program, "update_user", user_id=str(created["id"]), email="new@example.com")
    )
    assert (user["user"]["email"], user["user"]["username"]) == (
        "new@example.com",
        "new@example.com",
    )
    fails(api(client, program, "get_user", user_email="old@example.com"), 404, "user_email")
    fails(
        api(client, program, "update_user", user_id=created["id"], email="SOMEONE@example.com"),
        409,
        "email",
    )


def test_update_user_with_nothing_to_change_records_nothing(
    client: TestClient, program: Program
) -> None:
    created = new_user(client, program, "same@example.com", first_name="Same")
    answer = ok(api(client, program, "update_user", user_id=created["id"], first_name="Same"))
    assert answer["user"] == created
    assert events(client, program, "user.updated") == []


def test_update_user_clears_with_null_and_a_blank_is_absent(
    client: TestClient, program: Program
) -> None:
    created = new_user(
        client, program, "clear@example.com", title="Boss", access_end_date="2030-01-01"
    )
    user = ok(
        api(client, program, "update_user", user_id=created["id"], title="", access_end_date="")
    )["user"]
    assert (user["title"], user["access_end_date"]) == ("Boss", created["access_end_date"])
    user = ok(
        api(client, program, "update_user", user_id=created["id"], title=None, access_end_date=None)
    )["user"]
    assert (user["title"], user["access_end_date"]) == (None, None)


def test_login_status_deactivates_and_reactivates(client: TestClient, program: Program) -> None:
    created = new_user(client, program, "sleepy@example.com")
    off = ok(api(client, program, "update_user", user_id=created["id"], login_status="inactive"))
    assert off["user"]["login_status"] == "inactive"
    on = ok(
        api(client, program, "update_user", user_email="sleepy@example.com", login_status="Active")
    )
    assert on["user"]["login_status"] == "active"
    assert [e.data["user_id"] for e in events(client, program, "user.deactivated")] == [
        created["id"]
    ]
    assert [e.data["user_id"] for e in events(client, program, "user.reactivated")] == [
        created["id"]
    ]


def test_update_user_needs_an_id_or_an_email_and_valid_fields(
    client: TestClient, program: Program
) -> None:
    created = new_user(client, program, "valid@example.com")
    fails(api(client, program, "update_user", first_name="Nobody"), 400, "user_id")
    fails(api(client, program, "update_user", user_id=created["id"], role="king"), 400, "role")
    ok(api(client, program, "update_user", user_id=created["id"], access_start_date="2020-01-01"))
    fails(
        api(client, program, "update_user", user_id=created["id"], access_end_date="1999-01-01"),
        400,
        "access_end_date",
    )
    fails(
        api(client, program, "update_user", user_id=created["id"], email_notifications="sure"),
        400,
        "email_notifications",
    )
    assert ok(api(client, program, "get_user", user_id=created["id"]))["role"] == "learner"


# --- destroy_user ---------------------------------------------------------------------------


def test_destroy_user_deletes_by_email_or_id(client: TestClient, program: Program) -> None:
    first = new_user(client, program, "gone@example.com")
    second = new_user(client, program, "also.gone@example.com")
    assert ok(api(client, program, "destroy_user", user_email="Gone@Example.com")) == {
        "message": "success"
    }
    assert ok(api(client, program, "destroy_user", user_id=str(second["id"]))) == {
        "message": "success"
    }
    for user in (first, second):
        fails(api(client, program, "get_user", user_id=user["id"]), 404, "user_id")
        assert stored(client, program, user["id"]) is None
    deleted = events(client, program, "user.deleted")
    assert [e.data["user_id"] for e in deleted] == [first["id"], second["id"]]
    fails(api(client, program, "destroy_user", user_id=first["id"]), 404, "user_id")
    fails(api(client, program, "destroy_user"), 400, "user_id")


# --- format=xml -----------------------------------------------------------------------------


def from_xml(element: ET.Element) -> Any:
    """Rails' typed XML back to JSON values (datetimes as datetimes)."""
    if element.get("nil") == "true":
        return None
    kind = element.get("type")
    if kind == "array":
        return [from_xml(child) for child in element]
    if len(element):
        return {child.tag.replace("-", "_"): from_xml(child) for child in element}
    text = element.text or ""
    if kind == "integer":
        return int(text)
    if kind == "boolean":
        assert text in ("true", "false")
        return text == "true"
    if kind == "dateTime":
        return datetime.fromisoformat(text)
    return text


def same_data(from_json: dict[str, Any], parsed_xml: dict[str, Any]) -> None:
    assert list(parsed_xml) == list(from_json)
    for key, value in from_json.items():
        if key in TIMESTAMP_KEYS and value is not None:
            # XML writes xmlschema without fractions, as Rails does.
            assert parsed_xml[key] == datetime.fromisoformat(value).replace(microsecond=0), key
        else:
            assert parsed_xml[key] == value, key


def test_xml_is_the_same_data_rails_style(client: TestClient, program: Program) -> None:
    user = new_user(client, program, "x&ml@example.com", first_name="<Ada>", ca_3="a\r\nb")
    response = api(client, program, "get_user", user_id=user["id"], format="XML")
    assert response.headers["content-type"].startswith("application/xml")
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = parse_xml(response.content)
    assert root.tag == "user"
    assert root.find("id").get("type") == "integer"  # type: ignore[union-attr]
    assert root.find("admin").get("type") == "boolean"  # type: ignore[union-attr]
    assert root.find("created-at").get("type") == "dateTime"  # type: ignore[union-attr]
    assert root.find("title").get("nil") == "true"  # type: ignore[union-attr]
    same_data(user, from_xml(root))

    users = parse_xml(api(client, program, "get_users", format="xml").content)
    assert (users.tag, users.get("type"), [u.tag for u in users]) == ("users", "array", ["user"])
    same_data(user, from_xml(users)[0])

    created = parse_xml(api(client, program, "create_user", email="b@x.io", format="xml").content)
    assert created.tag == "user"
    updated = parse_xml(
        api(client, program, "update_user", user_id=user["id"], format="xml").content
    )
    assert updated.tag == "hash"
    assert updated.findtext("message") == "success"
    same_data(user, from_xml(updated)["user"])
    destroyed = parse_xml(
        api(client, program, "destroy_user", user_id=user["id"], format="xml").content
    )
    assert from_xml(destroyed) == {"message": "success"}


def test_xml_errors_are_xml_too(client: TestClient, program: Program) -> None:
    response = api(client, program, "get_user", user_id=999_999, format="xml")
    assert response.status_code == 404
    root = parse_xml(response.content)
    assert (root.tag, root.findtext("field")) == ("hash", "user_id")
    empty = parse_xml(api(client, program, "get_users", format="xml").content)
    assert (empty.tag, empty.get("type"), len(empty)) == ("users", "array", 0)


# --- Random input never breaks the server ---------------------------------------------------

FIELDS = {
    "get_user": ("user_id", "user_email"),
    "get_users": ("page", "per_page"),
    "create_user": (
        "email",
        "first_name",
        "role",
        "email_notifications",
        "access_start_date",
        "date_of_birth",
        "time_zone",
        "login_status",
        "ca_10",
    ),
    "update_user": ("user_id", "email", "last_name", "sms_notifications", "access_end_date"),
    "destroy_user": ("user_id", "user_email"),
}
_emails = itertools.count()
VALUES = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789-/:TZ ,.JulyFeb", max_size=25),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.text(max_size=5), max_size=3),
)


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_values_are_answered_never_a_500(
    client: TestClient, program: Program, data: st.DataObject
) -> None:
    action = data.draw(st.sampled_from(sorted(FIELDS)))
    field = data.draw(st.sampled_from(FIELDS[action]))
    value = data.draw(VALUES)
    as_form = data.draw(st.booleans())
    as_xml = data.draw(st.booleans())
    params: dict[str, Any] = {"api_key": program.api_key, "acct_key": program.acct_key}
    if action == "create_user" and field != "email":
        params["email"] = f"random{next(_emails)}@example.com"
    if action == "update_user" and field != "user_id":
        params["user_email"] = "anchor@example.com"
    params[field] = value
    if as_xml:
        params["format"] = "xml"
    if not _has_anchor(client, program):
        new_user(client, program, "anchor@example.com")
    url = f"/admin/api/{action}"
    if as_form:
        form = {
            k: v if isinstance(v, list) else "" if v is None else str(v) for k, v in params.items()
        }
        response = client.post(url, data=form)
    else:
        response = client.post(url, json=params)
    assert response.status_code in (200, 400, 404, 409), response.text
    body = parse_xml(response.content) if as_xml else response.json()
    if response.status_code != 200:
        got = body.findtext("field") if as_xml else body["field"]
        assert got in (field, "user_id" if field == "user_email" else field), (got, field)


def _has_anchor(client: TestClient, program: Program) -> bool:
    response = api(client, program, "get_user", user_email="anchor@example.com")
    return response.status_code == 200
