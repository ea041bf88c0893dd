"""``training``: instructor-led trainings, which no SkyPrep action creates."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from syllabus.cli.common import (
    CLI_ACTOR,
    fail,
    load_settings,
    out,
    session_factory,
    tenant_id_for,
)
from syllabus.db.session import TENANT_KEY, unit_of_work
from syllabus.domain.events import Surface
from syllabus.services.context import Context
from syllabus.services.errors import DomainError
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
    factory = session_factory(load_settings())
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            tenant_id = tenant_id_for(session, acct_key)
            session.info[TENANT_KEY] = tenant_id
            ctx = Context(tenant_id=tenant_id, actor=CLI_ACTOR, surface=Surface.CLI)
            data = TrainingData(
                name=name,
                description=description,
                course_id=course_id,
                session_type=session_type,
            )
            training_id = create_training(session, ctx, data=data).id
    except DomainError as error:
        raise fail(error) from None
    if as_json:
        typer.echo(json.dumps({"id": training_id, "name": name}))
    else:
        out.print(f"instructor-led training {training_id}: {name}")


# --- Skills, competencies and payments (the rewards slice) -----------------------------------
