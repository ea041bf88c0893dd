"""``scim``: a program's SCIM settings and the drift report."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from syllabus.cli.common import in_program, out
from syllabus.core.fields import UNSET
from syllabus.queries.users.scim import scim_drift_report
from syllabus.services.provisioning import set_provisioning_settings

scim_app = typer.Typer(help="SCIM provisioning: settings and drift.", no_args_is_help=True)


@scim_app.command("settings")
def scim_settings(
    acct_key: str,
    authority: Annotated[
        str | None,
        typer.Option(help="Who owns identity, status and pushed groups: 'any' or 'scim'."),
    ] = None,
    hard_delete: Annotated[
        bool | None,
        typer.Option(
            "--hard-delete/--soft-delete",
            help="A SCIM DELETE removes the user, or deactivates them (the default).",
        ),
    ] = None,
) -> None:
    """Show a program's SCIM settings, changing those given."""
    current = in_program(
        acct_key,
        lambda session, ctx: set_provisioning_settings(
            session,
            ctx,
            authority=UNSET if authority is None else authority,
            hard_delete=UNSET if hard_delete is None else hard_delete,
        ),
    )
    typer.echo(json.dumps(current.as_json()))


@scim_app.command("drift")
def scim_drift(acct_key: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Users whose SCIM-owned attributes (email, names, username, active) were last written
    through another door than SCIM; exits 1 when there are any."""
    rows = in_program(
        acct_key, lambda session, ctx: scim_drift_report(session, ctx), read_only=True
    )
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "user_id": r.user_id,
                        "email": r.email,
                        "attribute": r.attribute,
                        "surface": r.surface,
                        "written_at": r.written_at.isoformat(),
                    }
                    for r in rows
                ]
            )
        )
    else:
        for r in rows:
            when = f"{r.written_at:%Y-%m-%d %H:%M:%S}"
            out.print(f"{r.user_id}\t{r.email}\t{r.attribute}\t{r.surface}\t{when}")
        out.print(f"{len({r.user_id for r in rows})} user(s) drifted from the identity provider")
    if rows:
        raise typer.Exit(code=1)
