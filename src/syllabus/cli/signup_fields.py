"""``signup-field``: define a domain's signup fields and their options.

Skilljar's v1 API only reads signup fields, so operators define them here. Ids are printed and
accepted as the ``/v1`` API shows them (base-36 public ids), so a field added here can be named
in an API call as is.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.auth.sessions import load_or_create_secret_key
from syllabus.cli.common import err, in_program, load_settings
from syllabus.core.context import Context
from syllabus.core.errors import NotFound
from syllabus.core.fields import UNSET
from syllabus.db.engine import make_engine
from syllabus.dialects.skilljar.ids import IdCodec
from syllabus.domain.signup_manager import SignupField, SignupFieldOption
from syllabus.domain.tenants import Domain
from syllabus.services.signup_fields import (
    SignupFieldData,
    add_signup_field,
    add_signup_field_option,
    remove_signup_field,
    remove_signup_field_option,
    update_signup_field,
)

signup_field_app = typer.Typer(help="Signup fields of a program's domains.", no_args_is_help=True)
FIELD_KIND = "signup_field"
OPTION_KIND = "signup_field_option"


def _codec() -> IdCodec:
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        return IdCodec(load_or_create_secret_key(settings.secret_key, settings.data_dir, engine))
    finally:
        engine.dispose()


def _decode(codec: IdCodec, kind: str, public_id: str) -> int:
    row_id = codec.decode(kind, public_id)
    if row_id is None:
        err.print(f"[red]error:[/red] no {kind.replace('_', ' ')} {public_id}")
        raise typer.Exit(code=1)
    return row_id


def _domain_id(session: Session, ctx: Context, name: str) -> int:
    found = session.scalar(
        select(Domain.id).where(Domain.tenant_id == ctx.tenant_id, Domain.name == name.lower())
    )
    if found is None:
        raise NotFound("domain", [name], field="domain")
    return int(found)


def _row(session: Session, ctx: Context, codec: IdCodec, field: SignupField) -> dict[str, Any]:
    options = session.scalars(
        select(SignupFieldOption)
        .where(SignupFieldOption.tenant_id == ctx.tenant_id, SignupFieldOption.field_id == field.id)
        .order_by(SignupFieldOption.id)
    )
    return {
        "id": codec.encode(FIELD_KIND, field.id),
        "type": field.type,
        "label": field.label,
        "help_text": field.help_text,
        "regex_validator": field.regex_validator,
        "regex_validator_error_text": field.regex_validator_error_text,
        "required": field.required,
        "active": field.active,
        "order": field.order,
        "options": [{"id": codec.encode(OPTION_KIND, o.id), "value": o.value} for o in options],
    }


def _data(
    field_type: str | None,
    label: str | None,
    help_text: str | None,
    regex: str | None,
    regex_error: str | None,
    required: bool | None,
    order: int | None,
) -> SignupFieldData:
    def given(value: object) -> object:
        return UNSET if value is None else value

    return SignupFieldData(
        type=given(field_type),  # type: ignore[arg-type]
        label=given(label),  # type: ignore[arg-type]
        help_text=given(help_text),  # type: ignore[arg-type]
        regex_validator=given(regex),  # type: ignore[arg-type]
        regex_validator_error_text=given(regex_error),  # type: ignore[arg-type]
        required=given(required),  # type: ignore[arg-type]
        order=given(order),  # type: ignore[arg-type]
    )


TypeOpt = Annotated[str | None, typer.Option("--type", help="TEXT, PICKLIST or CHECKBOX.")]
HelpOpt = Annotated[str | None, typer.Option("--help-text")]
RegexOpt = Annotated[str | None, typer.Option("--regex", help="Values must match it fully.")]
RegexErrOpt = Annotated[str | None, typer.Option("--regex-error", help="Shown when not.")]
RequiredOpt = Annotated[bool | None, typer.Option("--required/--optional")]
OrderOpt = Annotated[int | None, typer.Option("--order")]


@signup_field_app.command("add")
def field_add(
    acct_key: str,
    domain: str,
    label: str,
    field_type: TypeOpt = "TEXT",
    help_text: HelpOpt = None,
    regex: RegexOpt = None,
    regex_error: RegexErrOpt = None,
    required: RequiredOpt = None,
    order: OrderOpt = None,
    option: Annotated[list[str] | None, typer.Option(help="A picklist choice (repeat).")] = None,
) -> None:
    """Add a field to a domain (with its picklist options); prints it as JSON."""
    codec = _codec()

    def act(session: Session, ctx: Context) -> dict[str, Any]:
        data = _data(field_type, label, help_text, regex, regex_error, required, order)
        field = add_signup_field(
            session,
            ctx,
            domain_id=_domain_id(session, ctx, domain),
            data=data,
            options=option or (),
        )
        return _row(session, ctx, codec, field)

    typer.echo(json.dumps(in_program(acct_key, act)))


@signup_field_app.command("list")
def field_list(acct_key: str, domain: str) -> None:
    """Every field of a domain, one JSON object per line."""
    codec = _codec()

    def act(session: Session, ctx: Context) -> list[dict[str, Any]]:
        domain_id = _domain_id(session, ctx, domain)
        fields = session.scalars(
            select(SignupField)
            .where(SignupField.tenant_id == ctx.tenant_id, SignupField.domain_id == domain_id)
            .order_by(SignupField.order, SignupField.id)
        )
        return [_row(session, ctx, codec, f) for f in fields]

    for row in in_program(acct_key, act):
        typer.echo(json.dumps(row))


def _update(acct_key: str, field_id: str, data: SignupFieldData) -> None:
    codec = _codec()
    row_id = _decode(codec, FIELD_KIND, field_id)

    def act(session: Session, ctx: Context) -> dict[str, Any]:
        field = update_signup_field(session, ctx, field_id=row_id, data=data)
        return _row(session, ctx, codec, field)

    typer.echo(json.dumps(in_program(acct_key, act)))


@signup_field_app.command("update")
def field_update(
    acct_key: str,
    field_id: str,
    label: Annotated[str | None, typer.Option("--label")] = None,
    field_type: TypeOpt = None,
    help_text: HelpOpt = None,
    regex: RegexOpt = None,
    regex_error: RegexErrOpt = None,
    required: RequiredOpt = None,
    order: OrderOpt = None,
) -> None:
    """Change the settings given; prints the field."""
    _update(
        acct_key, field_id, _data(field_type, label, help_text, regex, regex_error, required, order)
    )


@signup_field_app.command("deactivate")
def field_deactivate(acct_key: str, field_id: str) -> None:
    """Stop accepting values for the field (values already given are kept)."""
    _update(acct_key, field_id, SignupFieldData(active=False))


@signup_field_app.command("activate")
def field_activate(acct_key: str, field_id: str) -> None:
    """Accept values for the field again."""
    _update(acct_key, field_id, SignupFieldData(active=True))


@signup_field_app.command("remove")
def field_remove(acct_key: str, field_id: str) -> None:
    """Delete the field, its options and every user's value of it."""
    row_id = _decode(_codec(), FIELD_KIND, field_id)
    in_program(acct_key, lambda s, c: remove_signup_field(s, c, field_id=row_id))
    typer.echo(f"removed {field_id}")


@signup_field_app.command("add-option")
def option_add(acct_key: str, field_id: str, value: str) -> None:
    """Add a picklist choice; prints the field."""
    codec = _codec()
    row_id = _decode(codec, FIELD_KIND, field_id)

    def act(session: Session, ctx: Context) -> dict[str, Any]:
        option = add_signup_field_option(session, ctx, field_id=row_id, value=value)
        field = session.get(SignupField, option.field_id)
        assert field is not None
        return _row(session, ctx, codec, field)

    typer.echo(json.dumps(in_program(acct_key, act)))


@signup_field_app.command("remove-option")
def option_remove(acct_key: str, option_id: str) -> None:
    """Remove a picklist choice (values already given keep it)."""
    row_id = _decode(_codec(), OPTION_KIND, option_id)
    in_program(acct_key, lambda s, c: remove_signup_field_option(s, c, option_id=row_id))
    typer.echo(f"removed {option_id}")
