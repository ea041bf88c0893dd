"""The SkyPrep course progress actions over HTTP: get_course_progresses, get_course_progress,
create_course_progress, update_course_progress, destroy_course_progress,
get_course_item_progress, set_course_item_progress, get_user_course_status."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.dialects.skyprep.progress import PAGE_MARKS
from syllabus.services.course_items import CourseItemData, add_course_item
from syllabus.services.groups import (
    GroupData,
    add_courses_to_group,
    add_users_to_group,
    create_group,
)
from tests.dialects.skyprep.course_samples import SUCCESS
from tests.dialects.skyprep.progress_samples import ITEM_PROGRESS, PROGRESS, USER_COURSE_STATUS
from tests.dialects.skyprep.test_courses import arrange, new_course
from tests.dialects.skyprep.test_users import (
    NEW_YORK,
    TIMESTAMP,
    VALUES,
    api,
    events,
    fails,
    make_zoned_program,
    new_user,
    ok,
    parse_xml,
)
from tests.http_client import Program, make_program
from tests.hypothesis_profiles import examples

MAY_BE_NULL = {
    # Keys the sample shows with a value that a record may not have (yet).
    "days_until_deadline",
    "commencement_date",
    "last_course_item_id",
    "deadline_date",
    "real_end_date",
    "computed_deadline_date",
}
TIMESTAMP_KEYS = (
    "created_at",
    "updated_at",
    "commencement_date",
    "enrollment_date",
    "completion_date",
    "deadline_date",
)


@pytest.fixture
def client(client: TestClient) -> TestClient:
    PAGE_MARKS.clear()
    return client


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


@pytest.fixture
def other(client: TestClient) -> Program:
    return make_program(client, "other.skyprepapp.com")


def assert_progress_shape(value: dict[str, Any], *, may_be_null: set[str] = MAY_BE_NULL) -> None:
    """The sample's keys in its order, each with its JSON type; user and course as theirs."""
    assert list(value) == list(PROGRESS)
    for key, sample in PROGRESS.items():
        if key in ("user", "course"):
            continue
        if sample is None:
            assert value[key] is None or type(value[key]) in (str, int), key
        elif value[key] is None:
            assert key in may_be_null, key
        else:
            assert type(value[key]) is type(sample), (key, value[key])
    for key in TIMESTAMP_KEYS:
        if value[key] is not None:
            assert TIMESTAMP.match(value[key]), (key, value[key])
            assert value[key].endswith(("-04:00", "-05:00")), value[key]  # New York
    assert list(value["user"]) == list(PROGRESS["user"])
    assert value["user"]["id"] == value["user_id"]
    assert len(value["course"]) == 1
    assert list(value["course"][0]) == list(PROGRESS["course"][0])
    assert value["course"][0]["id"] == value["course_id"]


def items_of(client: TestClient, program: Program, course_id: int) -> dict[str, int]:
    """A mandatory lesson, a mandatory exam (exam 77, pass at 70), an optional lesson."""

    def make(session: Session, ctx: Context) -> dict[str, int]:
        made = {}
        for name, data in (
            ("lesson", CourseItemData(item_type="Article", name="Welcome", content_id=311)),
            (
                "exam",
                CourseItemData(item_type="Exam", name="Quiz", content_id=77, passing_score=70),
            ),
            ("optional", CourseItemData(item_type="Article", name="Extra", mandatory=False)),
        ):
            made[name] = add_course_item(session, ctx, course_id=course_id, data=data).id
        return made

    return arrange(client, program, make)


@pytest.fixture
def setup(client: TestClient, program: Program) -> dict[str, Any]:
    user = new_user(client, program, "avery@example.com", first_name="Avery", last_name="Learner")
    course = new_course(client, program, "New Hire Orientation", certificate="true")
    items = items_of(client, program, course["id"])
    created = ok(
        api(client, program, "create_course_progress", user_id=user["id"], course_id=course["id"])
    )
    return {"user": user, "course": course, "items": items, "progress": created}


