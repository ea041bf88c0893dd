"""``training``: instructor-led trainings, which no SkyPrep action creates."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from syllabus.cli.common import in_program, out
from syllabus.services.ilt import TrainingData, create_training

training_app = typer.Typer(help="Instructor-led trainings.", no_args_is_help=True)


@training_app.command("create")
def training_create(
    acct_key: str,
    name: str,
    description: Annotated[str, typer.Option()] = "",
    course_id: Annotated[int | None, typer.Option(help="The course it is an ILT item of.")] = None,
    session_type: Annotated[str, typer.Option(help="in-person, virtual or hybrid")] = "in-person",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create an instructor-led training; its timeslots are then managed through the API."""
    data = TrainingData(
        name=name, description=description, course_id=course_id, session_type=session_type
    )
    training_id = in_program(
        acct_key, lambda session, ctx: create_training(session, ctx, data=data).id
    )
    if as_json:
        typer.echo(json.dumps({"id": training_id, "name": name}))
    else:
        out.print(f"instructor-led training {training_id}: {name}")


# --- Skills, competencies and payments (the rewards slice) -----------------------------------
