"""Skills, their rubrics, competencies built on them, and skill point transactions.

SkyPrep's API only reads skills and competencies, so programs define them here (the CLI's
``syllabus skills`` commands call these). Skill points follow the same rule as gamification
points: a ledger whose running sum is guarded against going below zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Conflict, Invalid, NotFound
from syllabus.core.lookups import require
from syllabus.core.validation import (
    clean_int,
    clean_required_text,
    clean_slug,
    clean_text,
    slugify,
)
from syllabus.domain.rewards import (
    Competency,
    CompetencySkill,
    Skill,
    SkillBalance,
    SkillLevel,
    SkillTransaction,
)
from syllabus.domain.users import User
from syllabus.queries.skills import achieved_competency_ids
from syllabus.services.events import record_event, record_events
from syllabus.services.gamification import MAX_AMOUNT, apply_to_balance, clean_amount


@dataclass(frozen=True)
class RubricLevel:
    title: str
    skill_points: int


@dataclass(frozen=True)
class SkillRequirement:
    """A skill and the rubric level required of it: its position (1 = first) or its title."""

    skill_id: int
    level: int | str


def _clean_name(name: str | None, display_name: str, field: str) -> str:
    return clean_slug(name, field) if name else slugify(display_name)


def _clean_rubric(levels: Sequence[RubricLevel], start_after: int = -1) -> list[RubricLevel]:
    """Titles required; points whole, and rising from level to level."""
    cleaned = []
    previous = start_after
    for index, level in enumerate(levels):
        title = clean_required_text(level.title, f"rubric[{index}].title", max_length=255)
        points = clean_int(
            level.skill_points, f"rubric[{index}].skill_points", minimum=0, maximum=MAX_AMOUNT
        )
        if points <= previous:
            raise Invalid(
                f"rubric[{index}].skill_points",
                "each rubric level must need more skill_points than the one before it",
            )
        previous = points
        cleaned.append(RubricLevel(title, points))
    return cleaned


def create_skill(
    session: Session,
    ctx: Context,
    *,
    display_name: str,
    name: str | None = None,
    description: str | None = None,
    rubric: Sequence[RubricLevel] = (),
) -> Skill:
    """A skill and its rubric; ``name`` (the balance key) defaults to a slug of the title."""
    title = clean_required_text(display_name, "display_name", max_length=255)
    slug = _clean_name(name, title, "name")
    levels = _clean_rubric(rubric)
    taken = select(Skill.id).where(Skill.tenant_id == ctx.tenant_id, Skill.name == slug)
    if session.scalar(taken) is not None:
        raise Conflict(f"a skill named {slug} already exists", field="name")
    skill = Skill(
        tenant_id=ctx.tenant_id,
        name=slug,
        display_name=title,
        description=clean_text(description, "description", max_length=10_000) or "",
    )
    session.add(skill)
    session.flush()
    session.add_all(
        SkillLevel(
            tenant_id=ctx.tenant_id,
            skill_id=skill.id,
            position=position,
            title=level.title,
            skill_points=level.skill_points,
        )
        for position, level in enumerate(levels, 1)
    )
    session.flush()
    record_event(session, ctx, "skill.created", {"skill_id": skill.id, "name": slug})
    return skill


def add_skill_level(
    session: Session, ctx: Context, *, skill_id: int, level: RubricLevel
) -> SkillLevel:
    """Append a level above the rubric's highest (existing levels and requirements stay)."""
    require(session, ctx, Skill, skill_id, field="skill_id")
    last = session.execute(
        select(func.max(SkillLevel.position), func.max(SkillLevel.skill_points)).where(
            SkillLevel.tenant_id == ctx.tenant_id, SkillLevel.skill_id == skill_id
        )
    ).one()
    (cleaned,) = _clean_rubric([level], start_after=-1 if last[1] is None else last[1])
    row = SkillLevel(
        tenant_id=ctx.tenant_id,
        skill_id=skill_id,
        position=(last[0] or 0) + 1,
        title=cleaned.title,
        skill_points=cleaned.skill_points,
    )
    session.add(row)
    session.flush()
    return row


