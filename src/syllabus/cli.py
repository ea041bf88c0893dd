"""The ``syllabus`` command: serve, worker, db, tenant, key, demo."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from syllabus.cli_reports import report_app
from syllabus.config import Settings
from syllabus.db.engine import make_engine
from syllabus.db.migrate import upgrade
from syllabus.db.session import TENANT_KEY, make_sessionmaker, unit_of_work
from syllabus.delivery.worker import Worker
from syllabus.demo import ensure_demo_program
from syllabus.domain.credentials import CredentialKind
from syllabus.domain.events import Surface
from syllabus.domain.tenants import Tenant
from syllabus.queries.skills import list_competencies, list_skills
from syllabus.services.context import Context
from syllabus.services.credentials import issue_credential, list_credentials, revoke_credential
from syllabus.services.errors import DomainError, Invalid
from syllabus.services.ilt import TrainingData, create_training
from syllabus.services.payments import set_stripe_webhook_secret
from syllabus.services.skills import (
    RubricLevel,
    SkillRequirement,
    add_skill_level,
    create_competency,
    create_skill,
)
from syllabus.services.tenants import NewTenant, create_tenant

app = typer.Typer(
    help="Syllabus learning-management server.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
tenant_app = typer.Typer(help="Programs (tenants).", no_args_is_help=True)
key_app = typer.Typer(help="API keys and SCIM tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(tenant_app, name="tenant")
app.add_typer(key_app, name="key")
err = Console(stderr=True)
out = Console()

CLI_ACTOR = "cli"


def _settings() -> Settings:
    return Settings.from_env()


def _factory(settings: Settings):  # type: ignore[no-untyped-def]
    return make_sessionmaker(make_engine(settings.database_url))


def _fail(error: DomainError) -> typer.Exit:
    field = f" ({error.field})" if error.field else ""
    err.print(f"[red]error{field}:[/red] {error.message}")
    return typer.Exit(code=1)


def _tenant_id(session, acct_key: str) -> int:  # type: ignore[no-untyped-def]
    tenant_id = session.scalar(select(Tenant.id).where(Tenant.acct_key == acct_key.lower()))
    if tenant_id is None:
        err.print(f"[red]error:[/red] no program with acct_key {acct_key}")
        raise typer.Exit(code=1)
    return int(tenant_id)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations (the server does this itself on start)."""
    settings = _settings()
    upgrade(settings.database_url, revision)
    out.print(f"database at {revision}: {_redacted(settings.database_url)}")


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@tenant_app.command("create")
def tenant_create(
    acct_key: str,
    name: Annotated[
        str | None, typer.Option(help="Display name; defaults to the acct_key.")
    ] = None,
    time_zone: Annotated[str, typer.Option(help="IANA time zone of the program.")] = "UTC",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Create a program and print its acct_key, a new API key and a new SCIM token (shown once)."""
    settings = _settings()
    upgrade(settings.database_url)
    factory = _factory(settings)
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            tenant = create_tenant(
                session,
                data=NewTenant(acct_key=acct_key, name=name, time_zone=time_zone),
                actor=CLI_ACTOR,
                surface=Surface.CLI,
            )
            ctx = Context(tenant_id=tenant.id, actor=CLI_ACTOR, surface=Surface.CLI)
            api_key = issue_credential(
                session, ctx, kind=CredentialKind.API_KEY, label="initial"
            ).secret
            scim = issue_credential(
                session, ctx, kind=CredentialKind.SCIM_TOKEN, label="initial"
            ).secret
    except DomainError as error:
        raise _fail(error) from None
    if as_json:
        typer.echo(
            json.dumps({"acct_key": tenant.acct_key, "api_key": api_key, "scim_token": scim})
        )
        return
    out.print(f"acct_key:   {tenant.acct_key}")
    out.print(f"api_key:    {api_key}")
    out.print(f"scim_token: {scim}")
    out.print("[yellow]Keep these now: only their hashes are stored.[/yellow]")


@tenant_app.command("list")
def tenant_list() -> None:
    """List programs."""
    factory = _factory(_settings())
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        for tenant in session.scalars(select(Tenant).order_by(Tenant.id)):
            out.print(f"{tenant.id}\t{tenant.acct_key}\t{tenant.name}\t{tenant.time_zone}")


@key_app.command("create")
def key_create(
    acct_key: str,
    label: Annotated[str, typer.Option(help="What the key is for, e.g. 'okta' or 'hr-sync'.")] = "",
    scim: Annotated[
        bool, typer.Option("--scim", help="Create a SCIM bearer token instead.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create an API key (or SCIM token) for a program; the secret is printed once."""
    factory = _factory(_settings())
    kind = CredentialKind.SCIM_TOKEN if scim else CredentialKind.API_KEY
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            ctx = Context(
                tenant_id=_tenant_id(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI
            )
            issued = issue_credential(session, ctx, kind=kind, label=label)
    except DomainError as error:
        raise _fail(error) from None
    if as_json:
        typer.echo(
            json.dumps({"id": issued.credential.id, "kind": kind.value, "secret": issued.secret})
        )
    else:
        out.print(f"{kind.value} {issued.credential.id}: {issued.secret}")


@key_app.command("revoke")
def key_revoke(acct_key: str, key_id: int) -> None:
    """Revoke a key or token by id; it stops working at once."""
    factory = _factory(_settings())
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            ctx = Context(
                tenant_id=_tenant_id(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI
            )
            revoke_credential(session, ctx, credential_id=key_id)
    except DomainError as error:
        raise _fail(error) from None
    out.print(f"revoked {key_id}")


@key_app.command("list")
def key_list(acct_key: str) -> None:
    """List a program's keys and tokens (prefixes only; secrets are never stored)."""
    factory = _factory(_settings())
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        ctx = Context(tenant_id=_tenant_id(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI)
        for c in list_credentials(session, ctx):
            state = f"revoked {c.revoked_at:%Y-%m-%d}" if c.revoked_at else "active"
            out.print(f"{c.id}\t{c.kind.value}\t{c.prefix}…\t{c.label}\t{state}")


@app.command()
def demo(
    acct_key: Annotated[str, typer.Argument()] = "demo.example",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Fill a program (created if missing) with demo users, groups, courses and enrollments."""
    settings = _settings()
    upgrade(settings.database_url)
    api_key = _prepare_demo(settings, acct_key)
    if as_json:
        typer.echo(json.dumps({"acct_key": acct_key, "api_key": api_key}))
    else:
        _print_how_to_call(settings, acct_key, api_key)


def _prepare_demo(settings: Settings, acct_key: str) -> str:
    factory = _factory(settings)
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            summary = ensure_demo_program(session, acct_key, data_dir=settings.data_dir)
            ctx = Context(tenant_id=summary.tenant_id, actor=CLI_ACTOR, surface=Surface.CLI)
            api_key = issue_credential(
                session, ctx, kind=CredentialKind.API_KEY, label="demo"
            ).secret
    except DomainError as error:
        raise _fail(error) from None
    state = (
        f"created with {summary.users} users and {summary.courses} courses"
        if summary.created
        else "already there"
    )
    err.print(f"demo program {acct_key}: {state}")
    return api_key


def _print_how_to_call(settings: Settings, acct_key: str, api_key: str) -> None:
    """Plain output (no wrapping) so the commands can be copied as they are."""
    base = f"http://{settings.host}:{settings.port}"
    headers = f"-H 'X-SkyPrep-API-Key: {api_key}' -H 'X-SkyPrep-Acct-Key: {acct_key}'"
    typer.echo(
        f"""
Syllabus demo program
  acct_key: {acct_key}
  api_key:  {api_key}   (a new key; only its hash is stored)

Try:
  curl {base}/health
  curl -X POST {base}/admin/api/test_connection {headers}
  curl -X POST {base}/admin/api/available_api_calls -d api_key={api_key} -d acct_key={acct_key}
"""
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (SYLLABUS_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (SYLLABUS_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="HTTP worker processes.")] = 1,
    embedded_worker: Annotated[
        bool, typer.Option(help="Run the background worker in-process.")
    ] = True,
    with_demo: Annotated[
        bool, typer.Option("--demo", help="Create the demo program first.")
    ] = False,
) -> None:
    """Migrate the database, then serve all dialects with uvicorn."""
    import uvicorn

    if host:
        os.environ["SYLLABUS_HOST"] = host
    if port:
        os.environ["SYLLABUS_PORT"] = str(port)
    os.environ["SYLLABUS_EMBEDDED_WORKER"] = "1" if embedded_worker else "0"
    settings = _settings()
    upgrade(settings.database_url)
    if with_demo:
        _print_how_to_call(settings, "demo.example", _prepare_demo(settings, "demo.example"))
    err.print(f"database: {_redacted(settings.database_url)}")
    uvicorn.run(
        "syllabus.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level=settings.log_level,
        access_log=False,
        proxy_headers=False,  # ProxyHeaders (web/proxy.py) applies SYLLABUS_TRUSTED_PROXIES
    )


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Process what is due, then exit.")] = False,
) -> None:
    """Run a background worker (several may run at once; work is claimed in the database)."""
    settings = _settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    upgrade(settings.database_url)
    runner = Worker(
        _factory(settings),
        lease_seconds=settings.job_lease_seconds,
        poll_seconds=settings.worker_poll_seconds,
    )
    if once:
        while runner.run_once():
            pass
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    runner.run_forever(stop)


training_app = typer.Typer(help="Instructor-led trainings.", no_args_is_help=True)
app.add_typer(training_app, name="training")


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
    factory = _factory(_settings())
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            tenant_id = _tenant_id(session, acct_key)
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
        raise _fail(error) from None
    if as_json:
        typer.echo(json.dumps({"id": training_id, "name": name}))
    else:
        out.print(f"instructor-led training {training_id}: {name}")


# --- Skills, competencies and payments (the rewards slice) -----------------------------------

skills_app = typer.Typer(help="Skills, their rubrics, and competencies.", no_args_is_help=True)
payments_app = typer.Typer(help="Payments and the Stripe webhook.", no_args_is_help=True)
app.add_typer(skills_app, name="skills")
app.add_typer(payments_app, name="payments")


def _rubric(text: str) -> list[RubricLevel]:
    """``Beginner:25,Advanced:100`` as rubric levels."""
    levels = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        title, _, points = part.rpartition(":")
        if not title or not points.strip().isdigit():
            raise _fail(Invalid("rubric", f"rubric level {part!r} is not TITLE:POINTS"))
        levels.append(RubricLevel(title.strip(), int(points)))
    return levels


def _requirement(text: str) -> SkillRequirement:
    """``SKILL_ID:LEVEL``, LEVEL being the rubric level's number or title."""
    skill, _, level = text.partition(":")
    if not skill.strip().isdigit() or not level.strip():
        raise _fail(Invalid("skill", f"{text!r} is not SKILL_ID:LEVEL"))
    value = level.strip()
    return SkillRequirement(int(skill), int(value) if value.isdigit() else value)


def _in_program(acct_key: str, act):  # type: ignore[no-untyped-def]
    """Run ``act(session, ctx)`` in one unit of work for the program; print domain errors."""
    factory = _factory(_settings())
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            tenant_id = _tenant_id(session, acct_key)
            session.info[TENANT_KEY] = tenant_id
            return act(session, Context(tenant_id=tenant_id, actor=CLI_ACTOR, surface=Surface.CLI))
    except DomainError as error:
        raise _fail(error) from None


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
    skill = _in_program(
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
    level = _in_program(
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
    competency = _in_program(
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

    def show(session, ctx) -> None:  # type: ignore[no-untyped-def]
        for sk in list_skills(session, ctx):
            levels = ", ".join(f"{lv.title}:{lv.skill_points}" for lv in sk.rubric)
            typer.echo(f"skill {sk.id}\t{sk.name}\t{sk.display_name}\t[{levels}]")
        for c in list_competencies(session, ctx):
            needs = ", ".join(f"{r.skill.name}>={r.level.title}" for r in c.requirements)
            typer.echo(f"competency {c.id}\t{c.name}\t{c.display_name}\t[{needs}]")

    _in_program(acct_key, show)


@payments_app.command("set-secret")
def payments_set_secret(acct_key: str) -> None:
    """Store the program's Stripe webhook signing secret (whsec_...), read from a hidden
    prompt or standard input so it never lands in shell history; it is never printed."""
    secret = typer.prompt("Stripe signing secret", hide_input=True)
    _in_program(
        acct_key, lambda session, ctx: set_stripe_webhook_secret(session, ctx, secret=secret)
    )
    typer.echo(f"Stripe signing secret stored for {acct_key}")
    typer.echo(f"Stripe endpoint: POST /webhooks/stripe/{acct_key.lower()}")


def main() -> None:
    app()


# --- Materials and course subscribe keys ----------------------------------------------------

materials_app = typer.Typer(
    help="Materials: files a program keeps in Syllabus.", no_args_is_help=True
)
course_app = typer.Typer(help="Course settings without an API action.", no_args_is_help=True)
app.add_typer(materials_app, name="materials")
app.add_typer(course_app, name="course")
app.add_typer(report_app, name="report")


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

    settings = _settings()
    upgrade(settings.database_url)
    try:
        with unit_of_work(_factory(settings), tenant_id=None) as session:
            ctx = Context(
                tenant_id=_tenant_id(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI
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
        raise _fail(error) from None
    out.print(f"material {material.id}: {material.name} ({material.size_bytes} bytes)")


@materials_app.command("list")
def materials_list(acct_key: str) -> None:
    """List a program's materials: id, name, content type, size, category."""
    from syllabus.queries.materials import material_pages

    factory = _factory(_settings())
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        ctx = Context(tenant_id=_tenant_id(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI)
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

    settings = _settings()
    try:
        with unit_of_work(_factory(settings), tenant_id=None) as session:
            ctx = Context(
                tenant_id=_tenant_id(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI
            )
            remove_material(
                session, ctx, store=material_store(settings.data_dir), material_id=material_id
            )
    except DomainError as error:
        raise _fail(error) from None
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
        with unit_of_work(_factory(_settings()), tenant_id=None) as session:
            ctx = Context(
                tenant_id=_tenant_id(session, acct_key), actor=CLI_ACTOR, surface=Surface.CLI
            )
            course = change_subscribe_key(session, ctx, course_id=course_id, subscribe_key=key)
            new_key = course.subscribe_key
    except DomainError as error:
        raise _fail(error) from None
    typer.echo(new_key)