# --- create / get ---------------------------------------------------------------------------


def test_create_course_progress_answers_the_record_and_enrolls(
    client: TestClient, program: Program, setup: dict[str, Any]
) -> None:
    created = setup["progress"]
    assert_progress_shape(created)
    assert created["status"] == "not-started"
    assert created["user_email"] == "avery@example.com"
    assert created["course_name"] == "New Hire Orientation"
    assert created["percent_viewed"] == 0
    assert created["formatted_completion_date"] == ""
    courses = ok(api(client, program, "get_user_courses", user_id=setup["user"]["id"]))
    assert [c["id"] for c in courses] == [setup["course"]["id"]]
    # by email, again: the same record
    again = ok(
        api(
            client,
            program,
            "create_course_progress",
            user_email="AVERY@example.com",
            course_id=str(setup["course"]["id"]),
        )
    )
    assert again["id"] == created["id"]


def test_create_course_progress_errors(
    client: TestClient, program: Program, other: Program, setup: dict[str, Any]
) -> None:
    course_id, user_id = setup["course"]["id"], setup["user"]["id"]
    fails(api(client, program, "create_course_progress", user_id=user_id), 400, "course_id")
    fails(api(client, program, "create_course_progress", course_id=course_id), 400, "user_id")
    fails(
        api(client, program, "create_course_progress", user_id="x", course_id=course_id),
        400,
        "user_id",
    )
    fails(
        api(client, other, "create_course_progress", user_id=user_id, course_id=course_id),
        404,
        "user_id",
    )
    foreign = new_course(client, other, "Theirs")["id"]
    fails(
        api(client, program, "create_course_progress", user_id=user_id, course_id=foreign),
        404,
        "course_id",
    )


def test_get_course_progress_with_the_samples_parameters(
    client: TestClient, program: Program, other: Program, setup: dict[str, Any]
) -> None:
    progress_id = setup["progress"]["id"]
    got = ok(
        api(client, program, "get_course_progress", "GET", course_progress_id=str(progress_id))
    )
    assert got == setup["progress"]
    fails(
        api(client, other, "get_course_progress", course_progress_id=progress_id),
        404,
        "course_progress_id",
    )
    fails(api(client, program, "get_course_progress"), 400, "course_progress_id")
    fails(
        api(client, program, "get_course_progress", course_progress_id="abc"),
        400,
        "course_progress_id",
    )
    fails(
        api(client, program, "get_course_progress", course_progress_id=10**40),
        404,
        "course_progress_id",
    )


# --- update / destroy -----------------------------------------------------------------------


def test_update_course_progress_with_the_samples_parameters(
    client: TestClient, program: Program, setup: dict[str, Any]
) -> None:
    progress_id = setup["progress"]["id"]
    answer = api(
        client,
        program,
        "update_course_progress",
        course_progress_id=str(progress_id),
        set_status="failed",
    )
    assert ok(answer) == SUCCESS
    got = ok(api(client, program, "get_course_progress", course_progress_id=progress_id))
    assert got["status"] == "failed"
    assert got["commencement_date"] is not None


def test_update_course_progress_passes_with_dates_and_events(
    client: TestClient, program: Program, setup: dict[str, Any]
) -> None:
    progress_id = setup["progress"]["id"]
    ok(
        api(
            client,
            program,
            "update_course_progress",
            course_progress_id=progress_id,
            set_status="passed",
            completion_date="2026-05-07T15:30:00-04:00",
            deadline_date="May 15, 2026",
            enrollment_status="active",
        )
    )
    got = ok(api(client, program, "get_course_progress", course_progress_id=progress_id))
    assert_progress_shape(got)
    assert got["status"] == "passed"
    assert got["completion_date"] == "2026-05-07T15:30:00.000-04:00"
    assert got["formatted_completion_date"] == "07-May 2026"
    assert got["deadline_date"] == "2026-05-15T00:00:00.000-04:00"
    assert got["formatted_deadline_date"] == "15-May 2026"
    assert [e.data["course_progress_id"] for e in events(client, program, "course.completed")] == [
        progress_id
    ]
    assert len(events(client, program, "certificate.issued")) == 1


