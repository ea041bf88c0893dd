"""``syllabus report``: save advanced report definitions and list them (no API action saves one)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from syllabus.cli.common import in_program
from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.queries.reports_saved import CATALOGUE, FILTERS, list_saved_reports
from syllabus.services.saved_reports import create_saved_report

report_app = typer.Typer(help="Saved advanced reports.", no_args_is_help=True)


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

    report = in_program(acct_key, act)
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

    in_program(acct_key, act)
