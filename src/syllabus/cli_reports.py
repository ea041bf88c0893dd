"""``syllabus report``: save advanced report definitions and list them (no API action saves one)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy import select

from syllabus.config import Settings
from syllabus.db.engine import make_engine
from syllabus.db.session import TENANT_KEY, make_sessionmaker, unit_of_work
from syllabus.domain.events import Surface
from syllabus.domain.tenants import Tenant
from syllabus.queries.reports_saved import CATALOGUE, FILTERS, list_saved_reports
from syllabus.services.context import Context
from syllabus.services.errors import DomainError, Invalid
from syllabus.services.saved_reports import create_saved_report

report_app = typer.Typer(help="Saved advanced reports.", no_args_is_help=True)
CLI_ACTOR = "cli"


def _in_program(acct_key: str, act: Any) -> Any:
    """Run ``act(session, ctx)`` in one unit of work for the program; print domain errors."""
    factory = make_sessionmaker(make_engine(Settings.from_env().database_url))
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            tenant_id = session.scalar(
                select(Tenant.id).where(Tenant.acct_key == acct_key.strip().lower())
            )
            if tenant_id is None:
                typer.echo(f"error: no program with acct_key {acct_key}", err=True)
                raise typer.Exit(code=1)
            session.info[TENANT_KEY] = tenant_id
            return act(session, Context(int(tenant_id), CLI_ACTOR, Surface.CLI))
    except DomainError as error:
        field = f" ({error.field})" if error.field else ""
        typer.echo(f"error{field}: {error.message}", err=True)
        raise typer.Exit(code=1) from None


def _filters(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name.strip():
            raise Invalid("filters", f"filter {value!r} is not NAME=VALUE")
        out[name.strip().lower()] = rest.strip()
    return out


@report_app.command("save")
def report_save(
    acct_key: str,
    name: str,
    columns: Annotated[str, typer.Option(help=f"Comma-separated, from: {', '.join(CATALOGUE)}.")],
    filter_: Annotated[
        list[str] | None,
        typer.Option("--filter", help=f"NAME=VALUE, repeatable; names: {', '.join(FILTERS)}."),
    ] = None,
) -> None:
    """Save a report definition, e.g. --columns user_email,course_name,status --filter
    status=passed,failed."""

    def act(session: Any, ctx: Context) -> Any:
        return create_saved_report(
            session,
            ctx,
            name=name,
            columns=columns.split(","),
            filters=_filters(filter_ or []),
        )

    report = _in_program(acct_key, act)
    typer.echo(f"saved report {report.id}: {report.name}")


@report_app.command("list")
def report_list(acct_key: str) -> None:
    """List the program's saved reports: id, name, columns, filters."""

    def act(session: Any, ctx: Context) -> None:
        for r in list_saved_reports(session, ctx):
            filters = " ".join(
                f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in r.filters.items()
            )
            typer.echo(f"{r.id}\t{r.name}\t{','.join(r.columns)}\t{filters}")

    _in_program(acct_key, act)
