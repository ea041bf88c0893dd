"""``materials`` and ``course``: files a program keeps; course settings without an API action."""

from __future__ import annotations

from pathlib import Path
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
from syllabus.db.migrate import upgrade
from syllabus.db.session import TENANT_KEY, unit_of_work
from syllabus.domain.events import Surface
from syllabus.services.context import Context
from syllabus.services.errors import DomainError

materials_app = typer.Typer(
    help="Materials: files a program keeps in Syllabus.", no_args_is_help=True
)
course_app = typer.Typer(help="Course settings without an API action.", no_args_is_help=True)


@materials_app.command("add")
def materials_add(
    acct_key: str,
    path: Annotated[Path, typer.Argument(help="The file to store a copy of.")],
    name: Annotated[str | None, typer.Option(help="Shown name; defaults to the file's.")] = None,
    category: Annotated[str | None, typer.Option(help="E.g. Onboarding, Safety.")] = None,
    course_id: Annotated[
        int | None, typer.Option(help="A course of the program the material belongs with.")
    ] = None,
    content_type: Annotated[
        str | None, typer.Option(help="MIME type; guessed from the name when absent.")
    ] = None,
) -> None:
    """Store a copy of a file as one of the program's materials and print its id."""
    from syllabus.services.materials import add_material, material_store

    settings = load_settings()
    upgrade(settings.database_url)
    try:
        with unit_of_work(session_factory(settings), tenant_id=None) as session:
            ctx = Context(
                tenant_id=tenant_id_for(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI
            )
            material = add_material(
                session,
                ctx,
                store=material_store(settings.data_dir),
                source=path,
                name=name,
                category=category,
                course_id=course_id,
                content_type=content_type,
            )
    except DomainError as error:
        raise fail(error) from None
    out.print(f"material {material.id}: {material.name} ({material.size_bytes} bytes)")


@materials_app.command("list")
def materials_list(acct_key: str) -> None:
    """List a program's materials: id, name, content type, size, category."""
    from syllabus.queries.materials import material_pages

    factory = session_factory(load_settings())
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        ctx = Context(
            tenant_id=tenant_id_for(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI
        )
        session.info[TENANT_KEY] = ctx.tenant_id
        for page in material_pages(session, ctx):
            for m in page:
                typer.echo(
                    f"{m.id}\t{m.name}\t{m.content_type}\t{m.size_bytes}\t{m.category or ''}"
                )


@materials_app.command("remove")
def materials_remove(acct_key: str, material_id: int) -> None:
    """Remove a material; its file is deleted unless another material has the same content."""
    from syllabus.services.materials import material_store, remove_material

    settings = load_settings()
    try:
        with unit_of_work(session_factory(settings), tenant_id=None) as session:
            ctx = Context(
                tenant_id=tenant_id_for(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI
            )
            remove_material(
                session, ctx, store=material_store(settings.data_dir), material_id=material_id
            )
    except DomainError as error:
        raise fail(error) from None
    out.print(f"removed material {material_id}")


@course_app.command("subscribe-key")
def course_subscribe_key(
    acct_key: str,
    course_id: int,
    key: Annotated[
        str | None, typer.Argument(help="The new key; a random one when absent.")
    ] = None,
) -> None:
    """Change a course's subscribe key. Outstanding one-time enrollment keys stop working
    until the course's key is set back to the one they were issued under."""
    from syllabus.services.courses import change_subscribe_key

    try:
        with unit_of_work(session_factory(load_settings()), tenant_id=None) as session:
            ctx = Context(
                tenant_id=tenant_id_for(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI
            )
            course = change_subscribe_key(session, ctx, course_id=course_id, subscribe_key=key)
            new_key = course.subscribe_key
    except DomainError as error:
        raise fail(error) from None
    typer.echo(new_key)