def test_update_course_progress_errors(
    client: TestClient, program: Program, other: Program, setup: dict[str, Any]
) -> None:
    progress_id = setup["progress"]["id"]
    for params, field in (
        ({"set_status": "archived"}, "set_status"),
        ({"set_status": "done"}, "set_status"),
        ({"set_status": None}, "set_status"),
        ({"status": "passed,failed"}, "status"),
        ({"enrollment_status": "paused"}, "enrollment_status"),
        ({"completion_date": "yesterday"}, "completion_date"),
        ({"completion_date": "2026-05-07T15:30:00Z"}, "completion_date"),  # not passed
        ({"score": "101"}, "score"),
    ):
        fails(
            api(
                client, program, "update_course_progress", course_progress_id=progress_id, **params
            ),
            400,
            field,
        )
    fails(
        api(client, program, "update_course_progress", set_status="passed"),
        400,
        "course_progress_id",
    )
    fails(
        api(
            client,
            other,
            "update_course_progress",
            course_progress_id=progress_id,
            set_status="passed",
        ),
        404,
        "course_progress_id",
    )


def test_destroy_course_progress_with_the_samples_parameters(
    client: TestClient, program: Program, other: Program, setup: dict[str, Any]
) -> None:
    progress_id = setup["progress"]["id"]
    fails(
        api(client, other, "destroy_course_progress", course_progress_id=progress_id),
        404,
        "course_progress_id",
    )
    assert (
        ok(api(client, program, "destroy_course_progress", course_progress_id=str(progress_id)))
        == SUCCESS
    )
    fails(
        api(client, program, "get_course_progress", course_progress_id=progress_id),
        404,
        "course_progress_id",
    )
    assert ok(api(client, program, "get_user_courses", user_id=setup["user"]["id"])) == []


# --- item progress --------------------------------------------------------------------------


def test_set_and_get_course_item_progress_roll_up(
    client: TestClient, program: Program, setup: dict[str, Any]
) -> None:
    user_id, course_id = setup["user"]["id"], setup["course"]["id"]
    items, progress_id = setup["items"], setup["progress"]["id"]

    answer = api(
        client,
        program,
        "set_course_item_progress",
        user_id=str(user_id),
        course_item_id=str(items["lesson"]),
        set_status="passed",
    )
    assert ok(answer) == SUCCESS
    got = ok(
        api(
            client,
            program,
            "get_course_item_progress",
            "GET",
            course_id=str(course_id),
            user_id=str(user_id),
            course_item_id=str(items["lesson"]),
        )
    )
    assert list(got) == list(ITEM_PROGRESS)
    for key, sample in ITEM_PROGRESS.items():
        assert type(got[key]) is type(sample), key
    assert got["course_progress_id"] == progress_id
    assert got["course_item_type"] == "Article"
    assert got["status"] == "passed"
    assert got["courseable_id"] == 311
    assert got["completed_at_int"] == int(datetime.fromisoformat(got["completed_at"]).timestamp())
    record = ok(api(client, program, "get_course_progress", course_progress_id=progress_id))
    assert record["status"] == "in-progress"
    assert record["last_course_item_id"] == items["lesson"]

    # the exam by exam_id and the course progress: a passing score passes the course
    ok(
        api(
            client,
            program,
            "set_course_item_progress",
            course_progress_id=progress_id,
            exam_id=77,
            score=88,
        )
    )
    exam = ok(
        api(
            client,
            program,
            "get_course_item_progress",
            exam_id="77",
            course_progress_id=progress_id,
        )
    )
    assert exam["course_item_type"] == "Exam"
    assert exam["status"] == "passed"
    record = ok(api(client, program, "get_course_progress", course_progress_id=progress_id))
    assert record["status"] == "passed"
    assert record["completion_date"] is not None
    assert ok(
        api(client, program, "get_user_course_status", user_id=user_id, course_id=course_id)
    ) == {"status": "passed"}
    types = {e.type for e in events(client, program, "course.started")} | {
        e.type for e in events(client, program, "lesson.completed")
    }
    assert types == {"course.started", "lesson.completed"}
    assert len(events(client, program, "lesson.completed")) == 2
    assert len(events(client, program, "course.completed")) == 1
    assert len(events(client, program, "certificate.issued")) == 1


