"""The SkyPrep enrollment actions over HTTP: enroll_user_in_course, remove_user_from_course,
enroll_user_in_courses, add_course_to_user_group, get_user_courses, mass_enroll."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.events import Event
from syllabus.domain.groups import GroupCourse, GroupMembership
from syllabus.domain.learning_paths import LearningPathUser
from syllabus.services.groups import GroupData, add_users_to_group, create_group
from syllabus.services.learning_paths import (
    LearningPathData,
    add_groups_to_learning_path,
    add_users_to_learning_path,
    create_learning_path,
)
from tests.dialects.skyprep.course_samples import SUCCESS
from tests.dialects.skyprep.test_courses import arrange, assert_course_shape, new_course
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
from tests.http_client import Program, make_program
from tests.hypothesis_profiles import examples


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


@pytest.fixture
def other(client: TestClient) -> Program:
    return make_program(client, "other.skyprepapp.com")


def course_ids_of(client: TestClient, program: Program, **lookup: Any) -> list[int]:
    return [c["id"] for c in ok(api(client, program, "get_user_courses", **lookup))]


def new_group(client: TestClient, program: Program, name: str, user_ids: list[int] = []) -> int:  # noqa: B006
    def make(session: Session, ctx: Context) -> int:
        group = create_group(session, ctx, data=GroupData(name=name))
        add_users_to_group(session, ctx, group_id=group.id, user_ids=user_ids)
        return group.id

    return arrange(client, program, make)


def new_path(client: TestClient, program: Program, name: str, course_ids: list[int]) -> int:
    def make(session: Session, ctx: Context) -> int:
        data = LearningPathData(name=name, course_ids=course_ids)
        return create_learning_path(session, ctx, data=data).id

    return arrange(client, program, make)


def counts(client: TestClient, program: Program) -> dict[str, int]:
    """Rows of every kind a bulk enrollment writes, and the events it records."""

    def count(session: Session, _: Context) -> dict[str, int]:
        out = {}
        for name, model in (
            ("enrollments", Enrollment),
            ("members", GroupMembership),
            ("path_users", LearningPathUser),
            ("group_courses", GroupCourse),
            ("events", Event),
        ):
            out[name] = session.scalar(
                select(func.count()).select_from(model).where(model.tenant_id == program.tenant_id)  # type: ignore[attr-defined]
            )
        return out

    return arrange(client, program, count)


# --- enroll_user_in_course / remove_user_from_course ----------------------------------------


def test_enroll_user_in_course_with_the_specs_sample_parameters(
    client: TestClient, program: Program
) -> None:
    user = new_user(client, program, "dexter.morgan@example.com")
    course = new_course(client, program, "Blood Spatter 101")
    params = {"user_email": "Dexter.Morgan@example.com", "course_id": str(course["id"])}
    assert ok(api(client, program, "enroll_user_in_course", "GET", **params)) == SUCCESS
    assert course_ids_of(client, program, user_id=user["id"]) == [course["id"]]
    [event] = events(client, program, "enrollment.created")
    assert (event.data["user_id"], event.data["course_id"]) == (user["id"], course["id"])
    # Enrolling again changes nothing and records nothing.
    assert (
        ok(api(client, program, "enroll_user_in_course", user_id=user["id"], **params)) == SUCCESS
    )
    assert len(events(client, program, "enrollment.created")) == 1


def test_remove_user_from_course_with_the_specs_sample_parameters(
    client: TestClient, program: Program
) -> None:
    user = new_user(client, program, "rita@example.com")
    course = new_course(client, program, "C")
    ok(api(client, program, "enroll_user_in_course", user_id=user["id"], course_id=course["id"]))
    params = {"user_email": "rita@example.com", "course_id": str(course["id"])}
    assert ok(api(client, program, "remove_user_from_course", **params)) == SUCCESS
    assert course_ids_of(client, program, user_email="rita@example.com") == []
    [event] = events(client, program, "enrollment.removed")
    assert (event.data["user_id"], event.data["course_id"]) == (user["id"], course["id"])
    # Not enrolled (any more): still a success, nothing recorded.
    assert ok(api(client, program, "remove_user_from_course", **params)) == SUCCESS
    assert len(events(client, program, "enrollment.removed")) == 1


def test_single_enrollment_errors(client: TestClient, program: Program, other: Program) -> None:
    user = new_user(client, program, "u@example.com")
    course = new_course(client, program, "C")
    theirs = new_course(client, other, "Theirs")
    their_user = new_user(client, other, "t@example.com")
    for action in ("enroll_user_in_course", "remove_user_from_course"):
        fails(api(client, program, action, user_id=user["id"]), 400, "course_id")
        fails(api(client, program, action, course_id=course["id"]), 400, "user_id")
        fails(api(client, program, action, user_id=user["id"], course_id="x"), 400, "course_id")
        fails(api(client, program, action, user_id="x", course_id=course["id"]), 400, "user_id")
        fails(
            api(client, program, action, user_id=user["id"], course_id=theirs["id"]),
            404,
            "course_id",
        )
        fails(
            api(client, program, action, user_id=their_user["id"], course_id=course["id"]),
            404,
            "user_id",
        )
        fails(
            api(client, program, action, user_email="t@example.com", course_id=course["id"]),
            404,
            "user_email",
        )
    assert counts(client, program)["enrollments"] == 0


# --- enroll_user_in_courses -----------------------------------------------------------------


def test_enroll_user_in_courses_with_the_specs_sample_parameters(
    client: TestClient, program: Program
) -> None:
    user = new_user(client, program, "u@example.com")
    ids = [new_course(client, program, f"C{i}")["id"] for i in range(5)]
    listed = ",".join(str(i) for i in ids[:3])
    assert (
        ok(
            api(
                client,
                program,
                "enroll_user_in_courses",
                user_id=str(user["id"]),
                course_ids=listed,
            )
        )
        == SUCCESS
    )
    assert course_ids_of(client, program, user_id=user["id"]) == ids[:3]
    spaced = f"{ids[3]}, {ids[4]} ,{ids[0]}"
    ok(
        api(
            client, program, "enroll_user_in_courses", user_email="U@example.com", course_ids=spaced
        )
    )
    assert course_ids_of(client, program, user_id=user["id"]) == ids
    as_array = [ids[0], str(ids[1])]
    ok(api(client, program, "enroll_user_in_courses", user_id=user["id"], course_ids=as_array))
    assert len(events(client, program, "enrollment.created")) == 5


def test_enroll_user_in_courses_is_all_or_nothing(
    client: TestClient, program: Program, other: Program
) -> None:
    user = new_user(client, program, "u@example.com")
    mine = new_course(client, program, "Mine")["id"]
    theirs = new_course(client, other, "Theirs")["id"]
    before = counts(client, program)
    response = api(
        client,
        program,
        "enroll_user_in_courses",
        user_id=user["id"],
        course_ids=f"{mine},{theirs},999999",
    )
    fails(response, 404, "course_ids")
    assert str(theirs) in response.json()["message"]
    assert "999999" in response.json()["message"]
    assert str(mine) not in response.json()["message"].split(":", 1)[1]
    assert counts(client, program) == before
    fails(api(client, program, "enroll_user_in_courses", user_id=user["id"]), 400, "course_ids")
    fails(
        api(client, program, "enroll_user_in_courses", user_id=user["id"], course_ids=""),
        400,
        "course_ids",
    )
    fails(
        api(client, program, "enroll_user_in_courses", user_id=user["id"], course_ids="1,x"),
        400,
        "course_ids",
    )
    fails(api(client, program, "enroll_user_in_courses", course_ids=str(mine)), 400, "user_id")


# --- add_course_to_user_group ---------------------------------------------------------------


def test_add_course_to_user_group_with_the_specs_sample_parameters(
    client: TestClient, program: Program, other: Program
) -> None:
    user = new_user(client, program, "member@example.com")
    group = new_group(client, program, "Miami PD Staff", [user["id"]])
    course = new_course(client, program, "Forensics")
    params = {"user_group_id": str(group), "course_id": str(course["id"])}
    assert ok(api(client, program, "add_course_to_user_group", **params)) == SUCCESS
    assert ok(api(client, program, "add_course_to_user_group", **params)) == SUCCESS  # idempotent
    assert course_ids_of(client, program, user_id=user["id"]) == [course["id"]]
    [event] = events(client, program, "group.course_added")
    assert (event.data["group_id"], event.data["course_id"]) == (group, course["id"])
    their_group = new_group(client, other, "Theirs")
    their_course = new_course(client, other, "Theirs")["id"]
    act = "add_course_to_user_group"
    fails(api(client, program, act, course_id=course["id"]), 400, "user_group_id")
    fails(api(client, program, act, user_group_id=group), 400, "course_id")
    fails(
        api(client, program, act, user_group_id=their_group, course_id=course["id"]),
        404,
        "user_group_id",
    )
    fails(api(client, program, act, user_group_id=group, course_id=their_course), 404, "course_id")


# --- get_user_courses -----------------------------------------------------------------------


def test_get_user_courses_direct_through_groups_and_paths_each_once(
    client: TestClient, program: Program, other: Program
) -> None:
    user = new_user(client, program, "avery@example.com")
    bystander = new_user(client, program, "bystander@example.com")
    c = [
        new_course(client, program, f"Course {i}", tags="onboarding,required")["id"]
        for i in range(6)
    ]
    new_course(client, other, "Elsewhere")
    assert course_ids_of(client, program, user_id=user["id"]) == []
    ok(api(client, program, "enroll_user_in_courses", user_id=user["id"], course_ids=[c[4], c[0]]))
    group = new_group(client, program, "Group", [user["id"]])
    ok(api(client, program, "add_course_to_user_group", user_group_id=group, course_id=c[0]))
    ok(api(client, program, "add_course_to_user_group", user_group_id=group, course_id=c[1]))
    direct_path = new_path(client, program, "Direct path", [c[2], c[1]])
    group_path = new_path(client, program, "Group path", [c[3], c[2]])
    new_path(client, program, "Not followed", [c[5]])

    def follow(session: Session, ctx: Context) -> None:
        add_users_to_learning_path(session, ctx, path_id=direct_path, user_ids=[user["id"]])
        add_groups_to_learning_path(session, ctx, path_id=group_path, group_ids=[group])

    arrange(client, program, follow)
    courses = ok(api(client, program, "get_user_courses", user_email="AVERY@example.com"))
    assert [course["id"] for course in courses] == c[:5]
    for course in courses:
        assert_course_shape(course)
    assert courses[0] == ok(api(client, program, "get_course", course_id=c[0]))
    assert course_ids_of(client, program, user_id=bystander["id"]) == []
    root = parse_xml(
        api(client, program, "get_user_courses", format="xml", user_id=user["id"]).content
    )
    assert (root.tag, root.get("type")) == ("courses", "array")
    assert [int(course.findtext("id") or 0) for course in root] == c[:5]


def test_get_user_courses_needs_a_known_user(
    client: TestClient, program: Program, other: Program
) -> None:
    theirs = new_user(client, other, "theirs@example.com")
    fails(api(client, program, "get_user_courses"), 400, "user_id")
    fails(api(client, program, "get_user_courses", user_id=theirs["id"]), 404, "user_id")
    fails(
        api(client, program, "get_user_courses", user_email="theirs@example.com"), 404, "user_email"
    )


# --- mass_enroll ----------------------------------------------------------------------------


def test_mass_enroll_with_the_specs_sample_parameters(client: TestClient, program: Program) -> None:
    users = [new_user(client, program, f"u{i}@example.com")["id"] for i in range(2)]
    outsider = new_user(client, program, "outsider@example.com")["id"]
    courses = [new_course(client, program, f"C{i}")["id"] for i in range(4)]
    groups = [new_group(client, program, f"G{i}") for i in range(4)]
    path_course = new_course(client, program, "In the bundle")["id"]
    bundle = new_path(client, program, "Bundle", [path_course])
    params = {
        "user_emails": "u0@example.com, U1@Example.com",
        "course_ids": ",".join(map(str, courses)),
        "user_group_ids": ",".join(map(str, groups)),
        "course_bundle_ids": str(bundle),
    }
    assert ok(api(client, program, "mass_enroll", **params)) == SUCCESS
    for user in users:
        assert course_ids_of(client, program, user_id=user) == [*courses, path_course]
    assert course_ids_of(client, program, user_id=outsider) == []
    after = counts(client, program)
    assert (after["enrollments"], after["members"], after["path_users"]) == (8, 8, 2)
    assert len(events(client, program, "enrollment.created")) == 8
    assert len(events(client, program, "group.member_added")) == 8
    assert len(events(client, program, "path.enrollment_created")) == 2
    # Again, as JSON arrays on a GET: nothing new.
    params = {
        "user_emails": ["u0@example.com", "u1@example.com"],
        "course_ids": courses,
        "user_group_ids": [str(g) for g in groups],
        "course_bundle_ids": [bundle],
    }
    assert ok(api(client, program, "mass_enroll", "GET", **params)) == SUCCESS
    assert counts(client, program) == after


def test_mass_enroll_takes_user_ids_and_any_one_kind(client: TestClient, program: Program) -> None:
    user = new_user(client, program, "u@example.com")["id"]
    group = new_group(client, program, "G")
    ok(api(client, program, "mass_enroll", user_ids=str(user), user_group_ids=group))
    assert counts(client, program)["members"] == 1
    assert counts(client, program)["enrollments"] == 0


def test_mass_enroll_is_all_or_nothing_naming_every_unknown(
    client: TestClient, program: Program, other: Program
) -> None:
    new_user(client, program, "known@example.com")
    new_user(client, other, "theirs@example.com")
    course = new_course(client, program, "C")["id"]
    their_course = new_course(client, other, "Theirs")["id"]
    group = new_group(client, program, "G")
    bundle = new_path(client, program, "B", [course])
    before = counts(client, program)
    good = {
        "user_emails": "known@example.com",
        "course_ids": str(course),
        "user_group_ids": str(group),
        "course_bundle_ids": str(bundle),
    }
    cases = [
        (
            "user_emails",
            "known@example.com,theirs@example.com,Nobody@example.com",
            ["theirs@example.com", "Nobody@example.com"],
        ),
        ("course_ids", f"{course},{their_course},424242", [str(their_course), "424242"]),
        ("user_group_ids", f"{group},777777,888888", ["777777", "888888"]),
        ("course_bundle_ids", f"{bundle},555555,666666", ["555555", "666666"]),
    ]
    for field, value, unknown in cases:
        response = api(client, program, "mass_enroll", **{**good, field: value})
        fails(response, 404, field)
        for name in unknown:
            assert name in response.json()["message"], (field, response.json())
        assert counts(client, program) == before, field
    every_kind = {
        "user_emails": "known@example.com, theirs@example.com",
        "course_ids": f"{their_course}",
        "user_group_ids": "777777",
        "course_bundle_ids": "555555",
    }
    response = api(client, program, "mass_enroll", **every_kind)
    fails(response, 404, "user_emails")
    for name in ("theirs@example.com", str(their_course), "777777", "555555"):
        assert name in response.json()["message"], response.json()
    assert counts(client, program) == before
    fails(api(client, program, "mass_enroll", course_ids=str(course)), 400, "user_emails")
    fails(api(client, program, "mass_enroll", **{**good, "course_ids": "1,two"}), 400, "course_ids")
    fails(
        api(client, program, "mass_enroll", **{**good, "user_group_ids": "-1"}),
        400,
        "user_group_ids",
    )
    assert counts(client, program) == before


# --- never a 500 ----------------------------------------------------------------------------

FUZZ_FIELDS = {
    "get_course": ("course_id",),
    "create_course": (
        "name",
        "active",
        "credits",
        "start_date",
        "validity_length",
        "tags",
        "contact_email",
        "course_and_lesson_time_format",
    ),
    "update_course": ("course_id", "name", "end_date", "estimated_course_length_in_minutes"),
    "destroy_course": ("course_id",),
    "enroll_user_in_course": ("user_id", "user_email", "course_id"),
    "remove_user_from_course": ("user_id", "course_id"),
    "enroll_user_in_courses": ("user_id", "course_ids"),
    "add_course_to_user_group": ("user_group_id", "course_id"),
    "get_user_courses": ("user_id", "user_email"),
    "mass_enroll": ("user_emails", "user_ids", "course_ids", "user_group_ids", "course_bundle_ids"),
}
ANCHOR = {"user_email": "anchor@example.com", "name": "Anchor", "user_group_id": 1}


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_values_are_answered_never_a_500(
    client: TestClient, program: Program, data: st.DataObject
) -> None:
    if api(client, program, "get_user", user_email="anchor@example.com").status_code != 200:
        new_user(client, program, "anchor@example.com")
    action = data.draw(st.sampled_from(sorted(FUZZ_FIELDS)))
    field = data.draw(st.sampled_from(FUZZ_FIELDS[action]))
    params: dict[str, Any] = {**ANCHOR, "course_id": 1, field: data.draw(VALUES)}
    if data.draw(st.booleans()):
        params["format"] = "xml"
    response = api(client, program, action, **params)
    assert response.status_code in (200, 400, 404, 409), response.text
    if params.get("format") == "xml":
        parse_xml(response.content)
    elif response.status_code != 200:
        assert isinstance(response.json()["field"], str), response.text
