"""The SkyPrep user group actions over HTTP, on both databases: get_user_groups, get_user_group,
create_user_group, update_user_group, destroy_user_group, enroll_user_in_user_group,
remove_user_from_user_group, get_user_group_enrollments_for_user, remove_course_from_user_group
(and remove_course_from_course_group). Shapes are checked against the spec's samples."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.dialects.skyprep.group_samples import (
    GROUP,
    GROUP_DETAIL_KEYS,
    LEARNING_PATH,
    SUCCESS,
    assert_shape,
    new_course,
)
from tests.dialects.skyprep.test_users import (
    NEW_YORK,
    TIMESTAMP,
    api,
    assert_user_shape,
    events,
    fails,
    make_zoned_program,
    new_user,
    ok,
    parse_xml,
)
from tests.http_client import Program, make_program

GROUP_NULLABLE = {"user_group_id", "category"}


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


@pytest.fixture
def other(client: TestClient) -> Program:
    return make_program(client, "other.skyprepapp.com")


def new_group(client: TestClient, program: Program, name: str, **params: Any) -> dict[str, Any]:
    group: dict[str, Any] = ok(api(client, program, "create_user_group", name=name, **params))
    return group


def assert_group_shape(group: dict[str, Any]) -> None:
    assert_shape(group, GROUP, nullable=GROUP_NULLABLE)
    assert TIMESTAMP.match(group["created_at"])
    assert TIMESTAMP.match(group["updated_at"])


# --- get_user_groups ------------------------------------------------------------------------


def test_get_user_groups_answers_the_hierarchy_in_the_samples_shape(
    client: TestClient, program: Program, other: Program
) -> None:
    sales = new_group(client, program, "Sales", category="Department", description="Sellers")
    west = new_group(client, program, "West Region", parent_user_group_id=str(sales["id"]))
    new_group(client, other, "Elsewhere")
    groups = ok(api(client, program, "get_user_groups", "GET"))
    assert [g["id"] for g in groups] == [sales["id"], west["id"]]
    for group in groups:
        assert_group_shape(group)
    assert groups[0] == sales
    assert (sales["user_group_id"], sales["category"], sales["description"]) == (
        None,
        "Department",
        "Sellers",
    )
    assert (west["full_name"], west["user_group_id"]) == ("Sales / West Region", sales["id"])
    assert (west["user_group_type"], west["force_order"], west["category"]) == ("user", False, None)
    assert sales["created_at"].endswith(("-04:00", "-05:00"))  # the program's zone


def test_get_user_groups_of_an_empty_program_and_as_xml(
    client: TestClient, program: Program
) -> None:
    assert api(client, program, "get_user_groups").content == b"[]"
    new_group(client, program, "Sales", category="Department")
    root = parse_xml(api(client, program, "get_user_groups", format="xml").content)
    assert (root.tag, root.get("type")) == ("user-groups", "array")
    [group] = list(root)
    assert group.tag == "user-group"
    assert group.findtext("full-name") == "Sales"
    assert group.find("user-group-id") is not None
    assert group.find("user-group-id").get("nil") == "true"  # type: ignore[union-attr]
    assert group.find("force-order").get("type") == "boolean"  # type: ignore[union-attr]


# --- create_user_group ----------------------------------------------------------------------


def test_create_user_group_with_the_samples_parameters(
    client: TestClient, program: Program
) -> None:
    users = [new_user(client, program, f"member{i}@example.com")["id"] for i in range(3)]
    courses = [new_course(client, program, f"Course {i}") for i in range(3)]
    group = new_group(
        client,
        program,
        "Sales Team",
        course_ids=",".join(str(c) for c in courses),
        user_ids=f"{users[0]}, {users[1]},{users[2]}",
    )
    assert_group_shape(group)
    assert (group["name"], group["full_name"], group["user_group_type"]) == ("Sales Team",) * 2 + (
        "user",
    )
    detail = ok(api(client, program, "get_user_group", user_group_id=group["id"]))
    assert [u["id"] for u in detail["users"]] == users
    assert [c["id"] for c in detail["courses"]] == courses
    [created] = events(client, program, "group.created")
    assert created.data["group_id"] == group["id"]
    assert sorted(e.data["user_id"] for e in events(client, program, "group.member_added")) == users
    assert len(events(client, program, "group.course_added")) == 3


def test_create_user_group_takes_emails_json_arrays_and_form_bodies(
    client: TestClient, program: Program
) -> None:
    a = new_user(client, program, "a@example.com")["id"]
    b = new_user(client, program, "b@example.com")["id"]
    group = new_group(client, program, "By email", user_emails="A@Example.com; ,b@example.com")
    members = ok(api(client, program, "get_user_group", user_group_id=str(group["id"])))["users"]
    assert [u["id"] for u in members] == [a, b]
    group = new_group(client, program, "By array", user_ids=[a, str(b)], force_order="1")
    assert group["force_order"] is True
    form = {
        "api_key": program.api_key,
        "acct_key": program.acct_key,
        "name": "By form",
        "user_ids": f"{a},{b}",
    }
    response = client.post("/admin/api/create_user_group", data=form)
    assert_group_shape(ok(response))


def test_create_user_group_is_all_or_nothing_and_names_every_unknown_user(
    client: TestClient, program: Program, other: Program
) -> None:
    known = new_user(client, program, "known@example.com")["id"]
    foreign = new_user(client, other, "foreign@example.com")["id"]
    response = api(
        client,
        program,
        "create_user_group",
        name="Atomic",
        user_ids=f"{known},{foreign},999999",
        user_emails="nobody@example.com,known@example.com",
    )
    fails(response, 404, "user_ids")
    message = response.json()["message"]
    for unknown in (str(foreign), "999999", "nobody@example.com"):
        assert unknown in message
    assert str(known) + "," not in message
    assert "known@" not in message
    assert ok(api(client, program, "get_user_groups")) == []
    assert events(client, program, "group.created") == []
    assert events(client, program, "group.member_added") == []


def test_create_user_group_rejects_unknown_courses_and_bad_input(
    client: TestClient, program: Program, other: Program
) -> None:
    foreign_course = new_course(client, other, "Theirs")
    fails(
        api(client, program, "create_user_group", name="X", course_ids=str(foreign_course)),
        404,
        "course_ids",
    )
    user = new_user(client, program, "u@example.com")["id"]
    response = api(
        client, program, "create_user_group", name="X", user_ids=user, course_ids="424242"
    )
    fails(response, 404, "course_ids")
    fails(api(client, program, "create_user_group"), 400, "name")
    fails(api(client, program, "create_user_group", name="  "), 400, "name")
    fails(api(client, program, "create_user_group", name="X", user_ids="1,two"), 400, "user_ids")
    fails(
        api(client, program, "create_user_group", name="X", force_order="maybe"), 400, "force_order"
    )
    assert ok(api(client, program, "get_user_groups")) == []
    new_group(client, program, "Sales")
    fails(api(client, program, "create_user_group", name="sales"), 409, "name")


# --- get_user_group -------------------------------------------------------------------------


def test_get_user_group_embeds_users_courses_and_a_learning_path(
    client: TestClient, program: Program
) -> None:
    avery = new_user(client, program, "avery@example.com", first_name="Avery", last_name="Learner")
    course = new_course(client, program, "New Hire Orientation")
    group = new_group(
        client,
        program,
        "Sales Team",
        category="Department",
        user_ids=avery["id"],
        course_ids=course,
    )
    detail = ok(api(client, program, "get_user_group", "GET", user_group_id=str(group["id"])))
    assert tuple(detail) == GROUP_DETAIL_KEYS
    assert {k: detail[k] for k in GROUP} == group
    [user] = detail["users"]
    assert_user_shape(
        user, may_be_null={"last_course_id", "last_login", *GROUP_NULLABLE} | set(user)
    )
    assert user == ok(api(client, program, "get_user", user_id=avery["id"]))
    [rendered] = detail["courses"]
    assert rendered == ok(api(client, program, "get_course", course_id=course))
    assert detail["learning_paths"] is None
    path = ok(api(client, program, "create_learning_path", name="New Hire Learning Path"))
    ok(
        api(
            client,
            program,
            "add_group_to_learning_path",
            learning_path_id=path["id"],
            user_group_id=group["id"],
        )
    )
    detail = ok(api(client, program, "get_user_group", user_group_id=group["id"]))
    assert_shape(detail["learning_paths"], LEARNING_PATH, nullable=GROUP_NULLABLE)
    assert detail["learning_paths"]["id"] == path["id"]
    root = parse_xml(
        api(client, program, "get_user_group", user_group_id=group["id"], format="xml").content
    )
    assert root.tag == "user-group"
    assert root.find("users").get("type") == "array"  # type: ignore[union-attr]
    assert root.findtext("users/user/email") == "avery@example.com"


def test_get_user_group_unknown_foreign_and_bad_ids(
    client: TestClient, program: Program, other: Program
) -> None:
    theirs = new_group(client, other, "Theirs")
    fails(api(client, program, "get_user_group", user_group_id=theirs["id"]), 404, "user_group_id")
    fails(api(client, program, "get_user_group", user_group_id="98765"), 404, "user_group_id")
    fails(api(client, program, "get_user_group"), 400, "user_group_id")
    fails(api(client, program, "get_user_group", user_group_id="abc"), 400, "user_group_id")
    fails(api(client, program, "get_user_group", user_group_id=-3), 400, "user_group_id")


# --- update_user_group / destroy_user_group -------------------------------------------------


def test_update_user_group_changes_only_what_is_given(client: TestClient, program: Program) -> None:
    sales = new_group(client, program, "Sales")
    team = new_group(client, program, "Team", description="Keep me", category="Department")
    response = api(
        client,
        program,
        "update_user_group",
        user_group_id=str(team["id"]),
        name="West Region",
        parent_user_group_id=sales["id"],
    )
    assert ok(response) == SUCCESS
    [updated] = [g for g in ok(api(client, program, "get_user_groups")) if g["id"] == team["id"]]
    assert (updated["name"], updated["full_name"]) == ("West Region", "Sales / West Region")
    assert (updated["user_group_id"], updated["description"], updated["category"]) == (
        sales["id"],
        "Keep me",
        "Department",
    )
    [event] = events(client, program, "group.updated")
    assert set(event.data["changed"]) == {"name", "parent_id"}
    assert (
        ok(api(client, program, "update_user_group", user_group_id=team["id"], parent_id=None))
        == SUCCESS
    )
    detail = ok(api(client, program, "get_user_group", user_group_id=team["id"]))
    assert (detail["user_group_id"], detail["full_name"]) == (None, "West Region")
    fails(
        api(client, program, "update_user_group", user_group_id=sales["id"], parent_id=sales["id"]),
        400,
        "parent_id",
    )
    fails(api(client, program, "update_user_group", name="X"), 400, "user_group_id")


def test_destroy_user_group(client: TestClient, program: Program, other: Program) -> None:
    parent = new_group(client, program, "Parent")
    child = new_group(client, program, "Child", parent_user_group_id=parent["id"])
    fails(
        api(client, program, "destroy_user_group", user_group_id=parent["id"]), 409, "user_group_id"
    )
    assert ok(api(client, program, "destroy_user_group", user_group_id=str(child["id"]))) == SUCCESS
    fails(api(client, program, "get_user_group", user_group_id=child["id"]), 404, "user_group_id")
    assert [e.data["group_id"] for e in events(client, program, "group.deleted")] == [child["id"]]
    theirs = new_group(client, other, "Theirs")
    fails(
        api(client, program, "destroy_user_group", user_group_id=theirs["id"]), 404, "user_group_id"
    )
    assert (
        ok(api(client, other, "get_user_group", user_group_id=theirs["id"]))["id"] == theirs["id"]
    )


# --- members --------------------------------------------------------------------------------


def test_enroll_and_remove_a_user_by_id_or_email(
    client: TestClient, program: Program, other: Program
) -> None:
    group = new_group(client, program, "Sales")
    user = new_user(client, program, "avery@example.com")
    gid = group["id"]
    assert (
        ok(
            api(
                client,
                program,
                "enroll_user_in_user_group",
                user_group_id=gid,
                user_email="AVERY@example.com",
            )
        )
        == SUCCESS
    )
    assert (
        ok(
            api(
                client,
                program,
                "enroll_user_in_user_group",
                user_group_id=str(gid),
                user_id=str(user["id"]),
            )
        )
        == SUCCESS
    )
    members = ok(api(client, program, "get_user_group", user_group_id=gid))["users"]
    assert [u["id"] for u in members] == [user["id"]]
    assert len(events(client, program, "group.member_added")) == 1  # the second was a no-op
    assert (
        ok(
            api(
                client,
                program,
                "remove_user_from_user_group",
                user_id=user["id"],
                user_group_id=gid,
            )
        )
        == SUCCESS
    )
    assert ok(api(client, program, "get_user_group", user_group_id=gid))["users"] == []
    [removed] = events(client, program, "group.member_removed")
    assert removed.data == {"group_id": gid, "user_id": user["id"]}
    stranger = new_user(client, other, "stranger@example.com")
    for action in ("enroll_user_in_user_group", "remove_user_from_user_group"):
        fails(
            api(client, program, action, user_group_id=gid, user_id=stranger["id"]), 404, "user_id"
        )
        fails(
            api(client, program, action, user_group_id=gid, user_email="stranger@example.com"),
            404,
            "user_email",
        )
        fails(api(client, program, action, user_group_id=gid), 400, "user_id")
        fails(api(client, program, action, user_id=user["id"]), 400, "user_group_id")


def test_get_user_group_enrollments_for_user(client: TestClient, program: Program) -> None:
    user = new_user(client, program, "avery@example.com")
    sales = new_group(client, program, "Sales", user_ids=user["id"])
    new_group(client, program, "Others")
    west = new_group(
        client, program, "West Region", parent_user_group_id=sales["id"], user_ids=str(user["id"])
    )
    groups = ok(
        api(
            client,
            program,
            "get_user_group_enrollments_for_user",
            "GET",
            user_email="avery@example.com",
        )
    )
    assert groups == [sales, west]
    for group in groups:
        assert_group_shape(group)
    assert (
        ok(api(client, program, "get_user_group_enrollments_for_user", user_id=user["id"]))
        == groups
    )
    loner = new_user(client, program, "loner@example.com")
    assert (
        api(client, program, "get_user_group_enrollments_for_user", user_id=loner["id"]).content
        == b"[]"
    )
    fails(api(client, program, "get_user_group_enrollments_for_user"), 400, "user_id")
    fails(
        api(client, program, "get_user_group_enrollments_for_user", user_id=999999), 404, "user_id"
    )


# --- courses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action", ["remove_course_from_user_group", "remove_course_from_course_group"]
)
def test_remove_course_from_user_group_under_both_names(
    client: TestClient, program: Program, other: Program, action: str
) -> None:
    keep, drop = new_course(client, program, "Keep"), new_course(client, program, "Drop")
    group = new_group(client, program, "Sales", course_ids=[keep, drop])
    assert (
        ok(api(client, program, action, user_group_id=str(group["id"]), course_id=str(drop)))
        == SUCCESS
    )
    courses = ok(api(client, program, "get_user_group", user_group_id=group["id"]))["courses"]
    assert [c["id"] for c in courses] == [keep]
    [removed] = events(client, program, "group.course_removed")
    assert removed.data == {"group_id": group["id"], "course_id": drop}
    assert ok(api(client, program, action, user_group_id=group["id"], course_id=drop)) == SUCCESS
    theirs = new_course(client, other, "Theirs")
    fails(
        api(client, program, action, user_group_id=group["id"], course_id=theirs), 404, "course_id"
    )
    fails(api(client, program, action, user_group_id=group["id"]), 400, "course_id")
    fails(api(client, program, action, course_id=keep), 400, "user_group_id")


# --- wire -----------------------------------------------------------------------------------

ACTIONS = (
    "get_user_groups",
    "get_user_group",
    "create_user_group",
    "update_user_group",
    "destroy_user_group",
    "enroll_user_in_user_group",
    "remove_user_from_user_group",
    "get_user_group_enrollments_for_user",
    "remove_course_from_user_group",
    "remove_course_from_course_group",
    "get_learning_paths",
    "get_learning_path",
    "create_learning_path",
    "update_learning_path",
    "destroy_learning_path",
    "add_course_to_learning_path",
    "remove_course_from_learning_path",
    "add_group_to_learning_path",
    "remove_group_from_learning_path",
    "remove_group_from_course_group",
    "get_manager_permissions_from_user_group",
    "assign_manager_to_user_group",
    "update_manager_permissions_in_user_group",
    "remove_manager_from_user_group",
)


def test_every_action_is_listed_and_answers_get_with_a_query_string_and_headers(
    client: TestClient, program: Program
) -> None:
    assert set(ACTIONS) <= set(ok(api(client, program, "available_api_calls")))
    headers = {"X-SkyPrep-API-Key": program.api_key, "X-SkyPrep-Acct-Key": program.acct_key}
    response = client.get(
        "/admin/api/create_user_group/", params={"name": "From a GET"}, headers=headers
    )
    created = ok(response)
    assert response.headers["Deprecation"] == "true"
    response = client.post(
        f"/admin/api/get_user_group?user_group_id={created['id']}", headers=headers
    )
    assert ok(response)["name"] == "From a GET"