def test_an_untouched_item_is_not_started(
    client: TestClient, program: Program, setup: dict[str, Any]
) -> None:
    got = ok(
        api(
            client,
            program,
            "get_course_item_progress",
            user_email="avery@example.com",
            course_item_id=setup["items"]["optional"],
        )
    )
    assert got["status"] == "not-started"
    assert got["completed_at"] is None
    assert got["completed_at_int"] == 0


def test_a_failing_exam_fails_the_course(
    client: TestClient, program: Program, setup: dict[str, Any]
) -> None:
    ok(
        api(
            client,
            program,
            "set_course_item_progress",
            user_id=setup["user"]["id"],
            course_id=setup["course"]["id"],
            exam_id=77,
            score="40",
        )
    )
    status = api(
        client,
        program,
        "get_user_course_status",
        user_id=setup["user"]["id"],
        course_id=setup["course"]["id"],
    )
    assert ok(status) == {"status": "failed"}


def test_item_progress_combinations_that_are_not_enough_are_400_naming_what_is_missing(
    client: TestClient, program: Program, other: Program, setup: dict[str, Any]
) -> None:
    user_id, course_id = setup["user"]["id"], setup["course"]["id"]
    progress_id, lesson = setup["progress"]["id"], setup["items"]["lesson"]
    for action in ("get_course_item_progress", "set_course_item_progress"):
        extra = {"set_status": "passed"} if action.startswith("set") else {}
        # the spec's own sample for set_course_item_progress names no item
        fails(api(client, program, action, user_id=user_id, **extra), 400, "course_item_id")
        fails(api(client, program, action, course_item_id=lesson, **extra), 400, "user_id")
        fails(api(client, program, action, user_id=user_id, exam_id=77, **extra), 400, "course_id")
        fails(
            api(client, program, action, course_progress_id=10**6, course_item_id=lesson, **extra),
            404,
            "course_progress_id",
        )
        fails(
            api(client, program, action, user_id=user_id, course_item_id=10**6, **extra),
            404,
            "course_item_id",
        )
        fails(
            api(client, program, action, course_progress_id=progress_id, exam_id=10**30, **extra),
            404,
            "exam_id",
        )
        fails(
            api(client, program, action, course_progress_id=progress_id, exam_id=5, **extra),
            404,
            "exam_id",
        )
        fails(
            api(
                client,
                other,
                action,
                course_progress_id=progress_id,
                course_item_id=lesson,
                **extra,
            ),
            404,
            "course_progress_id",
        )
        fails(
            api(
                client,
                program,
                action,
                user_id=user_id,
                course_id=course_id,
                course_item_id="x",
                **extra,
            ),
            400,
            "course_item_id",
        )
    stray_course = new_course(client, program, "Other")["id"]
    stray = items_of(client, program, stray_course)["lesson"]
    fails(
        api(
            client,
            program,
            "set_course_item_progress",
            course_progress_id=progress_id,
            course_item_id=stray,
            set_status="passed",
        ),
        400,
        "course_item_id",
    )
    fails(
        api(client, program, "set_course_item_progress", user_id=user_id, course_item_id=lesson),
        400,
        "set_status",
    )
    fails(
        api(
            client,
            program,
            "set_course_item_progress",
            user_id=user_id,
            course_item_id=lesson,
            set_status="done",
        ),
        400,
        "set_status",
    )
    fails(
        api(
            client,
            program,
            "set_course_item_progress",
            user_id=user_id,
            course_item_id=lesson,
            score="-3",
        ),
        400,
        "score",
    )


# --- get_user_course_status -----------------------------------------------------------------


