"""get_course_progresses over HTTP: the spec's filters, orders and paging; the mixed-filter 400;
paging that neither skips nor repeats while records are added; constant queries per page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.dialects.skyprep.progress import PAGE_MARKS
from syllabus.services.enrollments import enroll_users_in_courses
from syllabus.services.users import NewUser, UserData, create_users
from tests.dialects.skyprep.test_courses import arrange, new_course
from tests.dialects.skyprep.test_progress import assert_progress_shape
from tests.dialects.skyprep.test_users import (
    NEW_YORK,
    api,
    fails,
    make_zoned_program,
    ok,
    parse_xml,
)
from tests.http_client import Program, make_program
from tests.statements import statements_during


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


_counter = iter(range(10**9))


def enroll_new_users(client: TestClient, program: Program, course_id: int, count: int) -> list[int]:
    """``count`` new users enrolled in the course: ``count`` new records, in one transaction."""

    def make(session: Session, ctx: Context) -> list[int]:
        rows = [
            NewUser(UserData(email=f"learner{next(_counter)}@example.com")) for _ in range(count)
        ]
        ids = create_users(session, ctx, users=rows).created
        enroll_users_in_courses(session, ctx, user_ids=ids, course_ids=[course_id])
        return ids

    return arrange(client, program, make)


def page(client: TestClient, program: Program, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = ok(api(client, program, "get_course_progresses", "GET", **params))
    return rows


def test_the_specs_sample_parameters(client: TestClient, program: Program) -> None:
    course = new_course(client, program, "New Hire Orientation")["id"]
    other_course = new_course(client, program, "Workplace Safety")["id"]
    users = enroll_new_users(client, program, course, 3)
    enroll_new_users(client, program, other_course, 2)
    records = {r["user_id"]: r["id"] for r in page(client, program, course_id=course)}
    ok(
        api(
            client,
            program,
            "update_course_progress",
            course_progress_id=records[users[0]],
            set_status="passed",
        )
    )
    ok(
        api(
            client,
            program,
            "update_course_progress",
            course_progress_id=records[users[1]],
            set_status="failed",
        )
    )
    ok(
        api(
            client,
            program,
            "update_course_progress",
            course_progress_id=records[users[2]],
            set_status="in-progress",
        )
    )
    today = datetime.now(UTC)
    found = page(
        client,
        program,
        course_id=str(course),
        status="passed,failed",
        updated_at_greater_than=(today - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        updated_at_less_than=(today + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        per_page="100",
        page="1",
    )
    assert {r["user_id"] for r in found} == {users[0], users[1]}
    assert {r["status"] for r in found} == {"passed", "failed"}
    for record in found:
        assert_progress_shape(record)
    # most recently updated first: failed was updated after passed
    assert [r["status"] for r in found] == ["failed", "passed"]


def test_filters(client: TestClient, program: Program, other: Program) -> None:
    course = new_course(client, program, "A")["id"]
    second = new_course(client, program, "B")["id"]
    first_users = enroll_new_users(client, program, course, 3)
    enroll_new_users(client, program, second, 2)
    everything = page(client, program)
    assert len(everything) == 5
    assert [r["id"] for r in everything] == sorted(r["id"] for r in everything)  # creation order
    assert {r["course_id"] for r in page(client, program, course_id=second)} == {second}
    mine = page(client, program, user_id=first_users[0])
    assert [r["user_id"] for r in mine] == [first_users[0]]
    email = mine[0]["user_email"]
    assert page(client, program, user_email=email.upper()) == mine
    assert len(page(client, program, status="not-started, in-progress")) == 5
    assert page(client, program, status="passed") == []
    assert len(page(client, program, enrollment_status=["active"])) == 5
    api(client, program, "remove_user_from_course", user_id=first_users[1], course_id=course)
    inactive = page(client, program, enrollment_status="inactive,disabled")
    assert [r["user_id"] for r in inactive] == [first_users[1]]

    ok(
        api(
            client,
            program,
            "update_course_progress",
            course_progress_id=mine[0]["id"],
            set_status="passed",
            completion_date="2026-05-07T15:30:00-04:00",
        )
    )
    completed = page(
        client,
        program,
        completion_date_greater_than="May 7, 2026",
        completion_date_less_than="2026-05-08",
    )
    assert [r["id"] for r in completed] == [mine[0]["id"]]
    assert page(client, program, completion_date_greater_than="2026-05-07T19:30:00Z") == []
    # a naive time is the program's (New York): 15:29 there is before the completion
    assert len(page(client, program, completion_date_greater_than="2026-05-07T15:29:00")) == 1

    fails(api(client, program, "get_course_progresses", course_id=10**6), 404, "course_id")
    fails(api(client, other, "get_course_progresses", course_id=course), 404, "course_id")
    fails(api(client, other, "get_course_progresses", user_id=first_users[0]), 404, "user_id")


def test_mixing_updated_at_and_completion_date_filters_is_400(
    client: TestClient, program: Program
) -> None:
    answer = api(
        client,
        program,
        "get_course_progresses",
        updated_at_greater_than="2026-05-01T00:00:00Z",
        completion_date_less_than="2026-05-02T00:00:00Z",
    )
    fails(answer, 400, "completion_date_less_than")
    assert "updated_at" in answer.json()["message"]
    # a blank filter (a client's empty template slot) is no filter
    blank = api(
        client,
        program,
        "get_course_progresses",
        updated_at_greater_than="",
        completion_date_less_than="2026-05-02T00:00:00Z",
    )
    assert ok(blank) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": "101"}, "per_page"),
        ({"per_page": "0"}, "per_page"),
        ({"page": "0"}, "page"),
        ({"page": "first"}, "page"),
        ({"status": "passed,done"}, "status"),
        ({"enrollment_status": "paused"}, "enrollment_status"),
        ({"updated_at_greater_than": "yesterday"}, "updated_at_greater_than"),
        ({"completion_date_less_than": "2026-13-01"}, "completion_date_less_than"),
        ({"updated_at_less_than": "9999-12-31T23:59:59-05:00"}, "updated_at_less_than"),
        ({"updated_at_less_than": "0001-01-01T00:00:00+05:00"}, "updated_at_less_than"),
        ({"course_id": "abc"}, "course_id"),
        ({"user_id": "-1"}, "user_id"),
    ],
)
def test_bad_input_is_400_naming_the_field(
    client: TestClient, program: Program, params: dict[str, str], field: str
) -> None:
    fails(api(client, program, "get_course_progresses", **params), 400, field)


def test_xml(client: TestClient, program: Program) -> None:
    course = new_course(client, program, "A")["id"]
    enroll_new_users(client, program, course, 2)
    answer = api(client, program, "get_course_progresses", format="xml")
    root = parse_xml(answer.content)
    assert root.tag == "course-progresses"
    assert root.get("type") == "array"
    records = root.findall("course-progress")
    assert len(records) == 2
    assert records[0].findtext("status") == "not-started"
    assert records[0].find("user/email") is not None
    assert records[0].find("course").get("type") == "array"


def _walk(client: TestClient, program: Program, course: int, **params: Any) -> list[int]:
    """Page through with per_page=10, adding 3 records before each next page is read."""
    seen: list[int] = []
    number = 1
    while True:
        rows = page(client, program, per_page=10, page=number, **params)
        seen.extend(r["id"] for r in rows)
        if len(rows) < 10:
            return seen
        enroll_new_users(client, program, course, 3)
        number += 1


def test_paging_in_creation_order_while_records_are_added_skips_and_repeats_none(
    client: TestClient, program: Program
) -> None:
    course = new_course(client, program, "A")["id"]
    enroll_new_users(client, program, course, 25)
    before = {r["id"] for r in page(client, program, per_page=100)}

    seen = _walk(client, program, course)

    assert len(seen) == len(set(seen))
    assert before <= set(seen)


def test_paging_most_recently_updated_first_while_records_are_added_skips_and_repeats_none(
    client: TestClient, program: Program
) -> None:
    course = new_course(client, program, "A")["id"]
    enroll_new_users(client, program, course, 25)
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    before = page(client, program, per_page=100, updated_at_greater_than=since)
    assert len(before) == 25
    assert [r["id"] for r in before] == sorted((r["id"] for r in before), reverse=True)

    seen = _walk(client, program, course, updated_at_greater_than=since)

    assert len(seen) == len(set(seen))  # records added ahead of the reader shift nothing
    assert {r["id"] for r in before} <= set(seen)


def test_a_page_whose_predecessor_was_not_served_here_is_read_by_offset(
    client: TestClient, program: Program
) -> None:
    course = new_course(client, program, "A")["id"]
    enroll_new_users(client, program, course, 25)
    every = [r["id"] for r in page(client, program, per_page=100)]
    PAGE_MARKS.clear()
    assert [r["id"] for r in page(client, program, per_page=10, page=3)] == every[20:]
    assert [r["id"] for r in page(client, program, per_page=10, page=2)] == every[10:20]
    assert page(client, program, per_page=10, page=4) == []


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(
    client: TestClient, program: Program
) -> None:
    courses = [new_course(client, program, f"C{i}")["id"] for i in range(4)]
    for course in courses:
        enroll_new_users(client, program, course, 10)
    engine: Engine = client.app.state.session_factory.kw["bind"]  # type: ignore[attr-defined]
    page(client, program, per_page=1)  # warm the key cache
    small = len(statements_during(engine, lambda: page(client, program, per_page=2)))
    large = len(statements_during(engine, lambda: page(client, program, per_page=40)))
    assert small == large
