"""The SkyPrep power user actions over HTTP, on both databases: get_power_users,
get_user_roles, get_datasets, create_or_update_power_users, destroy_power_user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from syllabus.core.context import Context, Surface
from syllabus.db.session import unit_of_work
from syllabus.services.power_users import create_dataset, create_user_role
from tests.dialects.skyprep.group_samples import SUCCESS
from tests.dialects.skyprep.spec_samples import USER
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

ROLE = {
    "id": 601,
    "name": "Regional Training Manager",
    "description": "Can manage assigned users, groups, and courses.",
    "permissions": {"users": "assigned", "courses": "assigned", "reports": "enabled"},
    "powers_count": 5,
}
DATASET: dict[str, Any] = {
    "model_type": "dataset",
    "name": "Sales Region Dataset",
    "id": 701,
    "program_id": 1,
    "dataset_summary": {"users": 24, "courses": 6, "user_groups": 2},
    "dataset_scopes": {
        "users_dataset": {"static_id_list": [101, 102], "dynamic_rules": None, "all": False},
        "courses_dataset": {"static_id_list": [201, 202], "dynamic_rules": None, "all": False},
    },
    "created_at": "2026-04-01T09:00:00.000-04:00",
    "created_at_int": 1775048400,
    "updated_at": "2026-05-01T09:00:00.000-04:00",
    "updated_at_int": 1777630800,
}
PERMISSIONS = {"id": 801, "user_role_id": 601, "dataset_ids": [701]}


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


@pytest.fixture
def other(client: TestClient) -> Program:
    return make_program(client, "other.skyprepapp.com")


def seed(client: TestClient, program: Program, make: Callable[[Session, Context], Any]) -> int:
    """Run a service in the program (roles and datasets have no action that creates them)."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        made_id: int = make(session, Context(program.tenant_id, "test", Surface.CLI)).id
        return made_id


def same_shape(answer: Any, sample: Any) -> None:
    """Keys in the sample's order, each value of the sample's JSON type, recursively."""
    if isinstance(sample, dict):
        assert list(answer) == list(sample)
        for key, value in sample.items():
            if value is not None:
                same_shape(answer[key], value)
    elif isinstance(sample, list):
        assert isinstance(answer, list)
        for item in answer:
            same_shape(item, sample[0])
    else:
        assert type(answer) is type(sample), (answer, sample)


def user_part(answer: dict[str, Any], extra: str) -> dict[str, Any]:
    assert list(answer)[-1] == extra
    assert_user_shape({k: v for k, v in answer.items() if k != extra}, may_be_null=set(USER))
    return answer


@pytest.fixture
def setup(client: TestClient, program: Program) -> dict[str, int]:
    jordan = new_user(client, program, "jordan@example.com", role="manager")["id"]
    avery = new_user(client, program, "avery@example.com")["id"]
    course = ok(api(client, program, "create_course", name="Safety"))["id"]
    role = seed(
        client,
        program,
        lambda s, c: create_user_role(
            s,
            c,
            name=ROLE["name"],
            description=ROLE["description"],
            permissions=ROLE["permissions"],
        ),
    )
    dataset = seed(
        client,
        program,
        lambda s, c: create_dataset(
            s, c, name=DATASET["name"], user_ids=[jordan, avery], course_ids=[course]
        ),
    )
    return {"jordan": jordan, "avery": avery, "course": course, "role": role, "dataset": dataset}


def test_create_or_update_with_the_samples_parameters(
    client: TestClient, program: Program, setup: dict[str, int]
) -> None:
    s = setup
    answer = ok(
        api(
            client,
            program,
            "create_or_update_power_users",
            user_ids=[s["jordan"], s["avery"]],
            user_role_id=s["role"],
            dataset_ids=[s["dataset"]],
        )
    )
    # One user object, as the sample shows: the first of user_ids (both are assigned).
    assert isinstance(answer, dict)
    assert answer["id"] == s["jordan"]
    user_part(answer, "user_permission")
    assert answer["user_permission"]["role"] == "power_user"
    permissions = answer["user_permission"]["power_user_permissions"]
    same_shape(permissions, PERMISSIONS)
    assert (permissions["user_role_id"], permissions["dataset_ids"]) == (
        s["role"],
        [s["dataset"]],
    )
    assert answer["role"] == "manager"  # the user's own role is left alone
    assert len(events(client, program, "power_user.assigned")) == 2

    # Update, as a form with comma-separated ids: no datasets now.
    response = client.post(
        "/admin/api/create_or_update_power_users",
        data={
            "api_key": program.api_key,
            "acct_key": program.acct_key,
            "user_ids": str(s["avery"]),
            "user_role_id": str(s["role"]),
            "dataset_ids": "",
        },
    )
    avery = ok(response)
    assert avery["id"] == s["avery"]
    assert avery["user_permission"]["power_user_permissions"]["dataset_ids"] == []
    assert len(events(client, program, "power_user.updated")) == 1

    powers = ok(api(client, program, "get_power_users", "GET"))
    assert [u["id"] for u in powers] == [s["jordan"], s["avery"]]
    for user in powers:
        user_part(user, "power_user_permissions")
    assert list(powers[0]["power_user_permissions"]) == ["id", "dataset_ids", "user_role_id"]
    assert powers[0]["power_user_permissions"]["dataset_ids"] == [s["dataset"]]
    root = parse_xml(api(client, program, "get_power_users", format="xml").content)
    assert root.tag == "users"
    assert len(root) == 2
    assigned = api(
        client,
        program,
        "create_or_update_power_users",
        user_ids=[s["avery"], s["jordan"]],
        user_role_id=s["role"],
        format="xml",
    )
    root = parse_xml(assigned.content)
    assert root.tag == "user"
    assert root.findtext("id") == str(s["avery"])


