"""The SkyPrep instructor-led training actions over HTTP, on both databases: trainings,
timeslots (with date ranges) and registrations, against the spec's samples."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.dialects.skyprep import ilt as skyprep_ilt
from syllabus.queries import ilt as ilt_queries
from tests.dialects.skyprep.ilt_samples import REGISTRATION, TIMESLOT, TRAINING
from tests.dialects.skyprep.test_courses import arrange
from tests.dialects.skyprep.test_users import (
    NEW_YORK,
    VALUES,
    api,
    events,
    fails,
    make_zoned_program,
    new_user,
    ok,
    parse_xml,
)
from tests.factories import make_timeslot, make_training
from tests.http_client import Program, make_program
from tests.hypothesis_profiles import examples

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}([+-]\d\d:\d\d|Z)$")
NULLABLE = {"capacity", "primary_instructor_user_id", "commencement_time", "end_time"}
NULLABLE |= {"course_progress_id", "instructor_led_training_timeslots"}


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


@pytest.fixture
def other(client: TestClient) -> Program:
    return make_program(client, "other.skyprepapp.com")


def assert_shape(answer: dict[str, Any], sample: dict[str, Any]) -> None:
    """The sample's keys in its order, each value of the sample's JSON type (or null)."""
    assert list(answer) == list(sample)
    for key, expected in sample.items():
        value = answer[key]
        if value is None and (key in NULLABLE or expected is None):
            continue
        if expected is None:
            assert isinstance(value, int | str), key
        elif isinstance(expected, dict):
            assert_shape(value, expected)
        else:
            assert type(value) is type(expected), (key, value)
            if isinstance(expected, str) and TIMESTAMP.match(expected):
                assert TIMESTAMP.match(value), (key, value)


def new_training(client: TestClient, program: Program, **fields: Any) -> int:
    def make(session: Session, ctx: Context) -> int:
        return make_training(session, ctx, **fields).id

    return arrange(client, program, make)


def new_timeslot(client: TestClient, program: Program, training_id: int, **params: Any) -> Any:
    return ok(
        api(
            client,
            program,
            "create_instructor_led_training_timeslot",
            instructor_led_training_id=training_id,
            **params,
        )
    )


def new_progress(client: TestClient, program: Program, user_id: int, course_id: int) -> int:
    answer = ok(
        api(client, program, "create_course_progress", user_id=user_id, course_id=course_id)
    )
    return int(answer["id"])


def register(client: TestClient, program: Program, timeslot_id: int, **params: Any) -> Any:
    return api(
        client,
        program,
        "create_instructor_led_training_timeslot_registrations",
        instructor_led_training_timeslot_id=timeslot_id,
        **params,
    )


WORKSHOP = {
    "name": "Onboarding Workshop",
    "description": "Bring a laptop.",
    "location": "Training Room A",
    "capacity": 25,
    "display_timezone": "Eastern Time (US & Canada)",
    "commencement_time": "2026-05-10T09:00:00",
    "end_time": "2026-05-10T11:00:00",
    "instructor": "Pat Instructor",
    "session_type": "in-person",
}


# --- Trainings ------------------------------------------------------------------------------


def test_trainings_answer_in_the_samples_shape_with_their_next_timeslot(
    client: TestClient, program: Program
) -> None:
    onboarding = new_training(
        client, program, name="Onboarding Workshop", description="Live onboarding."
    )
    managers = new_training(client, program, name="Manager Workshop")
    past = new_timeslot(
        client,
        program,
        onboarding,
        commencement_time="2020-01-01T09:00:00Z",
        end_time="2020-01-01T10:00:00Z",
    )
    upcoming = new_timeslot(client, program, onboarding, **WORKSHOP)
    trainings = ok(api(client, program, "get_instructor_led_trainings", method="GET"))
    assert [t["id"] for t in trainings] == [onboarding, managers]
    assert_shape(trainings[0], TRAINING)
    assert trainings[0]["instructor_led_training_timeslots"] == upcoming
    assert past["id"] != upcoming["id"]
    assert trainings[1]["instructor_led_training_timeslots"] is None
    assert trainings[0]["metadata"] == []
    assert trainings[0]["created_at"].endswith(("-05:00", "-04:00"))
    one = ok(
        api(
            client,
            program,
            "get_instructor_led_training",
            instructor_led_training_id=str(onboarding),
        )
    )
    assert one == trainings[0]


def test_training_of_another_program_or_unknown_is_404(
    client: TestClient, program: Program, other: Program
) -> None:
    theirs = new_training(client, other)
    for training_id in (theirs, 999_999, 10**20):
        fails(
            api(
                client,
                program,
                "get_instructor_led_training",
                instructor_led_training_id=training_id,
            ),
            404,
            "instructor_led_training_id",
        )
    fails(api(client, program, "get_instructor_led_training"), 400, "instructor_led_training_id")
    assert ok(api(client, program, "get_instructor_led_trainings")) == []


# --- Timeslots ------------------------------------------------------------------------------


def test_create_timeslot_with_the_specs_sample_parameters(
    client: TestClient, program: Program
) -> None:
    training = new_training(client, program, name="Onboarding Workshop")
    created = new_timeslot(
        client,
        program,
        training,
        display_timezone="UTC",
        description="Some description",
        capacity="555",
    )
    assert_shape(created, TIMESLOT)
    assert created["capacity"] == 555
    assert created["display_timezone"] == "UTC"
    assert created["description"] == "Some description"
    assert created["name"] == "Onboarding Workshop"  # the training's, when none is given
    assert created["registration_count"] == 0
    fetched = ok(
        api(
            client,
            program,
            "get_instructor_led_training_timeslot",
            instructor_led_training_timeslot_id=str(created["id"]),
        )
    )
    assert fetched == created
    assert len(events(client, program, "ilt.timeslot_created")) == 1


def test_timeslot_times_are_read_and_shown_in_its_display_time_zone(
    client: TestClient, program: Program
) -> None:
    training = new_training(client, program)
    slot = new_timeslot(client, program, training, **WORKSHOP)
    assert_shape(slot, TIMESLOT)
    assert slot["commencement_time"] == "2026-05-10T09:00:00.000-04:00"
    assert slot["end_time"] == "2026-05-10T11:00:00.000-04:00"
    assert slot["display_timezone"] == "Eastern Time (US & Canada)"
    # Changing only the zone shows the same moment elsewhere; it moves nothing.
    moved = ok(
        api(
            client,
            program,
            "update_instructor_led_training_timeslot",
            instructor_led_training_timeslot_id=slot["id"],
            display_timezone="UTC",
            capacity="30",
        )
    )
    assert moved["commencement_time"] == "2026-05-10T13:00:00.000Z"
    assert moved["capacity"] == 30
    assert moved["location"] == "Training Room A"  # untouched
    xml = parse_xml(
        api(
            client,
            program,
            "get_instructor_led_training_timeslot",
            instructor_led_training_timeslot_id=slot["id"],
            format="xml",
        ).content
    )
    assert xml.tag == "instructor-led-training-timeslot"
    assert xml.findtext("capacity") == "30"


def test_timeslot_input_errors_name_the_field(client: TestClient, program: Program) -> None:
    training = new_training(client, program)
    action = "create_instructor_led_training_timeslot"
    base = {"instructor_led_training_id": training}
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "instructor_led_training_id"),
        ({**base, "capacity": "many"}, "capacity"),
        ({**base, "capacity": 0}, "capacity"),
        ({**base, "display_timezone": "Mars/Olympus"}, "display_timezone"),
        ({**base, "commencement_time": "next tuesday"}, "commencement_time"),
        ({**base, "end_time": "2026-13-01T00:00"}, "end_time"),
        (
            {
                **base,
                "commencement_time": "2026-05-10T11:00:00Z",
                "end_time": "2026-05-10T09:00:00Z",
            },
            "end_time",
        ),
        ({**base, "session_type": "telepathic"}, "session_type"),
        ({**base, "primary_instructor_user_id": "x"}, "primary_instructor_user_id"),
        ({**base, "name": ["a", "b"]}, "name"),
        ({**base, "description": "\x00"}, "description"),
    ]
    for params, field in cases:
        fails(api(client, program, action, **params), 400, field)
    fails(
        api(client, program, action, **base, primary_instructor_user_id=999_999),
        404,
        "primary_instructor_user_id",
    )
    assert ok(api(client, program, "get_instructor_led_training_timeslots")) == []


def test_timeslots_of_another_program_are_404_for_every_action(
    client: TestClient, program: Program, other: Program
) -> None:
    theirs = new_timeslot(client, other, new_training(client, other))["id"]
    new_training(client, program)
    for action in (
        "get_instructor_led_training_timeslot",
        "update_instructor_led_training_timeslot",
        "delete_instructor_led_training_timeslot",
        "get_instructor_led_training_timeslot_registrations",
    ):
        fails(
            api(client, program, action, instructor_led_training_timeslot_id=theirs),
            404,
            "instructor_led_training_timeslot_id",
        )
    me = new_user(client, program, "me@example.com")
    fails(
        register(client, program, theirs, user_id=me["id"]),
        404,
        "instructor_led_training_timeslot_id",
    )
    fails(
        api(
            client,
            program,
            "create_instructor_led_training_timeslot",
            instructor_led_training_id=new_training(client, other),
        ),
        404,
        "instructor_led_training_id",
    )


def test_timeslots_by_date_range_in_the_programs_days(
    client: TestClient, program: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ilt_queries, "PAGE", 2)
    training = new_training(client, program)
    other_training = new_training(client, program)
    starts = [
        "2020-01-01T04:59:00Z",  # Dec 31 in New York
        "2020-01-01T05:00:00Z",  # Jan 1 midnight in New York
        "2020-01-15T12:00:00Z",
        "2020-01-15T12:00:00Z",  # same start: the id breaks the tie
        "2020-02-01T23:00:00Z",  # Feb 1, 18:00 in New York: end_date is inclusive
        "2020-02-02T05:00:00Z",  # Feb 2 in New York: out
    ]
    ids = [new_timeslot(client, program, training, commencement_time=s)["id"] for s in starts]
    undated = new_timeslot(client, program, other_training)["id"]

    def listed(**params: Any) -> list[int]:
        answer = ok(api(client, program, "get_instructor_led_training_timeslots", **params))
        return [t["id"] for t in answer]

    assert listed(start_date="2020-01-01", end_date="2020-02-01") == ids[1:5]
    assert listed(start_date="January 15, 2020") == ids[2:6]
    assert listed(end_date="2020-01-01") == ids[0:2]
    assert listed() == [*ids, undated]
    assert listed(instructor_led_training_id=other_training) == [undated]
    assert listed(start_date="2021-01-01", end_date="2021-12-31") == []
    fails(
        api(
            client,
            program,
            "get_instructor_led_training_timeslots",
            start_date="2020-02-01",
            end_date="2020-01-01",
        ),
        400,
        "end_date",
    )
    fails(
        api(client, program, "get_instructor_led_training_timeslots", start_date="soon"),
        400,
        "start_date",
    )
    fails(
        api(
            client,
            program,
            "get_instructor_led_training_timeslots",
            instructor_led_training_id=999_999,
        ),
        404,
        "instructor_led_training_id",
    )


def test_delete_timeslot_removes_it_and_cancels_its_registrations(
    client: TestClient, program: Program
) -> None:
    slot = new_timeslot(client, program, new_training(client, program), capacity=1)
    users = [new_user(client, program, f"d{i}@example.com")["id"] for i in range(2)]
    ok(register(client, program, slot["id"], user_ids=users))
    action = "delete_instructor_led_training_timeslot"
    assert ok(api(client, program, action, instructor_led_training_timeslot_id=slot["id"])) == {
        "message": "success"
    }
    fails(
        api(client, program, action, instructor_led_training_timeslot_id=slot["id"]),
        404,
        "instructor_led_training_timeslot_id",
    )
    cancelled = events(client, program, "ilt.cancelled")
    assert sorted(e.data["user_id"] for e in cancelled) == users


# --- Registrations --------------------------------------------------------------------------


def test_registrations_with_the_specs_sample_parameters(
    client: TestClient, program: Program
) -> None:
    course = ok(api(client, program, "create_course", name="Onboarding"))["id"]
    slot = new_timeslot(
        client, program, new_training(client, program, course_id=course), **WORKSHOP
    )
    user = new_user(client, program, "avery@example.com")
    progress = new_progress(client, program, user["id"], course)
    created = ok(
        register(
            client,
            program,
            str(slot["id"]),
            user_id=str(user["id"]),
            course_progress_id=str(progress),
            course_id=str(course),
            status="attended",
        )
    )
    assert_shape(created, REGISTRATION)
    assert created["status"] == "attended"
    assert created["course_progress_id"] == progress
    assert created["user_id"] == user["id"]
    assert created["instructor_led_training_timeslot_id"] == slot["id"]

    listed = ok(
        api(
            client,
            program,
            "get_instructor_led_training_timeslot_registrations",
            method="GET",
            instructor_led_training_timeslot_id=slot["id"],
        )
    )
    assert listed == [created]
    updated = ok(
        api(
            client,
            program,
            "update_instructor_led_training_timeslot_registration",
            instructor_led_training_timeslot_registration_id=str(created["id"]),
            status="absent",
        )
    )
    assert_shape(updated, REGISTRATION)
    assert updated["status"] == "absent"
    again = ok(
        api(
            client,
            program,
            "get_instructor_led_training_timeslot",
            instructor_led_training_timeslot_id=slot["id"],
        )
    )
    assert again["registration_count"] == 1
    deleted = ok(
        api(
            client,
            program,
            "destroy_instructor_led_training_timeslot_registrations",
            instructor_led_training_timeslot_registration_ids=f"{created['id']}",
        )
    )
    assert deleted == {**updated}
    assert [e.data["user_id"] for e in events(client, program, "ilt.attended")] == [user["id"]]
    assert len(events(client, program, "ilt.absent")) == 1
    assert len(events(client, program, "ilt.cancelled")) == 1


def test_overflow_is_waitlisted_and_a_freed_seat_goes_to_the_first_in_line(
    client: TestClient, program: Program
) -> None:
    slot = new_timeslot(client, program, new_training(client, program), capacity=2)["id"]
    users = [new_user(client, program, f"w{i}@example.com")["id"] for i in range(4)]
    regs = ok(register(client, program, slot, user_ids=",".join(map(str, users))))
    assert [r["status"] for r in regs] == ["pending", "pending", "waitlisted", "waitlisted"]
    # Registering again changes nothing.
    assert ok(register(client, program, slot, user_id=users[0])) == regs[0]
    # A seat asked for outright when none is left is refused, naming the numbers.
    refused = register(client, program, slot, user_id=users[3], status="attended")
    fails(refused, 409, "status")
    assert "full" in refused.json()["message"]
    cancelled = ok(
        api(
            client,
            program,
            "update_instructor_led_training_timeslot_registration",
            instructor_led_training_timeslot_registration_id=regs[0]["id"],
            status="cancelled",
        )
    )
    assert cancelled["status"] == "cancelled"
    statuses = {
        r["user_id"]: r["status"]
        for r in ok(
            api(
                client,
                program,
                "get_instructor_led_training_timeslot_registrations",
                instructor_led_training_timeslot_id=slot,
            )
        )
    }
    assert statuses == {
        users[0]: "cancelled",
        users[1]: "pending",
        users[2]: "pending",
        users[3]: "waitlisted",
    }
    promoted = events(client, program, "ilt.registered")
    assert promoted[-1].data["user_id"] == users[2]
    assert promoted[-1].data["promoted_from_waitlist"] is True
    waiting = ok(
        api(
            client,
            program,
            "get_instructor_led_training_timeslot_registrations",
            instructor_led_training_timeslot_id=slot,
            status="waitlisted",
        )
    )
    assert [r["user_id"] for r in waiting] == [users[3]]
    # Deleting two seat holders promotes the last one in line; the capacity cannot drop
    # below the seats held.
    seat_ids = [r["id"] for r in regs[1:3]]
    gone = ok(
        api(
            client,
            program,
            "destroy_instructor_led_training_timeslot_registrations",
            instructor_led_training_timeslot_registration_ids=seat_ids,
        )
    )
    assert [r["id"] for r in gone] == seat_ids
    slot_now = ok(
        api(
            client,
            program,
            "get_instructor_led_training_timeslot",
            instructor_led_training_timeslot_id=slot,
        )
    )
    assert slot_now["registration_count"] == 1
    fails(
        api(
            client,
            program,
            "update_instructor_led_training_timeslot",
            instructor_led_training_timeslot_id=slot,
            capacity=0,
        ),
        400,
        "capacity",
    )


def test_capacity_cannot_drop_below_seats_held_and_raising_it_promotes(
    client: TestClient, program: Program
) -> None:
    slot = new_timeslot(client, program, new_training(client, program), capacity=1)["id"]
    users = [new_user(client, program, f"c{i}@example.com")["id"] for i in range(3)]
    ok(register(client, program, slot, user_ids=users))
    action = "update_instructor_led_training_timeslot"
    ok(api(client, program, action, instructor_led_training_timeslot_id=slot, capacity=3))
    listed = ok(
        api(
            client,
            program,
            "get_instructor_led_training_timeslot_registrations",
            instructor_led_training_timeslot_id=slot,
        )
    )
    assert [r["status"] for r in listed] == ["pending"] * 3
    refused = api(client, program, action, instructor_led_training_timeslot_id=slot, capacity=2)
    fails(refused, 400, "capacity")
    # A blank capacity is absent: nothing changes. Unlimited: a null capacity.
    same = ok(api(client, program, action, instructor_led_training_timeslot_id=slot, capacity=""))
    assert same["capacity"] == 3
    unlimited = ok(
        api(client, program, action, instructor_led_training_timeslot_id=slot, capacity=None)
    )
    assert unlimited["capacity"] is None


def test_bulk_registration_is_all_or_nothing_and_names_every_unknown_user(
    client: TestClient, program: Program, other: Program
) -> None:
    slot = new_timeslot(client, program, new_training(client, program), capacity=5)["id"]
    mine = new_user(client, program, "mine@example.com")["id"]
    theirs = new_user(client, other, "theirs@example.com")["id"]
    response = register(client, program, slot, user_ids=[mine, theirs, 999_999])
    fails(response, 404, "user_ids")
    assert str(theirs) in response.json()["message"]
    assert "999999" in response.json()["message"]
    assert (
        ok(
            api(
                client,
                program,
                "get_instructor_led_training_timeslot_registrations",
                instructor_led_training_timeslot_id=slot,
            )
        )
        == []
    )
    fails(register(client, program, slot, user_email="nobody@example.com"), 404, "user_email")
    by_email = ok(register(client, program, slot, user_email="MINE@example.com"))
    assert by_email["user_id"] == mine
    # Asking outright for more seats than are free refuses the whole call.
    users = [new_user(client, program, f"b{i}@example.com")["id"] for i in range(5)]
    fails(register(client, program, slot, user_ids=users, status="pending"), 409, "status")
    assert (
        len(
            ok(
                api(
                    client,
                    program,
                    "get_instructor_led_training_timeslot_registrations",
                    instructor_led_training_timeslot_id=slot,
                )
            )
        )
        == 1
    )


def test_registration_input_errors_name_the_field(
    client: TestClient, program: Program, other: Program
) -> None:
    slot = new_timeslot(client, program, new_training(client, program))["id"]
    user = new_user(client, program, "u@example.com")["id"]
    fails(register(client, program, slot), 400, "user_id")
    fails(register(client, program, slot, user_id="abc"), 400, "user_id")
    fails(register(client, program, slot, user_id=user, status="maybe"), 400, "status")
    fails(register(client, program, slot, user_id=user, status="cancelled"), 400, "status")
    fails(
        register(client, program, slot, user_id=user, course_progress_id="x"),
        400,
        "course_progress_id",
    )
    fails(register(client, program, slot, user_id=user, course_id=999_999), 404, "course_id")
    fails(
        api(client, program, "create_instructor_led_training_timeslot_registrations", user_id=user),
        400,
        "instructor_led_training_timeslot_id",
    )
    reg = ok(register(client, program, slot, user_id=user, status="registered"))
    assert reg["status"] == "pending"
    update = "update_instructor_led_training_timeslot_registration"
    fails(api(client, program, update), 400, "instructor_led_training_timeslot_registration_id")
    fails(
        api(client, program, update, instructor_led_training_timeslot_registration_id=reg["id"]),
        400,
        "status",
    )
    fails(
        api(
            client,
            program,
            update,
            instructor_led_training_timeslot_registration_id=reg["id"],
            status="gone",
        ),
        400,
        "status",
    )
    destroy = "destroy_instructor_led_training_timeslot_registrations"
    fails(api(client, program, destroy), 400, "instructor_led_training_timeslot_registration_id")
    fails(
        api(client, program, destroy, instructor_led_training_timeslot_registration_ids="1, x"),
        400,
        "instructor_led_training_timeslot_registration_ids",
    )
    # Another program's registration looks unknown, and nothing is deleted.
    their_slot = new_timeslot(client, other, new_training(client, other))["id"]
    theirs = ok(
        register(client, other, their_slot, user_id=new_user(client, other, "t@example.com")["id"])
    )
    response = api(
        client,
        program,
        destroy,
        instructor_led_training_timeslot_registration_ids=[reg["id"], theirs["id"]],
    )
    fails(response, 404, "instructor_led_training_timeslot_registration_ids")
    fails(
        api(
            client,
            program,
            update,
            instructor_led_training_timeslot_registration_id=theirs["id"],
            status="attended",
        ),
        404,
        "instructor_led_training_timeslot_registration_id",
    )
    assert (
        len(
            ok(
                api(
                    client,
                    program,
                    "get_instructor_led_training_timeslot_registrations",
                    instructor_led_training_timeslot_id=slot,
                )
            )
        )
        == 1
    )


def test_a_registrations_course_progress_is_the_users_own_in_the_trainings_course(
    client: TestClient, program: Program, other: Program
) -> None:
    course = ok(api(client, program, "create_course", name="Forklift"))["id"]
    elsewhere = ok(api(client, program, "create_course", name="Fire safety"))["id"]
    slot = new_timeslot(client, program, new_training(client, program, course_id=course))["id"]
    avery = new_user(client, program, "avery@example.com")["id"]
    blake = new_user(client, program, "blake@example.com")["id"]
    averys = new_progress(client, program, avery, course)
    blakes = new_progress(client, program, blake, course)
    other_course = new_progress(client, program, avery, elsewhere)
    their_course = ok(api(client, other, "create_course", name="Theirs"))["id"]
    theirs = new_progress(
        client, other, new_user(client, other, "t@example.com")["id"], their_course
    )
    field = "course_progress_id"
    fails(register(client, program, slot, user_id=avery, course_progress_id=blakes), 400, field)
    fails(
        register(client, program, slot, user_id=avery, course_progress_id=other_course), 400, field
    )
    fails(register(client, program, slot, user_id=avery, course_progress_id=theirs), 404, field)
    fails(
        register(client, program, slot, user_ids=f"{avery},{blake}", course_progress_id=averys),
        400,
        field,
    )
    reg = ok(register(client, program, slot, user_id=avery, course_progress_id=averys))
    assert reg["course_progress_id"] == averys
    update = "update_instructor_led_training_timeslot_registration"
    key = "instructor_led_training_timeslot_registration_id"
    fails(api(client, program, update, **{key: reg["id"], field: blakes}), 400, field)
    assert ok(api(client, program, update, **{key: reg["id"], field: averys}))[field] == averys

    # Deleting the user's progress record leaves the registration without one.
    ok(api(client, program, "destroy_course_progress", course_progress_id=averys))
    listed = api(
        client,
        program,
        "get_instructor_led_training_timeslot_registrations",
        instructor_led_training_timeslot_id=slot,
    )
    assert [(r["id"], r[field]) for r in ok(listed)] == [(reg["id"], None)]


def test_every_ilt_action_is_listed(client: TestClient, program: Program) -> None:
    names = set(ok(api(client, program, "available_api_calls")))
    assert {
        "get_instructor_led_trainings",
        "get_instructor_led_training",
        "get_instructor_led_training_timeslot",
        "get_instructor_led_training_timeslots",
        "create_instructor_led_training_timeslot",
        "update_instructor_led_training_timeslot",
        "delete_instructor_led_training_timeslot",
        "get_instructor_led_training_timeslot_registrations",
        "create_instructor_led_training_timeslot_registrations",
        "destroy_instructor_led_training_timeslot_registrations",
        "update_instructor_led_training_timeslot_registration",
    } <= names
    assert skyprep_ilt.SUCCESS == {"message": "success"}


def test_trainings_list_shows_each_trainings_own_timeslot_across_pages(
    client: TestClient, program: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ilt_queries, "PAGE", 2)
    trainings = [new_training(client, program) for _ in range(5)]

    def make(session: Session, ctx: Context) -> list[int]:
        start = datetime(2030, 1, 1, 9, tzinfo=UTC)
        return [
            make_timeslot(session, ctx, t, commencement_time=start, capacity=i + 1).id
            for i, t in enumerate(trainings)
        ]

    slots = arrange(client, program, make)
    answer = ok(api(client, program, "get_instructor_led_trainings"))
    assert [t["id"] for t in answer] == trainings
    assert [t["instructor_led_training_timeslots"]["id"] for t in answer] == slots


def test_read_actions_answer_get_with_a_query_string_and_key_headers(
    client: TestClient, program: Program
) -> None:
    training = new_training(client, program)
    slot = new_timeslot(client, program, training, **WORKSHOP)["id"]
    headers = {"X-SkyPrep-API-Key": program.api_key, "X-SkyPrep-Acct-Key": program.acct_key}
    for action, query in (
        ("get_instructor_led_trainings", ""),
        ("get_instructor_led_training", f"instructor_led_training_id={training}"),
        ("get_instructor_led_training_timeslot", f"instructor_led_training_timeslot_id={slot}"),
        ("get_instructor_led_training_timeslots", "start_date=2026-05-01&end_date=2026-05-31"),
        (
            "get_instructor_led_training_timeslot_registrations",
            f"instructor_led_training_timeslot_id={slot}",
        ),
    ):
        response = client.get(f"/admin/api/{action}/?{query}", headers=headers)
        assert response.status_code == 200, (action, response.text)
        assert response.json() not in (None, {})


# --- never a 500 ----------------------------------------------------------------------------

FUZZ_FIELDS = {
    "get_instructor_led_training": ("instructor_led_training_id",),
    "get_instructor_led_training_timeslots": (
        "start_date",
        "end_date",
        "instructor_led_training_id",
    ),
    "create_instructor_led_training_timeslot": (
        "instructor_led_training_id",
        "capacity",
        "display_timezone",
        "commencement_time",
        "end_time",
        "name",
        "session_type",
        "primary_instructor_user_id",
        "location",
    ),
    "update_instructor_led_training_timeslot": (
        "instructor_led_training_timeslot_id",
        "capacity",
        "start_time",
        "description",
    ),
    "delete_instructor_led_training_timeslot": ("instructor_led_training_timeslot_id",),
    "get_instructor_led_training_timeslot_registrations": (
        "instructor_led_training_timeslot_id",
        "status",
    ),
    "create_instructor_led_training_timeslot_registrations": (
        "user_id",
        "user_ids",
        "user_email",
        "status",
        "course_progress_id",
        "course_id",
    ),
    "destroy_instructor_led_training_timeslot_registrations": (
        "instructor_led_training_timeslot_registration_ids",
    ),
    "update_instructor_led_training_timeslot_registration": (
        "instructor_led_training_timeslot_registration_id",
        "status",
        "course_progress_id",
    ),
}


@settings(
    max_examples=examples(80),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_values_are_answered_never_a_500(
    client: TestClient, program: Program, data: st.DataObject
) -> None:
    if api(client, program, "get_instructor_led_training", instructor_led_training_id=1).is_error:
        # Anchors with id 1, so that random values meet real rows (until a fuzzed delete).
        slot = new_timeslot(client, program, new_training(client, program), capacity=2)
        user = new_user(client, program, "anchor@example.com")
        ok(register(client, program, slot["id"], user_id=user["id"]))
    action = data.draw(st.sampled_from(sorted(FUZZ_FIELDS)))
    field = data.draw(st.sampled_from(FUZZ_FIELDS[action]))
    params: dict[str, Any] = {
        "instructor_led_training_id": 1,
        "instructor_led_training_timeslot_id": 1,
        "instructor_led_training_timeslot_registration_id": 1,
        "user_id": 1,
        field: data.draw(VALUES),
    }
    if data.draw(st.booleans()):
        params["format"] = "xml"
    response = api(client, program, action, **params)
    assert response.status_code in (200, 400, 404, 409), response.text
    if params.get("format") == "xml":
        parse_xml(response.content)
    elif response.status_code != 200:
        assert isinstance(response.json()["field"], str), response.text


def test_extreme_dates_are_400_naming_the_field(client: TestClient, program: Program) -> None:
    action = "get_instructor_led_training_timeslots"
    fails(api(client, program, action, end_date="9999-12-31"), 400, "end_date")
    assert ok(api(client, program, action, start_date="0001-01-01")) == []
    training = new_training(client, program)
    fails(
        api(
            client,
            program,
            "create_instructor_led_training_timeslot",
            instructor_led_training_id=training,
            commencement_time="0001-01-01T00:00:00+05:00",
        ),
        400,
        "commencement_time",
    )
