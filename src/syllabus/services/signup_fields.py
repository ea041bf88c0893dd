"""Signup fields: defining a domain's extra registration questions and saving users' answers.

Fields are defined by operators (the CLI: Skilljar's v1 API has no operation for it) and
answered through the API. Every answer is checked against its field (active, this domain's,
the regex, the picklist, true/false) before anything is written, so a bulk save is all or
nothing. A changed answer is a ``user.updated`` event, which webhooks already deliver.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Conflict, Invalid, NotFound
from syllabus.core.fields import UNSET, ChangeSet, Maybe
from syllabus.core.lookups import possible_id, possible_ids, require
from syllabus.core.validation import clean_enum, clean_int, clean_required_text, clean_text
from syllabus.domain.signup_manager import (
    SignupField,
    SignupFieldOption,
    SignupFieldType,
    UserSignupFieldValue,
)
from syllabus.domain.tenants import Domain, DomainMembership
from syllabus.domain.users import User
from syllabus.services.events import record_event

MAX_VALUE = 10_000
MAX_ORDER = 2_147_483_647
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


@dataclass(frozen=True)
class SignupFieldData(ChangeSet):
    """A field's writable settings; UNSET keeps the current value (or the default)."""

    type: Maybe[str] = UNSET
    label: Maybe[str] = UNSET
    help_text: Maybe[str | None] = UNSET
    regex_validator: Maybe[str | None] = UNSET
    regex_validator_error_text: Maybe[str | None] = UNSET
    required: Maybe[bool] = UNSET
    active: Maybe[bool] = UNSET
    order: Maybe[int] = UNSET


@dataclass(frozen=True)
class ValueChange:
    """One answer to save: the field and the raw value as given."""

    field_id: int
    value: object


def _clean_settings(data: SignupFieldData) -> dict[str, object]:
    given = data.set_fields()
    out: dict[str, object] = {}
    for name, value in given.items():
        if name == "type":
            out[name] = clean_enum(str(value).upper(), SignupFieldType, "type").value
        elif name == "label":
            out[name] = clean_required_text(value, "label", max_length=255)
        elif name in {"help_text", "regex_validator", "regex_validator_error_text"}:
            limit = {"help_text": 4096, "regex_validator": 500}.get(name, 100)
            out[name] = clean_text(value, name, max_length=limit) or ""
        elif name in {"required", "active"}:
            if not isinstance(value, bool):
                raise Invalid(name, f"{name} must be true or false")
            out[name] = value
        elif name == "order":
            out[name] = clean_int(value, "order", minimum=0, maximum=MAX_ORDER)
    pattern = out.get("regex_validator")
    if isinstance(pattern, str) and pattern:
        try:
            re.compile(pattern)
        except re.error as error:
            raise Invalid("regex_validator", f"not a valid regular expression: {error}") from None
    return out


def add_signup_field(
    session: Session,
    ctx: Context,
    *,
    domain_id: int,
    data: SignupFieldData,
    options: Sequence[str] = (),
) -> SignupField:
    """A new field of the domain's signup form (signup_field.created), with its picklist
    ``options`` in order when given."""
    require(session, ctx, Domain, domain_id, field="domain")
    values = _clean_settings(data)
    if "label" not in values:
        raise Invalid("label", "label is required")
    field = SignupField(tenant_id=ctx.tenant_id, domain_id=domain_id, **values)
    session.add(field)
    session.flush()
    record_event(
        session,
        ctx,
        "signup_field.created",
        {"signup_field_id": field.id, "domain_id": domain_id, "label": field.label},
    )
    for value in options:
        add_signup_field_option(session, ctx, field_id=field.id, value=value)
    return field


