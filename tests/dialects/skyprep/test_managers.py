"""The SkyPrep manager permission actions over HTTP, on both databases:
get_manager_permissions_from_user_group, assign_manager_to_user_group,
update_manager_permissions_in_user_group, remove_manager_from_user_group."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from syllabus.domain.groups import MANAGER_PERMISSIONS
from tests.dialects.skyprep.group_samples import GROUP, MANAGER, SUCCESS, assert_shape
from tests.dialects.skyprep.test_users import (
    NEW_YORK,
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

DEFAULTS = {name: MANAGER[name] for name in MANAGER_PERMISSIONS}
"""A new manager's flags: those of the spec's get_manager_permissions sample."""


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


@pytest.fixture
def other(client: TestClient) -> Program:
    return make_program(client, "other.skyprepapp.com")


@pytest.fixture
def team(client: TestClient, program: Program) -> tuple[int, int]:
    """A group and a manager (by role) who does not manage it yet."""
    group = ok(api(client, program, "create_user_group", name="Sales Team", category="Department"))
    manager = new_user(client, program, "jordan@example.com", role="manager", first_name="Jordan")
    return group["id"], manager["id"]


def flags(answer: dict[str, Any]) -> dict[str, bool]:
    return {name: answer[name] for name in MANAGER_PERMISSIONS}


def assert_manager_shape(answer: dict[str, Any]) -> None:
    assert list(answer) == list(MANAGER)
    assert type(answer["id"]) is int
    assert_user_shape(answer["user"], may_be_null=set(answer["user"]))
    assert_shape(answer["user_group"], GROUP, nullable={"user_group_id", "category"})
    assert all(type(answer[name]) is bool for name in MANAGER_PERMISSIONS)


def test_assign_manager_with_the_samples_parameters(
    client: TestClient, program: Program, team: tuple[int, int]
) -> None:
    group_id, user_id = team
    answer = ok(
        api(
            client,
            program,
            "assign_manager_to_user_group",
            "GET",
            user_id=str(user_id),
            user_group_id=str(group_id),
            can_add_courses_to_user_group="0",
            can_remove_courses_from_user_group="0",
        )
    )
    assert_manager_shape(answer)
    assert (answer["user"]["id"], answer["user_group"]["id"]) == (user_id, group_id)
    assert answer["user"]["role"] == "manager"
    expected = {**DEFAULTS, "can_add_courses_to_user_group": False}
    assert flags(answer) == expected
    [event] = events(client, program, "group.manager_assigned")
    assert event.data == {"group_id": group_id, "user_id": user_id, "permissions": expected}
    got = ok(
        api(
            client,
            program,
            "get_manager_permissions_from_user_group",
            "GET",
            user_email="JORDAN@example.com",
            user_group_id=group_id,
        )
    )
    assert got == answer


def test_assigning_again_applies_the_flags_given(
    client: TestClient, program: Program, team: tuple[int, int]
) -> None:
    group_id, user_id = team
    first = ok(
        api(
            client, program, "assign_manager_to_user_group", user_id=user_id, user_group_id=group_id
        )
    )
    assert flags(first) == DEFAULTS
    again = ok(
        api(
            client,
            program,
            "assign_manager_to_user_group",
            user_id=user_id,
            user_group_id=group_id,
            can_edit_user_password=True,
        )
    )
    assert again["id"] == first["id"]
    assert again["can_edit_user_password"] is True
    assert len(events(client, program, "group.manager_assigned")) == 1
    [updated] = events(client, program, "group.manager_permissions_updated")
    assert updated.data["changed"] == ["can_edit_user_password"]


def test_update_manager_permissions_with_the_samples_parameters(
    client: TestClient, program: Program, team: tuple[int, int]
) -> None:
    group_id, user_id = team
    ok(
        api(
            client, program, "assign_manager_to_user_group", user_id=user_id, user_group_id=group_id
        )
    )
    answer = ok(
        api(
            client,
            program,
            "update_manager_permissions_in_user_group",
            user_id=str(user_id),
            user_group_id=str(group_id),
            can_add_courses_to_user_group="0",
            can_remove_courses_from_user_group="1",
            can_add_users="false",
        )
    )
    assert_manager_shape(answer)
    assert flags(answer) == {
        **DEFAULTS,
        "can_add_courses_to_user_group": False,
        "can_remove_courses_from_user_group": True,
        "can_add_users": False,
    }
    [event] = events(client, program, "group.manager_permissions_updated")
    assert set(event.data["changed"]) == {
        "can_add_courses_to_user_group",
        "can_remove_courses_from_user_group",
        "can_add_users",
    }
    fails(
        api(
            client,
            program,
            "update_manager_permissions_in_user_group",
            user_id=user_id,
            user_group_id=group_id,
            can_add_users="sometimes",
        ),
        400,
        "can_add_users",
    )
    root = parse_xml(
        api(
            client,
            program,
            "get_manager_permissions_from_user_group",
            user_id=user_id,
            user_group_id=group_id,
            format="xml",
        ).content
    )
    assert root.findtext("can-add-users") == "false"
    assert root.findtext("user/email") == "jordan@example.com"
    assert root.findtext("user-group/name") == "Sales Team"


def test_remove_manager(client: TestClient, program: Program, team: tuple[int, int]) -> None:
    group_id, user_id = team
    ok(
        api(
            client, program, "assign_manager_to_user_group", user_id=user_id, user_group_id=group_id
        )
    )
    params = {"user_id": user_id, "user_group_id": group_id}
    assert ok(api(client, program, "remove_manager_from_user_group", "GET", **params)) == SUCCESS
    assert ok(api(client, program, "remove_manager_from_user_group", **params)) == SUCCESS
    [event] = events(client, program, "group.manager_removed")
    assert event.data == {"group_id": group_id, "user_id": user_id}
    fails(api(client, program, "get_manager_permissions_from_user_group", **params), 404, "user_id")
    fails(
        api(client, program, "update_manager_permissions_in_user_group", **params, can_add_users=1),
        404,
        "user_id",
    )


def test_a_manager_record_goes_with_its_group(
    client: TestClient, program: Program, team: tuple[int, int]
) -> None:
    group_id, user_id = team
    ok(
        api(
            client, program, "assign_manager_to_user_group", user_id=user_id, user_group_id=group_id
        )
    )
    ok(api(client, program, "destroy_user_group", user_group_id=group_id))
    regrouped = ok(api(client, program, "create_user_group", name="Sales Team"))["id"]
    fails(
        api(
            client,
            program,
            "get_manager_permissions_from_user_group",
            user_id=user_id,
            user_group_id=regrouped,
        ),
        404,
        "user_id",
    )


def test_only_managers_and_admins_can_manage_a_group(
    client: TestClient, program: Program, team: tuple[int, int]
) -> None:
    group_id, _ = team
    learner = new_user(client, program, "learner@example.com")["id"]
    admin = new_user(client, program, "admin@example.com", role="admin")["id"]
    response = api(
        client, program, "assign_manager_to_user_group", user_id=learner, user_group_id=group_id
    )
    fails(response, 400, "user_id")
    assert "manager" in response.json()["message"]
    answer = ok(
        api(client, program, "assign_manager_to_user_group", user_id=admin, user_group_id=group_id)
    )
    assert answer["user"]["admin"] is True
    assert len(events(client, program, "group.manager_assigned")) == 1


@pytest.mark.parametrize(
    "action",
    [
        "get_manager_permissions_from_user_group",
        "assign_manager_to_user_group",
        "update_manager_permissions_in_user_group",
        "remove_manager_from_user_group",
    ],
)
def test_other_programs_ids_and_missing_parameters(
    client: TestClient, program: Program, other: Program, team: tuple[int, int], action: str
) -> None:
    group_id, user_id = team
    their_group = ok(api(client, other, "create_user_group", name="Theirs"))["id"]
    their_manager = new_user(client, other, "boss@example.com", role="manager")["id"]
    fails(
        api(client, program, action, user_id=user_id, user_group_id=their_group),
        404,
        "user_group_id",
    )
    fails(
        api(client, program, action, user_id=their_manager, user_group_id=group_id), 404, "user_id"
    )
    fails(api(client, program, action, user_group_id=group_id), 400, "user_id")
    fails(api(client, program, action, user_id=user_id), 400, "user_group_id")
    fails(api(client, program, action, user_id="me", user_group_id=group_id), 400, "user_id")
    assert events(client, program, "group.manager_assigned") == []