def test_get_user_course_status_with_the_samples_parameters(
    client: TestClient, program: Program, other: Program, setup: dict[str, Any]
) -> None:
    user_id, course_id = setup["user"]["id"], setup["course"]["id"]
    answer = ok(
        api(
            client,
            program,
            "get_user_course_status",
            "GET",
            user_id=user_id,
            course_id=str(course_id),
        )
    )
    assert list(answer) == list(USER_COURSE_STATUS)
    assert answer == {"status": "not-started"}
    ok(
        api(
            client,
            program,
            "update_course_progress",
            course_progress_id=setup["progress"]["id"],
            set_status="in-progress",
        )
    )
    by_email = api(
        client,
        program,
        "get_user_course_status",
        user_email="avery@example.com",
        course_id=course_id,
    )
    assert ok(by_email) == {"status": "in-progress"}
    xml = api(
        client,
        program,
        "get_user_course_status",
        user_id=user_id,
        course_id=course_id,
        format="xml",
    )
    assert parse_xml(xml.content).findtext("status") == "in-progress"

    fails(api(client, program, "get_user_course_status", user_id=user_id), 400, "course_id")
    fails(api(client, program, "get_user_course_status", course_id=course_id), 400, "user_id")
    fails(
        api(client, other, "get_user_course_status", user_id=user_id, course_id=course_id),
        404,
        "user_id",
    )
    unenrolled = new_course(client, program, "Not taken")["id"]
    fails(
        api(client, program, "get_user_course_status", user_id=user_id, course_id=unenrolled),
        404,
        "course_id",
    )


def test_get_user_course_status_through_a_group_is_not_started(
    client: TestClient, program: Program, setup: dict[str, Any]
) -> None:
    user_id = setup["user"]["id"]
    course_id = new_course(client, program, "Group course")["id"]

    def share(session: Session, ctx: Context) -> None:
        group = create_group(session, ctx, data=GroupData(name="Team"))
        add_users_to_group(session, ctx, group_id=group.id, user_ids=[user_id])
        add_courses_to_group(session, ctx, group_id=group.id, course_ids=[course_id])

    arrange(client, program, share)
    answer = api(client, program, "get_user_course_status", user_id=user_id, course_id=course_id)
    assert ok(answer) == {"status": "not-started"}


# --- fuzzing --------------------------------------------------------------------------------

FUZZ_FIELDS = {
    "get_course_progresses": (
        "course_id",
        "user_id",
        "user_email",
        "status",
        "enrollment_status",
        "completion_date_greater_than",
        "completion_date_less_than",
        "updated_at_greater_than",
        "updated_at_less_than",
        "page",
        "per_page",
    ),
    "get_course_progress": ("course_progress_id",),
    "create_course_progress": ("user_id", "user_email", "course_id"),
    "update_course_progress": (
        "course_progress_id",
        "set_status",
        "status",
        "enrollment_status",
        "completion_date",
        "deadline_date",
        "expiration_date",
        "score",
    ),
    "get_course_item_progress": (
        "course_progress_id",
        "user_id",
        "course_id",
        "course_item_id",
        "exam_id",
    ),
    "set_course_item_progress": (
        "course_progress_id",
        "user_id",
        "course_item_id",
        "exam_id",
        "set_status",
        "score",
    ),
    "get_user_course_status": ("user_id", "user_email", "course_id"),
}


@settings(
    max_examples=examples(80),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_values_are_answered_never_a_500(
    client: TestClient, program: Program, setup: dict[str, Any], data: st.DataObject
) -> None:
    action = data.draw(st.sampled_from(sorted(FUZZ_FIELDS)))
    field = data.draw(st.sampled_from(FUZZ_FIELDS[action]))
    params: dict[str, Any] = {
        "user_id": setup["user"]["id"],
        "course_id": setup["course"]["id"],
        "course_item_id": setup["items"]["lesson"],
        "course_progress_id": setup["progress"]["id"],
        "set_status": "in-progress",
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
