"""get_program and get_data over HTTP against the spec's samples, on both databases."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.dialects.skyprep.test_power_users import same_shape
from tests.dialects.skyprep.test_users import (
    NEW_YORK,
    api,
    fails,
    make_zoned_program,
    new_user,
    ok,
    parse_xml,
)
from tests.http_client import Program, make_program

PROGRAM_SAMPLE = {
    "created_at": "2020-01-01T09:00:00.000-05:00",
    "updated_at": "2026-05-01T09:00:00.000-04:00",
    "name": "Example Training Portal",
    "acct_key": "example.skyprepapp.com",
    "users_count": 302,
    "courses_count": 42,
    "user_groups_count": 9,
    "admin_count": 4,
    "learning_paths_count": 6,
}


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


@pytest.fixture
def filled(client: TestClient, program: Program) -> Program:
    """2 admins, 1 manager, 3 learners, 2 courses, 3 groups, 1 learning path."""
    for i in range(2):
        new_user(client, program, f"admin{i}@example.com", role="admin")
    new_user(client, program, "boss@example.com", role="manager")
    for i in range(3):
        new_user(client, program, f"learner{i}@example.com")
    courses = [ok(api(client, program, "create_course", name=f"C{i}"))["id"] for i in range(2)]
    for i in range(3):
        ok(api(client, program, "create_user_group", name=f"G{i}"))
    ok(api(client, program, "create_learning_path", name="P", course_ids=courses))
    # Another program's records are not counted.
    other = make_program(client, "other.skyprepapp.com")
    new_user(client, other, "someone@example.com", role="admin")
    ok(api(client, other, "create_course", name="Theirs"))
    return program


def test_get_program_answers_the_samples_shape_with_real_counts(
    client: TestClient, filled: Program
) -> None:
    answer = ok(api(client, filled, "get_program", method="GET"))
    same_shape(answer, PROGRAM_SAMPLE)
    assert answer["acct_key"] == "example.skyprepapp.com"
    assert answer["created_at"].endswith(("-05:00", "-04:00"))  # the program's zone
    counts = {k: v for k, v in answer.items() if k.endswith("_count")}
    assert counts == {
        "users_count": 6,
        "courses_count": 2,
        "user_groups_count": 3,
        "admin_count": 2,
        "learning_paths_count": 1,
    }


def test_get_program_as_xml(client: TestClient, filled: Program) -> None:
    response = api(client, filled, "get_program", format="xml")
    root = parse_xml(response.content)
    assert root.tag == "program"
    assert root.findtext("users-count") == "6"
    assert root.find("users-count").get("type") == "integer"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data_type", "expected"),
    [
        ("user_count", 6),
        ("admin_count", 2),
        ("learner_count", 3),
        ("course_count", 2),
        ("user_group_count", 3),
        (" Learner_Count ", 3),
    ],
)
def test_get_data_answers_every_listed_data_type(
    client: TestClient, filled: Program, data_type: str, expected: int
) -> None:
    assert ok(api(client, filled, "get_data", data_type=data_type)) == {"data": expected}


def test_get_data_of_an_empty_program_is_zero(client: TestClient, program: Program) -> None:
    response = client.get(
        "/admin/api/get_data/",
        params={"data_type": "learner_count"},
        headers={"X-SkyPrep-API-Key": program.api_key, "X-SkyPrep-Acct-Key": program.acct_key},
    )
    assert response.status_code == 200
    assert response.headers["Deprecation"] == "true"
    assert response.json() == {"data": 0}


@pytest.mark.parametrize(
    "params", [{}, {"data_type": ""}, {"data_type": "course_counts"}, {"data_type": ["user_count"]}]
)
def test_get_data_needs_a_known_data_type(
    client: TestClient, program: Program, params: dict[str, object]
) -> None:
    fails(api(client, program, "get_data", **params), 400, "data_type")
