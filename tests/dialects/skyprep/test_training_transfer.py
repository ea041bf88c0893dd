"""move_training_data over HTTP: the spec's sample parameters and response shape."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.services.course_items import CourseItemData, add_course_item
from tests.dialects.skyprep.test_courses import arrange
from tests.dialects.skyprep.test_users import api, fails, new_user, ok
from tests.factories import make_timeslot, make_training
from tests.http_client import Program, make_program

SAMPLE: dict[str, Any] = {
    "status": "success",
    "source_user_id": 101,
    "target_user_id": 102,
    "moved": {"course_enrollments": 2, "course_progresses": 2, "user_group_enrollments": 1},
    "skipped": [],
}


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_program(client, "example.skyprepapp.com")


def courses_of(client: TestClient, program: Program, user_id: int) -> set[int]:
    answer = ok(api(client, program, "get_user_courses", user_id=user_id))
    return {c["id"] for c in answer}


def test_the_samples_parameters_move_enrollments(client: TestClient, program: Program) -> None:
    source = new_user(client, program, "dup@example.com")["id"]
    target = new_user(client, program, "real@example.com")["id"]
    c1, c2 = (ok(api(client, program, "create_course", name=n))["id"] for n in ("A", "B"))
    group = ok(api(client, program, "create_user_group", name="Sales"))["id"]
    ok(api(client, program, "enroll_user_in_courses", user_id=source, course_ids=f"{c1},{c2}"))
    ok(api(client, program, "enroll_user_in_course", user_id=target, course_id=c2))
    ok(api(client, program, "enroll_user_in_user_group", user_id=source, user_group_id=group))
    answer = ok(
        api(
            client,
            program,
            "move_training_data",
            source_user_id=str(source),
            target_user_id=target,
            inclusion_list=["course_enrollments", "course_progresses", "exam_attempts"],
        )
    )
    assert list(answer) == list(SAMPLE)
    assert (answer["status"], answer["source_user_id"], answer["target_user_id"]) == (
        "success",
        source,
        target,
    )
    assert answer["moved"] == {"course_enrollments": 1, "course_progresses": 1, "exam_attempts": 0}
    assert [(s["data_type"], s.get("course_id")) for s in answer["skipped"]] == [
        ("course_enrollments", c2),
        ("course_progresses", c2),
    ]
    assert all(isinstance(s["reason"], str) and s["reason"] for s in answer["skipped"])
    assert courses_of(client, program, target) == {c1, c2}
    # Without a list every kind this server keeps moves: here the group membership.
    again = ok(
        api(client, program, "move_training_data", source_user_id=source, target_user_id=target)
    )
    assert again["moved"] == {
        "course_enrollments": 0,
        "user_group_enrollments": 1,
        "learning_path_enrollments": 0,
        "course_progresses": 0,
        "exam_attempts": 0,
        "instructor_led_training_timeslot_registrations": 0,
    }
    assert [s["data_type"] for s in again["skipped"]] == ["course_enrollments", "course_progresses"]


def test_form_bodies_and_comma_lists(client: TestClient, program: Program) -> None:
    source = new_user(client, program, "a@example.com")["id"]
    target = new_user(client, program, "b@example.com")["id"]
    response = client.post(
        "/admin/api/move_training_data/",
        data={
            "api_key": program.api_key,
            "acct_key": program.acct_key,
            "source_user_id": str(source),
            "target_user_id": str(target),
            "inclusion_list": "user_group_enrollments, learning_path_enrollments",
        },
    )
    assert ok(response)["moved"] == {"user_group_enrollments": 0, "learning_path_enrollments": 0}


def test_bad_input_names_the_field(client: TestClient, program: Program) -> None:
    source = new_user(client, program, "a@example.com")["id"]
    other = make_program(client, "other.skyprepapp.com")
    stranger = new_user(client, other, "z@example.com")["id"]
    call = "move_training_data"
    fails(api(client, program, call, target_user_id=source), 400, "source_user_id")
    fails(api(client, program, call, source_user_id=source), 400, "target_user_id")
    fails(
        api(client, program, call, source_user_id="x", target_user_id=source), 400, "source_user_id"
    )
    fails(
        api(client, program, call, source_user_id=source, target_user_id=source),
        400,
        "target_user_id",
    )
    fails(
        api(client, program, call, source_user_id=source, target_user_id=stranger),
        404,
        "target_user_id",
    )
    fails(
        api(
            client, program, call, source_user_id=source, target_user_id=999999, inclusion_list="x"
        ),
        400,
        "inclusion_list",
    )


def test_progress_and_ilt_registrations_move_over_http(
    client: TestClient, program: Program
) -> None:
    source = new_user(client, program, "dup@example.com")["id"]
    target = new_user(client, program, "real@example.com")["id"]
    course = ok(api(client, program, "create_course", name="Safety"))["id"]

    def arrange_items(session: Session, ctx: Context) -> tuple[int, int]:
        exam = add_course_item(
            session, ctx, course_id=course, data=CourseItemData(item_type="Exam", name="Quiz")
        )
        training = make_training(session, ctx, course_id=course)
        return exam.id, make_timeslot(session, ctx, training.id, capacity=1).id

    exam, slot = arrange(client, program, arrange_items)
    ok(api(client, program, "enroll_user_in_course", user_id=source, course_id=course))
    for score in (30, 90):
        set_score = {"user_id": source, "course_item_id": exam, "score": score}
        ok(api(client, program, "set_course_item_progress", **set_score))
    seat = ok(
        api(
            client,
            program,
            "create_instructor_led_training_timeslot_registrations",
            instructor_led_training_timeslot_id=slot,
            user_id=source,
        )
    )
    answer = ok(
        api(client, program, "move_training_data", source_user_id=source, target_user_id=target)
    )
    assert answer["moved"] == {
        "course_enrollments": 1,
        "user_group_enrollments": 0,
        "learning_path_enrollments": 0,
        "course_progresses": 1,
        "exam_attempts": 2,
        "instructor_led_training_timeslot_registrations": 1,
    }
    assert answer["skipped"] == []
    item = ok(
        api(client, program, "get_course_item_progress", "GET", user_id=target, course_item_id=exam)
    )
    assert (item["user_id"], item["status"]) == (target, "passed")
    registrations = ok(
        api(
            client,
            program,
            "get_instructor_led_training_timeslot_registrations",
            instructor_led_training_timeslot_id=slot,
        )
    )
    assert [(r["id"], r["user_id"], r["status"]) for r in registrations] == [
        (seat["id"], target, "pending")
    ]
    # Moving back: the source now has nothing, the registration clash is reported by timeslot.
    ok(
        api(
            client,
            program,
            "create_instructor_led_training_timeslot_registrations",
            instructor_led_training_timeslot_id=slot,
            user_id=source,
        )
    )
    again = ok(
        api(
            client,
            program,
            "move_training_data",
            source_user_id=source,
            target_user_id=target,
            inclusion_list="instructor_led_training_timeslot_registrations",
        )
    )
    assert again["moved"] == {"instructor_led_training_timeslot_registrations": 0}
    [skipped] = again["skipped"]
    assert skipped["instructor_led_training_timeslot_id"] == slot
    assert skipped["data_type"] == "instructor_led_training_timeslot_registrations"