def test_create_or_update_errors(
    client: TestClient, program: Program, other: Program, setup: dict[str, int]
) -> None:
    s = setup
    action = "create_or_update_power_users"
    their_role = seed(client, other, lambda ss, c: create_user_role(ss, c, name="Theirs"))
    their_user = new_user(client, other, "them@example.com")["id"]
    fails(
        api(client, program, action, user_ids=[s["jordan"]], user_role_id=their_role),
        404,
        "user_role_id",
    )
    fails(
        api(client, program, action, user_ids=[s["jordan"], their_user], user_role_id=s["role"]),
        404,
        "user_ids",
    )
    fails(
        api(
            client,
            program,
            action,
            user_ids=[s["jordan"]],
            user_role_id=s["role"],
            dataset_ids="9999",
        ),
        404,
        "dataset_ids",
    )
    assert ok(api(client, program, "get_power_users")) == []
    fails(api(client, program, action, user_role_id=s["role"]), 400, "user_ids")
    fails(api(client, program, action, user_ids="x", user_role_id=s["role"]), 400, "user_ids")
    fails(api(client, program, action, user_ids=[s["jordan"]]), 400, "user_role_id")
    fails(
        api(client, program, action, user_ids=[s["jordan"]], user_role_id="r"), 400, "user_role_id"
    )


def test_get_user_roles_and_datasets_in_the_samples_shape(
    client: TestClient, program: Program, setup: dict[str, int]
) -> None:
    s = setup
    ok(
        api(
            client,
            program,
            "create_or_update_power_users",
            user_ids=[s["jordan"]],
            user_role_id=s["role"],
        )
    )
    [role] = ok(api(client, program, "get_user_roles", "GET"))
    same_shape(role, ROLE)
    assert (role["id"], role["permissions"], role["powers_count"]) == (
        s["role"],
        ROLE["permissions"],
        1,
    )
    [dataset] = ok(api(client, program, "get_datasets", "GET"))
    same_shape(dataset, DATASET)
    assert dataset["id"] == s["dataset"]
    assert dataset["program_id"] == program.tenant_id
    assert dataset["dataset_scopes"]["users_dataset"]["static_id_list"] == [s["jordan"], s["avery"]]
    assert dataset["dataset_scopes"]["courses_dataset"]["static_id_list"] == [s["course"]]
    assert dataset["dataset_summary"] == {"users": 2, "courses": 1, "user_groups": 0}
    assert dataset["created_at"][-6:] in {"-05:00", "-04:00"}  # the program's New York time
    for name, root_tag in (("get_user_roles", "user-roles"), ("get_datasets", "datasets")):
        root = parse_xml(api(client, program, name, format="xml").content)
        assert (root.tag, len(root)) == (root_tag, 1)


def test_destroy_power_user_keeps_the_user(
    client: TestClient, program: Program, other: Program, setup: dict[str, int]
) -> None:
    s = setup
    ok(
        api(
            client,
            program,
            "create_or_update_power_users",
            user_ids=[s["jordan"]],
            user_role_id=s["role"],
        )
    )
    assert ok(api(client, program, "destroy_power_user", user_id=str(s["jordan"]))) == SUCCESS
    assert ok(api(client, program, "get_power_users")) == []
    assert ok(api(client, program, "get_user", user_id=s["jordan"]))["id"] == s["jordan"]
    [removed] = events(client, program, "power_user.removed")
    assert removed.data["user_id"] == s["jordan"]
    # Twice is fine; by email too.
    assert (
        ok(api(client, program, "destroy_power_user", user_email="JORDAN@example.com")) == SUCCESS
    )
    their_user = new_user(client, other, "them@example.com")["id"]
    fails(api(client, program, "destroy_power_user", user_id=their_user), 404, "user_id")
    fails(api(client, program, "destroy_power_user"), 400, "user_id")
    fails(api(client, program, "destroy_power_user", user_id="abc"), 400, "user_id")