def update_signup_field(
    session: Session, ctx: Context, *, field_id: int, data: SignupFieldData
) -> SignupField:
    """Change the settings given (deactivating is ``active=False``: answers are kept)."""
    field = require(session, ctx, SignupField, field_id, field="signup_field")
    values = _clean_settings(data)
    changed = [name for name, value in values.items() if getattr(field, name) != value]
    for name in changed:
        setattr(field, name, values[name])
    if changed:
        field.updated_at = utcnow()
        session.flush()
        _answers_moved(session, ctx, field.domain_id, field_id=field.id)
        record_event(
            session,
            ctx,
            "signup_field.updated",
            {"signup_field_id": field.id, "domain_id": field.domain_id, "changed": changed},
        )
    return field


def remove_signup_field(session: Session, ctx: Context, *, field_id: int) -> None:
    """Delete the field with its options and every user's answer to it."""
    field = require(session, ctx, SignupField, field_id, field="signup_field")
    _answers_moved(session, ctx, field.domain_id, field_id=field.id)
    record_event(
        session,
        ctx,
        "signup_field.removed",
        {"signup_field_id": field.id, "domain_id": field.domain_id, "label": field.label},
    )
    session.delete(field)
    session.flush()


def add_signup_field_option(
    session: Session, ctx: Context, *, field_id: int, value: object
) -> SignupFieldOption:
    field = require(session, ctx, SignupField, field_id, field="signup_field")
    text = clean_required_text(value, "value", max_length=100)
    taken = session.scalar(
        select(SignupFieldOption.id).where(
            SignupFieldOption.tenant_id == ctx.tenant_id,
            SignupFieldOption.field_id == field.id,
            SignupFieldOption.value == text,
        )
    )
    if taken is not None:
        raise Conflict(f"the field already has the option {text!r}", field="value")
    option = SignupFieldOption(tenant_id=ctx.tenant_id, field_id=field.id, value=text)
    session.add(option)
    _options_changed(session, ctx, field)
    return option


def _options_changed(session: Session, ctx: Context, field: SignupField) -> None:
    field.updated_at = utcnow()
    session.flush()
    record_event(
        session,
        ctx,
        "signup_field.updated",
        {"signup_field_id": field.id, "domain_id": field.domain_id, "changed": ["options"]},
    )


def remove_signup_field_option(session: Session, ctx: Context, *, option_id: int) -> None:
    """Answers already given stay as they are; new answers may no longer pick this option."""
    option = require(session, ctx, SignupFieldOption, option_id, field="option")
    field = require(session, ctx, SignupField, option.field_id, field="signup_field")
    session.delete(option)
    _options_changed(session, ctx, field)


def _answers_moved(
    session: Session,
    ctx: Context,
    domain_id: int,
    *,
    field_id: int | None = None,
    user_id: int | None = None,
) -> None:
    """A domain user shows their answers (with each field's label): the memberships of the
    users concerned move their version, so the domain user's ETag moves with its answers."""
    answered = select(UserSignupFieldValue.user_id).where(
        UserSignupFieldValue.tenant_id == ctx.tenant_id
    )
    if field_id is not None:
        answered = answered.where(UserSignupFieldValue.field_id == field_id)
    if user_id is not None:
        answered = answered.where(UserSignupFieldValue.user_id == user_id)
    session.execute(
        update(DomainMembership)
        .where(
            DomainMembership.tenant_id == ctx.tenant_id,
            DomainMembership.domain_id == domain_id,
            DomainMembership.user_id.in_(answered),
        )
        .values(version=DomainMembership.version + 1),
        execution_options={"synchronize_session": "fetch"},
    )


def _membership_locked(session: Session, ctx: Context, domain_id: int, user_id: int) -> None:
    """The user must belong to the domain; the row lock serializes concurrent saves."""
    found = None
    if possible_id(user_id):
        found = session.scalar(
            select(DomainMembership.id)
            .where(
                DomainMembership.tenant_id == ctx.tenant_id,
                DomainMembership.domain_id == domain_id,
                DomainMembership.user_id == user_id,
            )
            .with_for_update()
        )
    if found is None:
        raise NotFound("domain user", [user_id], field="user_id")


