"""What every ``syllabus`` command shares: the Typer app, consoles, and one unit of work per
command with domain errors printed instead of raised."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from syllabus.config import Settings
from syllabus.core.context import Context, Surface
from syllabus.core.errors import DomainError
from syllabus.db.engine import make_engine
from syllabus.db.session import TENANT_KEY, make_sessionmaker, unit_of_work
from syllabus.domain.tenants import Tenant

T = TypeVar("T")

app = typer.Typer(
    help="Syllabus learning-management server.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()

CLI_ACTOR = "cli"


def load_settings() -> Settings:
    return Settings.from_env()


def session_factory(settings: Settings) -> sessionmaker[Session]:
    return make_sessionmaker(make_engine(settings.database_url))


def redacted_url(url: str) -> str:
    """The database URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def fail(error: DomainError) -> typer.Exit:
    """Print a domain error the way a person reads it; the caller raises the returned exit."""
    field = f" ({error.field})" if error.field else ""
    err.print(f"[red]error{field}:[/red] {error.message}")
    return typer.Exit(code=1)


def tenant_id_for(session: Session, acct_key: str) -> int:
    tenant_id = session.scalar(select(Tenant.id).where(Tenant.acct_key == acct_key.lower()))
    if tenant_id is None:
        err.print(f"[red]error:[/red] no program with acct_key {acct_key}")
        raise typer.Exit(code=1)
    return int(tenant_id)


def in_program(
    acct_key: str,
    act: Callable[[Session, Context], T],
    *,
    read_only: bool = False,
    settings: Settings | None = None,
) -> T:
    """Run ``act(session, ctx)`` in one unit of work scoped to the program, so every command
    reads and writes through the same tenant filter as the API; print domain errors."""
    factory = session_factory(settings or load_settings())
    try:
        with unit_of_work(factory, tenant_id=None, read_only=read_only) as session:
            tenant_id = tenant_id_for(session, acct_key)
            session.info[TENANT_KEY] = tenant_id
            return act(session, Context(tenant_id=tenant_id, actor=CLI_ACTOR, surface=Surface.CLI))
    except DomainError as error:
        raise fail(error) from None
