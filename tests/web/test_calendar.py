"""The calendar feed behind a user's webcal links, parsed as calendar apps would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from tests.dialects.skyprep.test_ilt import new_training
from tests.dialects.skyprep.test_users import NEW_YORK, api, make_zoned_program, new_user, ok
from tests.http_client import Program, make_program


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


def feed_path(link: str) -> str:
    """The path and query of a webcal(s) link, as a calendar app fetches it over http(s)."""
    parts = urlsplit(link)
    assert parts.scheme in ("webcal", "webcals")
    return f"{parts.path}?{parts.query}"


def timeslot(client: TestClient, program: Program, training: int, **params: Any) -> int:
    answer = ok(
        api(
            client,
            program,
            "create_instructor_led_training_timeslot",
            instructor_led_training_id=training,
            **params,
        )
    )
    slot_id: int = answer["id"]
    return slot_id


def register(client: TestClient, program: Program, slot: int, **params: Any) -> Any:
    return ok(
        api(
            client,
            program,
            "create_instructor_led_training_timeslot_registrations",
            instructor_led_training_timeslot_id=slot,
            **params,
        )
    )


def test_the_webcal_link_serves_the_users_sessions_as_icalendar(
    client: TestClient, program: Program
) -> None:
    avery = new_user(client, program, "avery@example.com", first_name="Avery")
    other = new_user(client, program, "other@example.com")
    training = new_training(client, program, name="Onboarding Workshop")
    seat = timeslot(
        client,
        program,
        training,
        name="Onboarding, day 1",
        location="Training Room A",
        instructor="Pat Instructor",
        description="Bring a laptop.",
        display_timezone="Eastern Time (US & Canada)",
        commencement_time="2026-05-10T09:00:00",
        end_time="2026-05-10T11:00:00",
        capacity=1,
    )
    full = timeslot(client, program, training, commencement_time="2026-06-01T13:00:00Z", capacity=1)
    dropped = timeslot(client, program, training, commencement_time="2026-07-01T13:00:00Z")
    undated = timeslot(client, program, training)
    register(client, program, full, user_id=other["id"])
    register(client, program, seat, user_id=avery["id"])
    register(client, program, full, user_id=avery["id"])  # waitlisted
    register(client, program, undated, user_id=avery["id"])
    cancelled = register(client, program, dropped, user_id=avery["id"])
    ok(
        api(
            client,
            program,
            "update_instructor_led_training_timeslot_registration",
            instructor_led_training_timeslot_registration_id=cancelled["id"],
            status="cancelled",
        )
    )

    user = ok(api(client, program, "get_user", user_id=avery["id"]))
    for link in (user["webcal_link"], user["webcal_secure_link"]):
        response = client.get(feed_path(link))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/calendar")
        calendar = Calendar.from_ical(response.content)
        assert "Avery" in str(calendar["X-WR-CALNAME"])
        events = calendar.walk("VEVENT")
        assert [str(e["SUMMARY"]) for e in events] == [
            "Onboarding, day 1",
            "Onboarding Workshop (waitlisted)",
        ]
        first, second = events
        assert first.decoded("DTSTART") == datetime(2026, 5, 10, 13, tzinfo=UTC)
        assert first.decoded("DTEND") == datetime(2026, 5, 10, 15, tzinfo=UTC)
        assert str(first["LOCATION"]) == "Training Room A"
        assert "Pat Instructor" in str(first["DESCRIPTION"])
        assert str(first["STATUS"]) == "CONFIRMED"
        assert str(second["STATUS"]) == "TENTATIVE"
        assert f"ilt-timeslot-{seat}-user-{avery['id']}@" in str(first["UID"])
        assert "DTEND" not in second


def test_a_wrong_key_another_users_key_or_a_deactivated_user_get_404(
    client: TestClient, program: Program
) -> None:
    avery = new_user(client, program, "avery@example.com")
    blake = new_user(client, program, "blake@example.com")
    elsewhere = make_program(client, "other.skyprepapp.com")
    stranger = new_user(client, elsewhere, "stranger@example.com")
    avery_query = urlsplit(avery["webcal_link"]).query
    blake_key = urlsplit(blake["webcal_link"]).query.split("calendar_key=")[1]
    stranger_key = urlsplit(stranger["webcal_link"]).query.split("calendar_key=")[1]
    assert client.get(f"/public_api/calendar/?{avery_query}").status_code == 200
    for user_id, key in (
        (avery["id"], blake_key),
        (avery["id"], stranger_key),
        (avery["id"], "x" * 500),
        (999_999, blake_key),
    ):
        response = client.get(
            "/public_api/calendar", params={"user_id": user_id, "calendar_key": key}
        )
        assert response.status_code == 404, (user_id, key)
        assert b"BEGIN:VCALENDAR" not in response.content
    ok(api(client, program, "update_user", user_id=avery["id"], login_status="inactive"))
    assert client.get(f"/public_api/calendar/?{avery_query}").status_code == 404


def test_missing_or_malformed_parameters_are_400_naming_the_field(client: TestClient) -> None:
    for query, field in (
        ("", "user_id"),
        ("user_id=abc&calendar_key=k", "user_id"),
        ("user_id=-1&calendar_key=k", "user_id"),
        ("user_id=5", "calendar_key"),
    ):
        response = client.get(f"/public_api/calendar/?{query}")
        assert response.status_code == 400, query
        assert response.json()["field"] == field


def test_names_and_sessions_with_line_breaks_are_escaped_in_the_feed(
    client: TestClient, program: Program
) -> None:
    avery = new_user(client, program, "avery@example.com", first_name="Avery", last_name="B")
    ok(api(client, program, "update_user", user_id=avery["id"], last_name="Line\nBreak\rHere"))
    training = new_training(client, program, name="Onboarding")
    slot = timeslot(
        client,
        program,
        training,
        name="Day\r1",
        location="Room\nA",
        commencement_time="2026-05-10T09:00:00Z",
    )
    register(client, program, slot, user_id=avery["id"])

    user = ok(api(client, program, "get_user", user_id=avery["id"]))
    response = client.get(feed_path(user["webcal_link"]))
    assert response.status_code == 200, response.text
    lines = response.content.split(b"\r\n")
    assert all(b"\r" not in line and b"\n" not in line for line in lines)  # no raw breaks
    calendar = Calendar.from_ical(response.content)
    assert "Avery" in str(calendar["X-WR-CALNAME"])
    assert "Line" in str(calendar["X-WR-CALNAME"])
    (event,) = calendar.walk("VEVENT")
    assert str(event["LOCATION"]) == "Room\nA"
