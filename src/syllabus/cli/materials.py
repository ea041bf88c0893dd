"""``materials`` and ``course``: files a program keeps; course settings without an API action."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from syllabus.cli.common import in_program, load_settings, out
from syllabus.core.context import Context
from syllabus.db.migrate import upgrade

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
    material = in_program(
        acct_key,
        lambda session, ctx: add_material(
            session,
            ctx,
            store=material_store(settings.data_dir),
            source=path,
            name=name,
            category=category,
            course_id=course_id,
            content_type=content_type,
        ),
        settings=settings,
    )
    out.print(f"material {material.id}: {material.name} ({material.size_bytes} bytes)")


@materials_app.command("list")
def materials_list(acct_key: str) -> None:
    """List a program's materials: id, name, content type, size, category."""
    from syllabus.queries.materials import material_pages

    def show(session: Session, ctx: Context) -> None:
        for page in material_pages(session, ctx):
            for m in page:
                typer.echo(
                    f"{m.id}\t{m.name}\t{m.content_type}\t{m.size_bytes}\t{m.category or ''}"
                )

    in_program(acct_key, show, read_only=True)


@materials_app.command("remove")
def materials_remove(acct_key: str, material_id: int) -> None:
    """Remove a material; its file is deleted unless another material has the same content."""
    from syllabus.services.materials import material_store, remove_material

    settings = load_settings()
    in_program(
        acct_key,
        lambda session, ctx: remove_material(
            session, ctx, store=material_store(settings.data_dir), material_id=material_id
        ),
        settings=settings,
    )
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

    new_key = in_program(
        acct_key,
        lambda session, ctx: (
            change_subscribe_key(session, ctx, course_id=course_id, subscribe_key=key).subscribe_key
        ),
    )
    typer.echo(new_key)
