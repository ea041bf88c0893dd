"""Skill and competency reads: rubrics, usage counts, user balances and achievements.

Achievement is decided in SQL: a user has achieved a competency when each of its
requirements has a balance of that skill holding at least the required level's points. One
user's competencies count the requirements met per competency; a competency's achievers are
counted by relational division (below). Neither loops over users in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import possible_id
from syllabus.domain.rewards import (
    Competency,
    CompetencySkill,
    Skill,
    SkillBalance,
    SkillLevel,
    SkillTransaction,
)
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.users import User

_skills = Skill.__table__.c
_levels = SkillLevel.__table__.c
_balances = SkillBalance.__table__.c
_transactions = SkillTransaction.__table__.c
_competencies = Competency.__table__.c
_requirements = CompetencySkill.__table__.c


@dataclass(frozen=True)
class Level:
    position: int
    title: str
    skill_points: int


@dataclass(frozen=True)
class SkillView:
    id: int
    name: str
    display_name: str
    description: str
    competency_count: int
    rubric: list[Level] = field(default_factory=list)


@dataclass(frozen=True)
class Requirement:
    skill: SkillView
    level: Level


@dataclass(frozen=True)
class CompetencyView:
    id: int
    name: str
    display_name: str
    description: str
    image_url: str | None
    requirements: list[Requirement]


@dataclass(frozen=True)
class UserSkills:
    balances: list[Row[Any]]
    """(skill_id, name, points, level_title) of each skill the user holds a balance in."""
    competencies_achieved: list[str]
    """Display names, in competency id order."""


_COMPETENCY_COUNT = (
    select(func.count())
    .where(_requirements.skill_id == _skills.id, _requirements.tenant_id == _skills.tenant_id)
    .correlate_except(CompetencySkill.__table__)
    .scalar_subquery()
)
_SKILLS = scoped_select(
    Skill,
    _skills.id,
    _skills.name,
    _skills.display_name,
    _skills.description,
    _COMPETENCY_COUNT.label("competency_count"),
).order_by(_skills.id)
_SKILLS_BY_ID = _SKILLS.where(_skills.id.in_(bindparam("skill_ids", expanding=True)))
_LEVELS = (
    scoped_select(SkillLevel)
    .where(_levels.skill_id.in_(bindparam("skill_ids", expanding=True)))
    .order_by(_levels.skill_id, _levels.position)
)
_SKILL_DETAILS = scoped_select(
    SkillBalance,
    func.count().label("users_with_balance_count"),
).where(_balances.skill_id == bindparam("skill_id"), _balances.points > 0)
_POINTS_AWARDED = scoped_select(
    SkillTransaction, func.coalesce(func.sum(_transactions.amount), 0)
).where(_transactions.skill_id == bindparam("skill_id"), _transactions.amount > 0)

_COMPETENCIES = scoped_select(Competency).order_by(_competencies.id)
_COMPETENCIES_BY_ID = _COMPETENCIES.where(
    _competencies.id.in_(bindparam("competency_ids", expanding=True))
)
_REQUIREMENTS = (
    scoped_select(
        CompetencySkill,
        _requirements.competency_id,
        _requirements.skill_id,
        _levels.position,
        _levels.title,
        _levels.skill_points,
    )
    .join(SkillLevel.__table__, _levels.id == _requirements.skill_level_id)
    .where(_requirements.competency_id.in_(bindparam("competency_ids", expanding=True)))
    .order_by(_requirements.competency_id, _requirements.position, _requirements.id)
)

# A requirement is met by a balance row of its skill holding at least the level's points.
_MET = (
    scoped_select(CompetencySkill, _requirements.competency_id, _balances.user_id)
    .join(SkillLevel.__table__, _levels.id == _requirements.skill_level_id)
    .join(
        SkillBalance.__table__,
        (_balances.tenant_id == _requirements.tenant_id)
        & (_balances.skill_id == _requirements.skill_id)
        & (_balances.points >= _levels.skill_points),
    )
)
_REQUIRED_COUNT = (
    scoped_select(CompetencySkill, _requirements.competency_id, func.count().label("required"))
    .group_by(_requirements.competency_id)
    .subquery()
)
_achieved_by_user = (
    _MET.with_only_columns(_requirements.competency_id)
    .where(_balances.user_id == bindparam("user_id"))
    .group_by(_requirements.competency_id)
    .having(
        func.count()
        == select(_REQUIRED_COUNT.c.required)
        .where(_REQUIRED_COUNT.c.competency_id == _requirements.competency_id)
        .scalar_subquery()
    )
    .subquery()
)
_USER_COMPETENCIES = (
    scoped_select(Competency, _competencies.display_name)
    .where(_competencies.id.in_(select(_achieved_by_user.c.competency_id)))
    .order_by(_competencies.id)
)
# Counting achievers is relational division, written as a double NOT EXISTS: for each user
# holding the competency's first skill, no requirement may lack a balance that meets it.
# Each check is a primary-key lookup, so nothing is grouped or sorted, whatever the user count.
_holder = SkillBalance.__table__.alias("holder")
_met = SkillBalance.__table__.alias("met")
_FIRST_SKILL = (
    select(_requirements.skill_id)
    .where(
        _requirements.tenant_id == bindparam("scope_tenant_id"),
        _requirements.competency_id == bindparam("competency_id"),
    )
    .order_by(_requirements.position, _requirements.id)
    .limit(1)
    .scalar_subquery()
)
_UNMET = (
    select(_requirements.id)
    .join(SkillLevel.__table__, _levels.id == _requirements.skill_level_id)
    .where(
        _requirements.tenant_id == bindparam("scope_tenant_id"),
        _requirements.competency_id == bindparam("competency_id"),
        ~select(_met.c.user_id)
        .where(
            _met.c.user_id == _holder.c.user_id,
            _met.c.skill_id == _requirements.skill_id,
            _met.c.points >= _levels.skill_points,
        )
        .correlate_except(_met)
        .exists(),
    )
    .correlate(_holder)
)
_ACHIEVERS = (
    select(func.count())
    .select_from(_holder)
    .where(
        _holder.c.tenant_id == bindparam("scope_tenant_id"),
        _holder.c.skill_id == _FIRST_SKILL,
        ~_UNMET.exists(),
    )
    .scalar_subquery()
)
_USER_COUNT = (
    select(func.count())
    .select_from(User.__table__)
    .where(User.__table__.c.tenant_id == bindparam("scope_tenant_id"))
    .scalar_subquery()
)
_COMPETENCY_DETAILS = scoped_select(
    Competency, _ACHIEVERS.label("achieved"), _USER_COUNT.label("users")
).where(_competencies.id == bindparam("competency_id"))

_CURRENT_LEVEL = (
    select(_levels.title)
    .where(_levels.skill_id == _balances.skill_id, _levels.skill_points <= _balances.points)
    .order_by(_levels.skill_points.desc(), _levels.position.desc())
    .limit(1)
    .correlate(SkillBalance.__table__)
    .scalar_subquery()
)
_USER_BALANCES = (
    # Driven from the program's skills, each balance found by its primary key (user, skill):
    # a lookup by tenant first would read every balance of the program.
    scoped_select(
        Skill,
        _balances.skill_id,
        _skills.name,
        _balances.points,
        _CURRENT_LEVEL.label("level_title"),
    )
    .join(
        SkillBalance.__table__,
        (_balances.user_id == bindparam("user_id")) & (_balances.skill_id == _skills.id),
    )
    .order_by(_skills.id)
)


def _level(row: Row[Any]) -> Level:
    return Level(position=row.position, title=row.title, skill_points=row.skill_points)


def _skill_views(
    session: Session, ctx: Context, skill_ids: Sequence[int] | None
) -> list[SkillView]:
    """Skills with their rubrics: two queries, whatever the number of skills."""
    if skill_ids is None:
        rows = execute_scoped(session, ctx.tenant_id, _SKILLS).all()
    else:
        wanted = [i for i in skill_ids if possible_id(i)]
        if not wanted:
            return []
        rows = execute_scoped(session, ctx.tenant_id, _SKILLS_BY_ID, {"skill_ids": wanted}).all()
    if not rows:
        return []
    rubrics: dict[int, list[Level]] = {row.id: [] for row in rows}
    levels = execute_scoped(session, ctx.tenant_id, _LEVELS, {"skill_ids": list(rubrics)})
    for level in levels:
        rubrics[level.skill_id].append(_level(level))
    return [
        SkillView(
            id=row.id,
            name=row.name,
            display_name=row.display_name,
            description=row.description,
            competency_count=row.competency_count,
            rubric=rubrics[row.id],
        )
        for row in rows
    ]


def list_skills(session: Session, ctx: Context) -> list[SkillView]:
    return _skill_views(session, ctx, None)


def get_skill(session: Session, ctx: Context, skill_id: int) -> SkillView | None:
    found = _skill_views(session, ctx, [skill_id])
    return found[0] if found else None


def skill_details(session: Session, ctx: Context, skill_id: int) -> dict[str, int]:
    params = {"skill_id": skill_id}
    users = execute_scoped(session, ctx.tenant_id, _SKILL_DETAILS, params).scalar()
    awarded = execute_scoped(session, ctx.tenant_id, _POINTS_AWARDED, params).scalar()
    return {"users_with_balance_count": int(users or 0), "total_points_awarded": int(awarded or 0)}


def _competency_views(
    session: Session, ctx: Context, competency_ids: Sequence[int] | None
) -> list[CompetencyView]:
    """Competencies with their requirements and the skills' rubrics: four queries."""
    if competency_ids is None:
        rows = execute_scoped(session, ctx.tenant_id, _COMPETENCIES).all()
    else:
        wanted = [i for i in competency_ids if possible_id(i)]
        if not wanted:
            return []
        params = {"competency_ids": wanted}
        rows = execute_scoped(session, ctx.tenant_id, _COMPETENCIES_BY_ID, params).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    requirements = execute_scoped(
        session, ctx.tenant_id, _REQUIREMENTS, {"competency_ids": ids}
    ).all()
    skills = {
        s.id: s for s in _skill_views(session, ctx, sorted({r.skill_id for r in requirements}))
    }
    by_competency: dict[int, list[Requirement]] = {i: [] for i in ids}
    for r in requirements:
        by_competency[r.competency_id].append(
            Requirement(skill=skills[r.skill_id], level=_level(r))
        )
    return [
        CompetencyView(
            id=row.id,
            name=row.name,
            display_name=row.display_name,
            description=row.description,
            image_url=row.image_url,
            requirements=by_competency[row.id],
        )
        for row in rows
    ]