def _find_level(session: Session, ctx: Context, index: int, need: SkillRequirement) -> SkillLevel:
    field = f"skills[{index}].level"
    query = select(SkillLevel).where(
        SkillLevel.tenant_id == ctx.tenant_id, SkillLevel.skill_id == need.skill_id
    )
    if isinstance(need.level, int) and not isinstance(need.level, bool):
        query = query.where(SkillLevel.position == need.level)
    elif isinstance(need.level, str) and need.level.strip():
        query = query.where(func.lower(SkillLevel.title) == need.level.strip().lower())
    else:
        raise Invalid(field, f"{field} must be a rubric level's number or title")
    level = session.scalars(query.order_by(SkillLevel.position)).first()
    if level is None:
        raise NotFound("skill level", [need.level], field=field)
    if level.skill_points <= 0:
        raise Invalid(field, f"{field} needs no points, so it cannot be required")
    return level


def create_competency(
    session: Session,
    ctx: Context,
    *,
    display_name: str,
    skills: Sequence[SkillRequirement],
    name: str | None = None,
    description: str | None = None,
    image_url: str | None = None,
) -> Competency:
    """A competency achieved by reaching the given level of every one of ``skills``."""
    title = clean_required_text(display_name, "display_name", max_length=255)
    slug = _clean_name(name, title, "name")
    if not skills:
        raise Invalid("skills", "a competency needs at least one skill")
    if len({need.skill_id for need in skills}) != len(skills):
        raise Invalid("skills", "each skill may be required once")
    levels = []
    for index, need in enumerate(skills):
        require(session, ctx, Skill, need.skill_id, field=f"skills[{index}].skill_id")
        levels.append(_find_level(session, ctx, index, need))
    taken = select(Competency.id).where(
        Competency.tenant_id == ctx.tenant_id, Competency.name == slug
    )
    if session.scalar(taken) is not None:
        raise Conflict(f"a competency named {slug} already exists", field="name")
    competency = Competency(
        tenant_id=ctx.tenant_id,
        name=slug,
        display_name=title,
        description=clean_text(description, "description", max_length=10_000) or "",
        image_url=clean_text(image_url, "image_url", max_length=2048) or None,
    )
    session.add(competency)
    session.flush()
    session.add_all(
        CompetencySkill(
            tenant_id=ctx.tenant_id,
            competency_id=competency.id,
            skill_id=level.skill_id,
            skill_level_id=level.id,
            position=position,
        )
        for position, level in enumerate(levels)
    )
    session.flush()
    record_event(session, ctx, "competency.created", {"competency_id": competency.id, "name": slug})
    return competency


def create_skill_transaction(
    session: Session,
    ctx: Context,
    *,
    user_id: int,
    skill_id: int,
    amount: object,
    description: object = None,
) -> SkillTransaction:
    """Add (or, negative, take) skill points; refuses to go below zero.

    Records ``competency.achieved`` for each competency the user holds after this
    transaction and did not hold before.
    """
    points = clean_amount(amount)
    text = clean_text(description, "description", max_length=10_000) or ""
    require(session, ctx, User, user_id, field="user_id")
    require(session, ctx, Skill, skill_id, field="skill_id")
    held_before = achieved_competency_ids(session, ctx, user_id)
    balance = apply_to_balance(
        session, ctx, SkillBalance, {"user_id": user_id, "skill_id": skill_id}, points
    )
    transaction = SkillTransaction(
        tenant_id=ctx.tenant_id,
        user_id=user_id,
        skill_id=skill_id,
        amount=points,
        description=text,
        balance=balance,
    )
    session.add(transaction)
    session.flush()
    record_event(
        session,
        ctx,
        "skill.transaction_created",
        {
            "transaction_id": transaction.id,
            "user_id": user_id,
            "skill_id": skill_id,
            "amount": points,
            "balance": balance,
        },
    )
    gained = sorted(achieved_competency_ids(session, ctx, user_id) - held_before)
    record_events(
        session,
        ctx,
        "competency.achieved",
        [{"competency_id": c, "user_id": user_id} for c in gained],
    )
    return transaction
