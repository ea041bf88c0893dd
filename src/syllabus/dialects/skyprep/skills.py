"""SkyPrep's skills and competencies actions: get_skills, get_skill,
get_user_skill_balances_and_competencies, create_skill_transaction, get_competencies,
get_competency.

A competency's ``skills`` is one object in the spec's samples: it is the competency's first
required skill. ``required_skills`` (an addition) lists every requirement in the same shape.
``skill_level_id`` is the required level's number in the skill's rubric (1 = first), the only
way a client can match it against the ``rubric`` array, whose items carry no id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.errors import NotFound
from syllabus.dialects.skyprep.actions import Call, action
from syllabus.dialects.skyprep.params import Params
from syllabus.dialects.skyprep.rewards import find_learner, optional_text, parse_amount
from syllabus.queries import skills as skill_queries
from syllabus.queries.skills import CompetencyView, Requirement, SkillView
from syllabus.services import skills as skill_service


def skill_json(skill: SkillView) -> dict[str, Any]:
    return {
        "display_name": skill.display_name,
        "name": skill.name,
        "id": skill.id,
        "description": skill.description,
        "competency_count": skill.competency_count,
        "rubric": [
            {"title": level.title, "skill_points": level.skill_points} for level in skill.rubric
        ],
    }


def requirement_json(requirement: Requirement) -> dict[str, Any]:
    return {
        **skill_json(requirement.skill),
        "points": requirement.level.skill_points,
        "skill_level_id": requirement.level.position,
        "skill_level_title": requirement.level.title,
    }


def competency_json(competency: CompetencyView) -> dict[str, Any]:
    required = [requirement_json(r) for r in competency.requirements]
    return {
        "display_name": competency.display_name,
        "name": competency.name,
        "id": competency.id,
        "description": competency.description,
        "nexus_collection_ids_to_assign_as_expert": [],
        "image_url": competency.image_url,
        "skills": required[0] if required else None,
        "required_skills": required,
    }


def _balances(session: Session, call: Call, user_id: int) -> dict[str, int]:
    found = skill_queries.user_skills(session, call.ctx, user_id)
    return {row.name: row.points for row in found.balances}


@action("get_skills", read_only=True)
def get_skills(session: Session, call: Call) -> list[dict[str, Any]]:
    return [skill_json(skill) for skill in skill_queries.list_skills(session, call.ctx)]


@action("get_skill", read_only=True)
def get_skill(session: Session, call: Call) -> dict[str, Any]:
    skill_id = Params(call.params).required_id("skill_id")
    skill = skill_queries.get_skill(session, call.ctx, skill_id)
    if skill is None:
        raise NotFound("skill", [skill_id], field="skill_id")
    details = skill_queries.skill_details(session, call.ctx, skill_id)
    return {**skill_json(skill), "details": details}


@action("get_user_skill_balances_and_competencies", read_only=True)
def get_user_skill_balances_and_competencies(session: Session, call: Call) -> dict[str, Any]:
    """Adds ``skill_levels``: the rubric level each balance has reached (null below the
    first)."""
    user = find_learner(session, call, Params(call.params))
    found = skill_queries.user_skills(session, call.ctx, user.id)
    return {
        "user_id": user.id,
        "email": user.email,
        "skill_balances": {row.name: row.points for row in found.balances},
        "competencies_achieved": found.competencies_achieved,
        "skill_levels": {row.name: row.level_title for row in found.balances},
    }


@action("create_skill_transaction")
def create_skill_transaction(session: Session, call: Call) -> dict[str, int]:
    """Answers the user's balance in every skill they hold points in, as the sample does."""
    p = Params(call.params)
    amount = parse_amount(p)
    skill_id = p.required_id("skill_id")
    user = find_learner(session, call, p)
    skill_service.create_skill_transaction(
        session,
        call.ctx,
        user_id=user.id,
        skill_id=skill_id,
        amount=amount,
        description=optional_text(p, "description"),
    )
    return _balances(session, call, user.id)


@action("get_competencies", read_only=True)
def get_competencies(session: Session, call: Call) -> list[dict[str, Any]]:
    return [competency_json(c) for c in skill_queries.list_competencies(session, call.ctx)]


@action("get_competency", read_only=True)
def get_competency(session: Session, call: Call) -> dict[str, Any]:
    competency_id = Params(call.params).required_id("competency_id")
    competency = skill_queries.get_competency(session, call.ctx, competency_id)
    if competency is None:
        raise NotFound("competency", [competency_id], field="competency_id")
    out = competency_json(competency)
    required = out.pop("required_skills")  # the sample's keys first, then our addition
    out["details"] = skill_queries.competency_details(session, call.ctx, competency_id)
    out["required_skills"] = required
    return out
