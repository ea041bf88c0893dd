"""The SkyPrep learning path actions over HTTP, on both databases: get_learning_paths,
get_learning_path, create_learning_path, update_learning_path, destroy_learning_path,
add_course_to_learning_path, remove_course_from_learning_path, add_group_to_learning_path,
remove_group_from_learning_path (and remove_group_from_course_group)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.dialects.skyprep.group_samples import (
    LEARNING_PATH,
    LEARNING_PATH_DETAIL_KEYS,
    SUCCESS,
    assert_shape,
    new_course,
)
from tests.dialects.skyprep.test_users import (
    NEW_YORK,
    TIMESTAMP,
    api,
    events,
    fails,
    make_zoned_program,
    new_user,
    ok,
    parse_xml,
)
from tests.http_client import Program, make_program

NULLABLE = {"user_group_id", "category"}


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


@pytest.fixture
def other(client: TestClient) -> Program:
    return make_program(client, "other.skyprepapp.com")


def new_path(client: TestClient, program: Program, name: str, **params: Any) -> dict[str, Any]:
    path: dict[str, Any] = ok(api(client, program, "create_learning_path", name=name, **params))
    return path


def new_group(client: TestClient, program: Program, name: str) -> int:
    group_id: int = ok(api(client, program, "create_user_group", name=name))["id"]
    return group_id


def detail(client: TestClient, program: Program, path_id: int) -> dict[str, Any]:
    found: dict[str, Any] = ok(api(client, program, "get_learning_path", learning_path_id=path_id))
    return found


def assert_path_shape(path: dict[str, Any]) -> None:
    assert_shape(path, LEARNING_PATH, nullable=NULLABLE)
    assert TIMESTAMP.match(path["created_at"])
    assert TIMESTAMP.match(path["updated_at"])
    assert (path["user_group_type"], path["user_group_id"]) == ("learning_path", None)


# --- get_learning_paths / get_learning_path -------------------------------------------------


def test_get_learning_paths_in_the_samples_shape(
    client: TestClient, program: Program, other: Program
) -> None:
    assert api(client, program, "get_learning_paths").content == b"[]"
    first = new_path(client, program, "New Hire Learning Path", category="Department")
    second = new_path(client, program, "Leadership Path", force_order="false")
    new_path(client, other, "Theirs")
    paths = ok(api(client, program, "get_learning_paths", "GET"))
    assert paths == [first, second]
    for path in paths:
        assert_path_shape(path)
    assert (first["full_name"], first["category"], first["force_order"]) == (
        "New Hire Learning Path",
        "Department",
        True,
    )
    assert second["force_order"] is False
    root = parse_xml(api(client, program, "get_learning_paths", format="xml").content)
    assert (root.tag, root.get("type")) == ("learning-paths", "array")
    assert [p.findtext("id") for p in root] == [str(first["id"]), str(second["id"])]


def test_get_learning_path_embeds_users_and_courses_in_order(
    client: TestClient, program: Program, other: Program
) -> None:
    avery = new_user(client, program, "avery@example.com", first_name="Avery")
    later, sooner = new_course(client, program, "Later"), new_course(client, program, "Sooner")
    path = new_path(client, program, "Path", course_ids=f"{sooner},{later}", user_ids=avery["id"])
    found = ok(api(client, program, "get_learning_path", "GET", learning_path_id=str(path["id"])))
    assert tuple(found) == LEARNING_PATH_DETAIL_KEYS
    assert {k: found[k] for k in LEARNING_PATH} == path
    assert found["users"] == [ok(api(client, program, "get_user", user_id=avery["id"]))]
    assert [c["id"] for c in found["courses"]] == [sooner, later]
    assert found["courses"][0] == ok(api(client, program, "get_course", course_id=sooner))
    root = parse_xml(
        api(client, program, "get_learning_path", learning_path_id=path["id"], format="xml").content
    )
    assert root.tag == "learning-path"
    assert [c.findtext("id") for c in root.iterfind("courses/course")] == [str(sooner), str(later)]
    theirs = new_path(client, other, "Theirs")
    fails(
        api(client, program, "get_learning_path", learning_path_id=theirs["id"]),
        404,
        "learning_path_id",
    )
    fails(api(client, program, "get_learning_path"), 400, "learning_path_id")
    fails(api(client, program, "get_learning_path", learning_path_id="x1"), 400, "learning_path_id")


# --- create / update / destroy --------------------------------------------------------------


def test_create_learning_path_with_the_samples_parameters(
    client: TestClient, program: Program
) -> None:
    courses = [new_course(client, program, f"Course {i}") for i in range(3)]
    users = [new_user(client, program, f"u{i}@example.com")["id"] for i in range(3)]
    groups = [new_group(client, program, f"Group {i}") for i in range(3)]
    path = new_path(
        client,
        program,
        "Management 101",
        description="How to be successful in managing your team",
        course_ids=",".join(map(str, courses)),
        user_ids=",".join(map(str, users)),
        user_group_ids=", ".join(map(str, groups)),
    )
    assert_path_shape(path)
    assert path["description"] == "How to be successful in managing your team"
    found = detail(client, program, path["id"])
    assert [u["id"] for u in found["users"]] == users
    assert [c["id"] for c in found["courses"]] == courses
    for group_id in groups:
        linked = ok(api(client, program, "get_user_group", user_group_id=group_id))
        assert linked["learning_paths"]["id"] == path["id"]
    [created] = events(client, program, "learning_path.created")
    assert created.data["course_ids"] == courses
    assert len(events(client, program, "path.enrollment_created")) == 3
    assert len(events(client, program, "path.group_added")) == 3


def test_create_learning_path_is_all_or_nothing(
    client: TestClient, program: Program, other: Program
) -> None:
    user = new_user(client, program, "u@example.com")["id"]
    course = new_course(client, program, "Mine")
    theirs_user = new_user(client, other, "t@example.com")["id"]
    theirs_group = new_group(client, other, "Theirs")
    theirs_course = new_course(client, other, "Theirs")
    attempts = [
        ({"user_ids": f"{user},{theirs_user}"}, "user_ids"),
        ({"user_ids": user, "user_group_ids": theirs_group}, "user_group_ids"),
        ({"course_ids": f"{course},{theirs_course}"}, "course_ids"),
    ]
    for params, field in attempts:
        fails(api(client, program, "create_learning_path", name="Atomic", **params), 404, field)
    fails(api(client, program, "create_learning_path"), 400, "name")
    fails(
        api(client, program, "create_learning_path", name="X", course_ids="1,a"), 400, "course_ids"
    )
    assert ok(api(client, program, "get_learning_paths")) == []
    assert events(client, program, "learning_path.created") == []


def test_update_learning_path_with_the_samples_parameters(
    client: TestClient, program: Program, other: Program
) -> None:
    path = new_path(client, program, "Old", category="Department")
    response = api(
        client,
        program,
        "update_learning_path",
        learning_path_id=str(path["id"]),
        name="New Learning Path Name",
        description="New Learning Path Description",
    )
    assert ok(response) == SUCCESS
    found = detail(client, program, path["id"])
    assert (found["name"], found["full_name"], found["description"], found["category"]) == (
        "New Learning Path Name",
        "New Learning Path Name",
        "New Learning Path Description",
        "Department",
    )
    [event] = events(client, program, "learning_path.updated")
    assert set(event.data["changed"]) == {"name", "description"}
    theirs = new_path(client, other, "Theirs")
    fails(
        api(client, program, "update_learning_path", learning_path_id=theirs["id"], name="X"),
        404,
        "learning_path_id",
    )
    fails(
        api(client, program, "update_learning_path", learning_path_id=path["id"], name=None),
        400,
        "name",
    )
    # A blank name is absent: the path keeps its name.
    before = ok(api(client, program, "get_learning_path", learning_path_id=path["id"]))["name"]
    ok(api(client, program, "update_learning_path", learning_path_id=path["id"], name=""))
    after = ok(api(client, program, "get_learning_path", learning_path_id=path["id"]))["name"]
    assert after == before


def test_destroy_learning_path(client: TestClient, program: Program, other: Program) -> None:
    path = new_path(client, program, "Doomed")
    theirs = new_path(client, other, "Theirs")
    fails(
        api(client, program, "destroy_learning_path", learning_path_id=theirs["id"]),
        404,
        "learning_path_id",
    )
    assert ok(api(client, program, "destroy_learning_path", learning_path_id=path["id"])) == SUCCESS
    fails(
        api(client, program, "get_learning_path", learning_path_id=path["id"]),
        404,
        "learning_path_id",
    )
    [deleted] = events(client, program, "learning_path.deleted")
    assert deleted.data["learning_path_id"] == path["id"]
    assert detail(client, other, theirs["id"])["id"] == theirs["id"]


# --- courses and groups of a path -----------------------------------------------------------


def test_add_and_remove_courses(client: TestClient, program: Program, other: Program) -> None:
    first, second, third = (new_course(client, program, f"C{i}") for i in range(3))
    path = new_path(client, program, "Path", course_ids=[first])
    pid = path["id"]
    for course in (str(third), second, third):  # the repeat is a no-op
        ok(
            api(
                client,
                program,
                "add_course_to_learning_path",
                learning_path_id=pid,
                course_id=course,
            )
        )
    assert [c["id"] for c in detail(client, program, pid)["courses"]] == [first, third, second]
    assert len(events(client, program, "learning_path.updated")) == 2
    response = api(
        client, program, "remove_course_from_learning_path", learning_path_id=pid, course_id=third
    )
    assert ok(response) == SUCCESS
    assert [c["id"] for c in detail(client, program, pid)["courses"]] == [first, second]
    theirs = new_course(client, other, "Theirs")
    for action in ("add_course_to_learning_path", "remove_course_from_learning_path"):
        fails(
            api(client, program, action, learning_path_id=pid, course_id=theirs), 404, "course_id"
        )
        fails(api(client, program, action, learning_path_id=pid), 400, "course_id")
        fails(api(client, program, action, course_id=first), 400, "learning_path_id")


@pytest.mark.parametrize(
    "remove", ["remove_group_from_learning_path", "remove_group_from_course_group"]
)
def test_add_and_remove_groups_under_both_names(
    client: TestClient, program: Program, other: Program, remove: str
) -> None:
    path = new_path(client, program, "Path")
    group = new_group(client, program, "Sales")
    pid = path["id"]
    params = {"learning_path_id": str(pid), "user_group_id": str(group)}
    assert ok(api(client, program, "add_group_to_learning_path", **params)) == SUCCESS
    assert ok(api(client, program, "add_group_to_learning_path", **params)) == SUCCESS
    [added] = events(client, program, "path.group_added")
    assert added.data == {"learning_path_id": pid, "group_id": group}
    linked = ok(api(client, program, "get_user_group", user_group_id=group))["learning_paths"]
    assert linked["id"] == pid
    assert ok(api(client, program, remove, **params)) == SUCCESS
    assert ok(api(client, program, "get_user_group", user_group_id=group))["learning_paths"] is None
    assert len(events(client, program, "path.group_removed")) == 1
    theirs = new_group(client, other, "Theirs")
    for action in ("add_group_to_learning_path", remove):
        fails(
            api(client, program, action, learning_path_id=pid, user_group_id=theirs),
            404,
            "user_group_id",
        )
        fails(api(client, program, action, learning_path_id=pid), 400, "user_group_id")