def list_competencies(session: Session, ctx: Context) -> list[CompetencyView]:
    return _competency_views(session, ctx, None)


def get_competency(session: Session, ctx: Context, competency_id: int) -> CompetencyView | None:
    found = _competency_views(session, ctx, [competency_id])
    return found[0] if found else None


def competency_details(session: Session, ctx: Context, competency_id: int) -> dict[str, Any]:
    """How many users achieved it, and what share of the program's users that is, as SkyPrep
    writes it: ``"72%"``."""
    row = execute_scoped(
        session, ctx.tenant_id, _COMPETENCY_DETAILS, {"competency_id": competency_id}
    ).first()
    achieved, users = (int(row.achieved), int(row.users)) if row else (0, 0)
    rate = round(100 * achieved / users) if users else 0
    return {"users_achieved_count": achieved, "achievement_rate": f"{rate}%"}


def user_skills(session: Session, ctx: Context, user_id: int) -> UserSkills:
    params = {"user_id": user_id}
    balances = execute_scoped(session, ctx.tenant_id, _USER_BALANCES, params).all()
    names = execute_scoped(session, ctx.tenant_id, _USER_COMPETENCIES, params).scalars().all()
    return UserSkills(balances=list(balances), competencies_achieved=list(names))


def achieved_competency_ids(session: Session, ctx: Context, user_id: int) -> set[int]:
    """For events: which competencies the user holds right now."""
    statement = scoped_select(Competency, _competencies.id).where(
        _competencies.id.in_(select(_achieved_by_user.c.competency_id))
    )
    return set(execute_scoped(session, ctx.tenant_id, statement, {"user_id": user_id}).scalars())
