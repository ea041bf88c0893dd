"""A user's writable fields and how each is cleaned, shared by single and bulk writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import (
    Invalid,
)
from syllabus.core.fields import UNSET, ChangeSet, Maybe
from syllabus.core.validation import (
    clean_email,
    clean_enum,
    clean_text,
    clean_time_zone,
    normalize_email,
)
from syllabus.domain.users import (
    CUSTOM_SLOTS,
    CustomAttributeDefinition,
    Role,
)

TEXT_LIMITS: dict[str, int] = {
    "first_name": 100,
    "last_name": 100,
    "username": 254,
    "sso_id": 255,
    "user_identifier": 255,
    "title": 255,
    "company": 255,
    "department": 255,
    "address": 500,
    "address_2": 500,
    "city": 255,
    "state": 255,
    "zip": 32,
    "country": 255,
    "phone": 64,
    "cell": 64,
    "work_phone": 64,
    "card_no": 255,
    "ssn": 64,
    "gender": 32,
    "time_zone": 64,
    "language": 16,
    "locale": 32,
    "picture_url": 1000,
    **dict.fromkeys(CUSTOM_SLOTS, 10_000),
}
NOT_NULL_TEXT = {"first_name": "", "last_name": "", "language": "en", "picture_url": ""}
BOOL_FIELDS = (
    "email_notifications",
    "sms_notifications",
    "global_content_manager",
    "full_permissions_for_courses_i_created",
)
DATE_FIELDS = ("access_start_date", "access_end_date", "password_expiration_date", "date_of_birth")


@dataclass(frozen=True)
class UserData(ChangeSet):
    """A user's writable fields. UNSET leaves a field alone; None clears it."""

    email: Maybe[str] = UNSET
    username: Maybe[str | None] = UNSET
    first_name: Maybe[str | None] = UNSET
    last_name: Maybe[str | None] = UNSET
    role: Maybe[str] = UNSET
    sso_id: Maybe[str | None] = UNSET
    user_identifier: Maybe[str | None] = UNSET
    title: Maybe[str | None] = UNSET
    company: Maybe[str | None] = UNSET
    department: Maybe[str | None] = UNSET
    manager_id: Maybe[int | None] = UNSET
    address: Maybe[str | None] = UNSET
    address_2: Maybe[str | None] = UNSET
    city: Maybe[str | None] = UNSET
    state: Maybe[str | None] = UNSET
    zip: Maybe[str | None] = UNSET
    country: Maybe[str | None] = UNSET
    phone: Maybe[str | None] = UNSET
    cell: Maybe[str | None] = UNSET
    work_phone: Maybe[str | None] = UNSET
    card_no: Maybe[str | None] = UNSET
    ssn: Maybe[str | None] = UNSET
    gender: Maybe[str | None] = UNSET
    date_of_birth: Maybe[date | None] = UNSET
    time_zone: Maybe[str | None] = UNSET
    language: Maybe[str | None] = UNSET
    locale: Maybe[str | None] = UNSET
    notification_email: Maybe[str | None] = UNSET
    email_notifications: Maybe[bool] = UNSET
    sms_notifications: Maybe[bool] = UNSET
    global_content_manager: Maybe[bool] = UNSET
    full_permissions_for_courses_i_created: Maybe[bool] = UNSET
    picture_url: Maybe[str | None] = UNSET
    access_start_date: Maybe[date | None] = UNSET
    access_end_date: Maybe[date | None] = UNSET
    password_expiration_date: Maybe[date | None] = UNSET
    ca_0: Maybe[str | None] = UNSET
    ca_1: Maybe[str | None] = UNSET
    ca_2: Maybe[str | None] = UNSET
    ca_3: Maybe[str | None] = UNSET
    ca_4: Maybe[str | None] = UNSET
    ca_5: Maybe[str | None] = UNSET
    ca_6: Maybe[str | None] = UNSET
    ca_7: Maybe[str | None] = UNSET
    ca_8: Maybe[str | None] = UNSET
    ca_9: Maybe[str | None] = UNSET
    ca_10: Maybe[str | None] = UNSET
    custom_attributes: Maybe[dict[str, str | None]] = UNSET
    """Named attributes; each key must be defined for the program first."""


def clean_user_columns(values: dict[str, Any]) -> dict[str, Any]:
    """Turn set fields into column values; raise Invalid naming the first bad field."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "custom_attributes":
            continue
        if name == "email":
            email = clean_email(value)
            out["email"] = email
            out["email_normalized"] = normalize_email(email)
        elif name == "notification_email":
            out[name] = None if value in (None, "") else clean_email(value, name)
        elif name == "role":
            out[name] = clean_enum(value, Role, "role")
        elif name == "time_zone":
            out[name] = None if value in (None, "") else clean_time_zone(value)
        elif name in TEXT_LIMITS:
            text = clean_text(value, name, max_length=TEXT_LIMITS[name])
            if name == "username":
                if not text:
                    raise Invalid("username", "username must not be blank")
                if len(text.lower()) > TEXT_LIMITS["username"]:  # lower() can lengthen text
                    raise Invalid("username", "username is longer than 254 characters")
                out["username_normalized"] = text.lower()
            out[name] = text or NOT_NULL_TEXT.get(name)
        elif name in BOOL_FIELDS:
            if not isinstance(value, bool):
                raise Invalid(name, f"{name} must be true or false")
            out[name] = value
        elif name in DATE_FIELDS:
            if value is not None and not isinstance(value, date):
                raise Invalid(name, f"{name} must be a date")
            out[name] = value
        elif name == "manager_id":
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise Invalid(name, "manager_id must be a user id")
            out[name] = value
        else:  # pragma: no cover - UserData and this function are kept in step
            raise Invalid(name, f"unknown field {name}")
    return out


def clean_custom_attributes(attrs: object, definitions: dict[str, int]) -> dict[int, str | None]:
    if not isinstance(attrs, dict):
        raise Invalid("custom_attributes", "custom_attributes must be an object")
    out: dict[int, str | None] = {}
    for key, value in attrs.items():
        definition_id = definitions.get(key)
        if definition_id is None:
            raise Invalid(
                f"custom_attributes.{key}",
                f"custom attribute {key!r} is not defined for this program; define it first",
            )
        out[definition_id] = clean_text(value, f"custom_attributes.{key}", max_length=10_000)
    return out


def custom_attribute_ids(session: Session, ctx: Context) -> dict[str, int]:
    rows = session.execute(
        select(CustomAttributeDefinition.key, CustomAttributeDefinition.id).where(
            CustomAttributeDefinition.tenant_id == ctx.tenant_id
        )
    )
    return {key: definition_id for key, definition_id in rows}
