"""The SkyPrep skills and competencies actions over HTTP, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from syllabus.core.context import Context, Surface
from syllabus.db.session import unit_of_work
from syllabus.services.skills import (
    RubricLevel,
    SkillRequirement,
    create_competency,
    create_skill,
)
from tests.dialects.skyprep.reward_samples import (
    COMPETENCY,
    COMPETENCY_DETAILS,
    REQUIRED_SKILL,
    SKILL,
    SKILL_DETAILS,
    USER_SKILLS,
    assert_shape,
)
from tests.dialects.skyprep.test_users import (
    NEW_YORK,
    api,
    events,
    fails,
    make_zoned_program,
    new_user,
    ok,
    parse_xml,
)
from tests.http_client import Program, make_program

RUBRIC = [RubricLevel("Beginner", 25), RubricLevel("Advanced", 100)]


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


@pytest.fixture
def other(client: TestClient) -> Program:
    return make_program(client, "other.skyprepapp.com")


def seed(client: TestClient, program: Program, make: Callable[[Session, Context], Any]) -> int:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        made_id: int = make(session, Context(program.tenant_id, "test", Surface.CLI)).id
        return made_id


def define(client: TestClient, program: Program) -> tuple[int, int, int]:
    """Communication and Safety, and Customer Readiness needing Advanced Communication and
    Beginner Safety."""
    talk = seed(
        client,
        program,
        lambda s, c: create_skill(
            s,
            c,
            display_name="Communication",
            description="Communicates clearly with customers and teammates.",
            rubric=RUBRIC,
        ),
    )
    safe = seed(
        client,
        program,
        lambda s, c: create_skill(s, c, display_name="Safety", rubric=RUBRIC),
    )
    ready = seed(
        client,
        program,
        lambda s, c: create_competency(
            s,
            c,
            display_name="Customer Readiness",
            description="Learner is ready to work with customers.",
            skills=[SkillRequirement(talk, "Advanced"), SkillRequirement(safe, 1)],
        ),
    )
    return talk, safe, ready


def test_skills_in_the_samples_shapes(client: TestClient, program: Program) -> None:
    talk, safe, _ = define(client, program)
    skills = ok(api(client, program, "get_skills", "GET"))
    assert [s["id"] for s in skills] == [talk, safe]
    for skill in skills:
        assert_shape(skill, SKILL)
        assert list(skill) == list(SKILL)
    assert skills[0] == {
        "display_name": "Communication",
        "name": "communication",
        "id": talk,
        "description": "Communicates clearly with customers and teammates.",
        "competency_count": 1,
        "rubric": [
            {"title": "Beginner", "skill_points": 25},
            {"title": "Advanced", "skill_points": 100},
        ],
    }
    one = ok(api(client, program, "get_skill", skill_id=str(talk)))
    assert_shape(one, {**SKILL, "details": SKILL_DETAILS})
    assert one["details"] == {"users_with_balance_count": 0, "total_points_awarded": 0}


def test_skill_transactions_balances_and_achievement(client: TestClient, program: Program) -> None:
    talk, safe, ready = define(client, program)
    avery = new_user(client, program, "avery@example.com")
    jordan = new_user(client, program, "jordan@example.com")
    # The spec's sample parameters: skill_id, user_id, amount.
    after = ok(
        api(
            client,
            program,
            "create_skill_transaction",
            skill_id=talk,
            user_id=avery["id"],
            amount=120,
        )
    )
    assert after == {"communication": 120}
    after = ok(
        api(
            client,
            program,
            "create_skill_transaction",
            skill_id=str(safe),
            user_email="AVERY@example.com",
            amount="80",
        )
    )
    assert after == {"communication": 120, "safety": 80}
    ok(
        api(
            client,
            program,
            "create_skill_transaction",
            skill_id=talk,
            user_id=jordan["id"],
            amount=99,
        )
    )
    mine = ok(
        api(client, program, "get_user_skill_balances_and_competencies", email="avery@example.com")
    )
    assert_shape(mine, USER_SKILLS)
    assert mine == {
        "user_id": avery["id"],
        "email": "avery@example.com",
        "skill_balances": {"communication": 120, "safety": 80},
        "competencies_achieved": ["Customer Readiness"],
        "skill_levels": {"communication": "Advanced", "safety": "Beginner"},
    }
    theirs = ok(
        api(client, program, "get_user_skill_balances_and_competencies", user_id=jordan["id"])
    )
    assert theirs["competencies_achieved"] == []
    assert theirs["skill_levels"] == {"communication": "Beginner"}
    assert [e.data["user_id"] for e in events(client, program, "competency.achieved")] == [
        avery["id"]
    ]

    competency = ok(api(client, program, "get_competency", "GET", competency_id=ready))
    assert_shape(competency, {**COMPETENCY, "details": COMPETENCY_DETAILS})
    assert competency["details"] == {"users_achieved_count": 1, "achievement_rate": "50%"}
    assert competency["skills"]["id"] == talk
    assert competency["skills"]["points"] == 100
    assert competency["skills"]["skill_level_id"] == 2
    assert competency["skills"]["skill_level_title"] == "Advanced"
    assert [r["id"] for r in competency["required_skills"]] == [talk, safe]
    assert competency["required_skills"][1]["skill_level_title"] == "Beginner"
    listed = ok(api(client, program, "get_competencies"))
    assert [c["id"] for c in listed] == [ready]
    assert_shape(listed[0], COMPETENCY)
    assert_shape(listed[0]["skills"], REQUIRED_SKILL)
    detail = ok(api(client, program, "get_skill", skill_id=talk))["details"]
    assert detail == {"users_with_balance_count": 2, "total_points_awarded": 219}


def test_skill_points_cannot_go_below_zero(client: TestClient, program: Program) -> None:
    talk, _, _ = define(client, program)
    user = new_user(client, program, "avery@example.com")
    fails(
        api(
            client,
            program,
            "create_skill_transaction",
            skill_id=talk,
            user_id=user["id"],
            amount=-1,
        ),
        400,
        "amount",
    )


@pytest.mark.parametrize(
    ("action", "params", "field"),
    [
        ("get_skill", {}, "skill_id"),
        ("get_skill", {"skill_id": "abc"}, "skill_id"),
        ("get_competency", {}, "competency_id"),
        ("get_competency", {"competency_id": -3}, "competency_id"),
        ("create_skill_transaction", {"amount": 5}, "skill_id"),
        ("create_skill_transaction", {"skill_id": 1}, "amount"),
        ("get_user_skill_balances_and_competencies", {}, "user_id"),
    ],
)
def test_bad_input_is_400_naming_the_field(
    client: TestClient, program: Program, action: str, params: dict[str, Any], field: str
) -> None:
    fails(api(client, program, action, **params), 400, field)


def test_other_programs_ids_are_404(client: TestClient, program: Program, other: Program) -> None:
    talk, _, ready = define(client, program)
    user = new_user(client, other, "stranger@example.com")
    fails(api(client, other, "get_skill", skill_id=talk), 404, "skill_id")
    fails(api(client, other, "get_competency", competency_id=ready), 404, "competency_id")
    fails(
        api(client, other, "create_skill_transaction", skill_id=talk, user_id=user["id"], amount=5),
        404,
        "skill_id",
    )
    assert ok(api(client, other, "get_skills")) == []
    assert ok(api(client, other, "get_competencies")) == []


def test_xml_answers(client: TestClient, program: Program) -> None:
    define(client, program)
    root = parse_xml(api(client, program, "get_competencies", format="xml").content)
    assert root.tag == "objects"
    assert root.find("object/skills/rubric") is not None
