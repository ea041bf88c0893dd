"""``skills`` and ``payments``: skills, rubrics and competencies; the Stripe secret."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.orm import Session

from syllabus.cli.common import (
    fail,
    in_program,
)
from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.queries.skills import list_competencies, list_skills
from syllabus.services.payments import set_stripe_webhook_secret
from syllabus.services.skills import (
    RubricLevel,
    SkillRequirement,
    add_skill_level,
    create_competency,
    create_skill,
)

skills_app = typer.Typer(help="Skills, their rubrics, and competencies.", no_args_is_help=True)
payments_app = typer.Typer(help="Payments and the Stripe webhook.", no_args_is_help=True)


def _rubric(text: str) -> list[RubricLevel]:
    """``Beginner:25,Advanced:100`` as rubric levels."""
    levels = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        title, _, points = part.rpartition(":")
        if not title or not points.strip().isdigit():
            raise fail(Invalid("rubric", f"rubric level {part!r} is not TITLE:POINTS"))
        levels.append(RubricLevel(title.strip(), int(points)))
    return levels


def _requirement(text: str) -> SkillRequirement:
    """``SKILL_ID:LEVEL``, LEVEL being the rubric level's number or title."""
    skill, _, level = text.partition(":")
    if not skill.strip().isdigit() or not level.strip():
        raise fail(Invalid("skill", f"{text!r} is not SKILL_ID:LEVEL"))
    value = level.strip()
    return SkillRequirement(int(skill), int(value) if value.isdigit() else value)


@skills_app.command("create")
def skills_create(
    acct_key: str,
    display_name: str,
    rubric: Annotated[str, typer.Option(help="Levels as TITLE:POINTS,...")] = "",
    name: Annotated[str | None, typer.Option(help="Slug; defaults from the title.")] = None,
    description: Annotated[str, typer.Option()] = "",
) -> None:
    """Create a skill with its rubric, e.g. --rubric 'Beginner:25,Advanced:100'."""
    levels = _rubric(rubric)
    skill = in_program(
        acct_key,
        lambda session, ctx: create_skill(
            session,
            ctx,
            display_name=display_name,
            name=name,
            description=description,
            rubric=levels,
        ),
    )
    typer.echo(f"skill {skill.id}: {skill.name}")


@skills_app.command("add-level")
def skills_add_level(acct_key: str, skill_id: int, title: str, skill_points: int) -> None:
    """Add a rubric level above the skill's highest."""
    level = in_program(
        acct_key,
        lambda session, ctx: add_skill_level(
            session, ctx, skill_id=skill_id, level=RubricLevel(title, skill_points)
        ),
    )
    typer.echo(f"skill {skill_id} level {level.position}: {level.title} ({level.skill_points})")


@skills_app.command("create-competency")
def skills_create_competency(
    acct_key: str,
    display_name: str,
    skill: Annotated[list[str], typer.Option(help="SKILL_ID:LEVEL (number or title); repeat.")],
    name: Annotated[str | None, typer.Option(help="Slug; defaults from the title.")] = None,
    description: Annotated[str, typer.Option()] = "",
    image_url: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create a competency, achieved by reaching every given skill level."""
    needs = [_requirement(text) for text in skill]
    competency = in_program(
        acct_key,
        lambda session, ctx: create_competency(
            session,
            ctx,
            display_name=display_name,
            skills=needs,
            name=name,
            description=description,
            image_url=image_url,
        ),
    )
    typer.echo(f"competency {competency.id}: {competency.name}")


@skills_app.command("list")
def skills_list(acct_key: str) -> None:
    """List skills (with rubrics) and competencies (with requirements)."""

    def show(session: Session, ctx: Context) -> None:
        for sk in list_skills(session, ctx):
            levels = ", ".join(f"{lv.title}:{lv.skill_points}" for lv in sk.rubric)
            typer.echo(f"skill {sk.id}\t{sk.name}\t{sk.display_name}\t[{levels}]")
        for c in list_competencies(session, ctx):
            needs = ", ".join(f"{r.skill.name}>={r.level.title}" for r in c.requirements)
            typer.echo(f"competency {c.id}\t{c.name}\t{c.display_name}\t[{needs}]")

    in_program(acct_key, show)


@payments_app.command("set-secret")
def payments_set_secret(acct_key: str) -> None:
    """Store the program's Stripe webhook signing secret (whsec_...), read from a hidden
    prompt or standard input so it never lands in shell history; it is never printed."""
    secret = typer.prompt("Stripe signing secret", hide_input=True)
    in_program(
        acct_key, lambda session, ctx: set_stripe_webhook_secret(session, ctx, secret=secret)
    )
    typer.echo(f"Stripe signing secret stored for {acct_key}")
    typer.echo(f"Stripe endpoint: POST /webhooks/stripe/{acct_key.lower()}")
