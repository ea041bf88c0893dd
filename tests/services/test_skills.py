"""Skills, rubrics and competencies: definitions, skill points, and achievement counted in SQL."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Conflict, Invalid, NotFound
from syllabus.queries.skills import (
    competency_details,
    get_competency,
    get_skill,
    list_skills,
    skill_details,
    user_skills,
)
from syllabus.services.skills import (
    RubricLevel,
    SkillRequirement,
    add_skill_level,
    create_competency,
    create_skill,
    create_skill_transaction,
)
from tests.factories import event_data, make_tenant, make_user, scope

RUBRIC = [RubricLevel("Beginner", 25), RubricLevel("Advanced", 100)]


def _program(session: Session) -> tuple[Context, int, int, int]:
    """A program with two skills and a competency needing Communication at Advanced and
    Safety at Beginner."""
    _, ctx = make_tenant(session)
    scope(session, ctx)
    talk = create_skill(session, ctx, display_name="Communication", rubric=RUBRIC)
    safe = create_skill(
        session, ctx, display_name="Safety", description="Procedures.", rubric=RUBRIC
    )
    ready = create_competency(
        session,
        ctx,
        display_name="Customer Readiness",
        skills=[SkillRequirement(talk.id, "advanced"), SkillRequirement(safe.id, 1)],
    )
    return ctx, talk.id, safe.id, ready.id


def test_skills_have_slugs_rubrics_and_competency_counts(session: Session) -> None:
    ctx, talk, safe, _ = _program(session)
    skills = list_skills(session, ctx)
    assert [(s.name, s.display_name, s.competency_count) for s in skills] == [
        ("communication", "Communication", 1),
        ("safety", "Safety", 1),
    ]
    assert [(lv.position, lv.title, lv.skill_points) for lv in skills[0].rubric] == [
        (1, "Beginner", 25),
        (2, "Advanced", 100),
    ]
    add_skill_level(session, ctx, skill_id=talk, level=RubricLevel("Expert", 250))
    skill = get_skill(session, ctx, talk)
    assert skill is not None
    assert [lv.title for lv in skill.rubric] == ["Beginner", "Advanced", "Expert"]
    with pytest.raises(Invalid) as low:
        add_skill_level(session, ctx, skill_id=safe, level=RubricLevel("Lower", 50))
    assert low.value.field == "rubric[0].skill_points"


def test_bad_definitions_are_refused_naming_the_field(session: Session) -> None:
    ctx, talk, _, _ = _program(session)
    with pytest.raises(Conflict):
        create_skill(session, ctx, display_name="communication")
    with pytest.raises(Invalid) as falling:
        create_skill(
            session,
            ctx,
            display_name="Sales",
            rubric=[RubricLevel("A", 50), RubricLevel("B", 50)],
        )
    assert falling.value.field == "rubric[1].skill_points"
    with pytest.raises(Invalid) as none:
        create_competency(session, ctx, display_name="Empty", skills=[])
    assert none.value.field == "skills"
    with pytest.raises(NotFound) as level:
        create_competency(
            session, ctx, display_name="Guru", skills=[SkillRequirement(talk, "Guru")]
        )
    assert level.value.field == "skills[0].level"
    with pytest.raises(NotFound) as skill:
        create_competency(session, ctx, display_name="Guru", skills=[SkillRequirement(999_999, 1)])
    assert skill.value.field == "skills[0].skill_id"


def test_a_competency_is_achieved_when_every_requirement_is_met(session: Session) -> None:
    ctx, talk, safe, ready = _program(session)
    avery, jordan, riley = (make_user(session, ctx) for _ in range(3))
    create_skill_transaction(session, ctx, user_id=avery.id, skill_id=talk, amount=120)
    assert user_skills(session, ctx, avery.id).competencies_achieved == []
    create_skill_transaction(session, ctx, user_id=avery.id, skill_id=safe, amount=30)
    mine = user_skills(session, ctx, avery.id)
    assert mine.competencies_achieved == ["Customer Readiness"]
    assert [(b.name, b.points, b.level_title) for b in mine.balances] == [
        ("communication", 120, "Advanced"),
        ("safety", 30, "Beginner"),
    ]
    assert event_data(session, ctx, "competency.achieved") == [
        {"competency_id": ready, "user_id": avery.id}
    ]
    # Jordan meets one requirement only; Riley has points below the first level.
    create_skill_transaction(session, ctx, user_id=jordan.id, skill_id=talk, amount=100)
    create_skill_transaction(session, ctx, user_id=jordan.id, skill_id=safe, amount=24)
    create_skill_transaction(session, ctx, user_id=riley.id, skill_id=safe, amount=10)
    assert user_skills(session, ctx, jordan.id).competencies_achieved == []
    assert [b.level_title for b in user_skills(session, ctx, riley.id).balances] == [None]
    assert competency_details(session, ctx, ready) == {
        "users_achieved_count": 1,
        "achievement_rate": "33%",
    }
    create_skill_transaction(session, ctx, user_id=jordan.id, skill_id=safe, amount=1)
    assert competency_details(session, ctx, ready)["users_achieved_count"] == 2
    # Spending points below the level loses the competency.
    create_skill_transaction(session, ctx, user_id=avery.id, skill_id=talk, amount=-21)
    assert user_skills(session, ctx, avery.id).competencies_achieved == []
    assert competency_details(session, ctx, ready) == {
        "users_achieved_count": 1,
        "achievement_rate": "33%",
    }
    assert skill_details(session, ctx, talk) == {
        "users_with_balance_count": 2,
        "total_points_awarded": 220,
    }
    competency = get_competency(session, ctx, ready)
    assert competency is not None
    needs = competency.requirements
    assert [(r.skill.name, r.level.title, r.level.skill_points) for r in needs] == [
        ("communication", "Advanced", 100),
        ("safety", "Beginner", 25),
    ]


def test_skill_points_cannot_go_below_zero(session: Session) -> None:
    ctx, talk, _, _ = _program(session)
    user = make_user(session, ctx)
    create_skill_transaction(session, ctx, user_id=user.id, skill_id=talk, amount=10)
    with pytest.raises(Invalid) as refused:
        create_skill_transaction(session, ctx, user_id=user.id, skill_id=talk, amount=-11)
    assert refused.value.field == "amount"
    assert [b.points for b in user_skills(session, ctx, user.id).balances] == [10]


def test_nothing_is_achieved_or_counted_in_an_empty_program(session: Session) -> None:
    ctx, _, _, ready = _program(session)
    assert competency_details(session, ctx, ready) == {
        "users_achieved_count": 0,
        "achievement_rate": "0%",
    }
    _, other = make_tenant(session)
    assert get_competency(session, other, ready) is None