def _checked(field: SignupField, options: set[str], raw: object, index: int) -> str:
    """The value to store, or Invalid naming what is wrong (``index`` is the row)."""
    if isinstance(raw, bool) and field.type == SignupFieldType.CHECKBOX:
        raw = "true" if raw else "false"
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        raise Invalid("value", "Not a valid string.", index=index)
    if not raw.strip():
        raise Invalid("value", "This field may not be blank.", index=index)
    if "\x00" in raw or len(raw) > MAX_VALUE:
        raise Invalid(
            "value", f"Ensure this field has no more than {MAX_VALUE} characters.", index=index
        )
    value = raw.strip()
    if field.type == SignupFieldType.CHECKBOX:
        word = value.lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise Invalid("value", f'"{raw}" is not a valid boolean.', index=index)
        value = "true" if word in TRUE_WORDS else "false"
    elif field.type == SignupFieldType.PICKLIST and value not in options:
        raise Invalid("value", f'"{raw}" is not a valid choice.', index=index)
    if field.regex_validator and re.fullmatch(field.regex_validator, value) is None:
        message = field.regex_validator_error_text or "Enter a valid value."
        raise Invalid("value", message, index=index)
    return value


def set_user_signup_values(
    session: Session,
    ctx: Context,
    *,
    domain_id: int,
    user_id: int,
    changes: Sequence[ValueChange],
) -> list[UserSignupFieldValue]:
    """Create or update the user's answers, all or none; returns them in the order given.

    A field that is unknown, another domain's or inactive is Invalid naming ``signup_field``
    (with the row ``index``); so is a field given twice.
    """
    _membership_locked(session, ctx, domain_id, user_id)
    wanted = possible_ids([c.field_id for c in changes])
    fields = {
        f.id: f
        for f in session.scalars(
            select(SignupField).where(
                SignupField.tenant_id == ctx.tenant_id,
                SignupField.domain_id == domain_id,
                SignupField.id.in_(wanted),
            )
        )
    }
    options: dict[int, set[str]] = {}
    for option in session.scalars(
        select(SignupFieldOption).where(
            SignupFieldOption.tenant_id == ctx.tenant_id,
            SignupFieldOption.field_id.in_(list(fields)),
        )
    ):
        options.setdefault(option.field_id, set()).add(option.value)
    clean: dict[int, str] = {}
    for index, change in enumerate(changes):
        field = fields.get(change.field_id)
        if field is None:
            raise Invalid("signup_field", "No such signup field on this domain.", index=index)
        if not field.active:
            raise Invalid("signup_field", f"The field {field.label!r} is inactive.", index=index)
        if field.id in clean:
            raise Invalid("signup_field", "The same field is given twice.", index=index)
        clean[field.id] = _checked(field, options.get(field.id, set()), change.value, index)
    existing = {
        v.field_id: v
        for v in session.scalars(
            select(UserSignupFieldValue).where(
                UserSignupFieldValue.tenant_id == ctx.tenant_id,
                UserSignupFieldValue.user_id == user_id,
                UserSignupFieldValue.field_id.in_(list(clean)),
            )
        )
    }
    saved: list[UserSignupFieldValue] = []
    changed: list[int] = []
    for field_id, value in clean.items():
        row = existing.get(field_id)
        if row is None:
            row = UserSignupFieldValue(
                tenant_id=ctx.tenant_id, field_id=field_id, user_id=user_id, value=value
            )
            session.add(row)
            changed.append(field_id)
        elif row.value != value:
            row.value = value
            row.updated_at = utcnow()
            changed.append(field_id)
        saved.append(row)
    session.flush()
    if changed:
        _answers_moved(session, ctx, domain_id, user_id=user_id)
        email = session.scalar(select(User.email).where(User.id == user_id))
        record_event(
            session,
            ctx,
            "user.updated",
            {
                "user_id": user_id,
                "email": email,
                "changed": ["signup_fields"],
                "domain_id": domain_id,
                "signup_field_ids": changed,
            },
        )
    return saved
