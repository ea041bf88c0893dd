"""Users: create (one or in bulk), update, deactivate, reactivate, delete; custom attributes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from syllabus.auth.secrets import new_token
from syllabus.domain.base import utcnow
from syllabus.domain.groups import GroupEmailDomainRule, GroupMembership
from syllabus.domain.tenants import Domain, DomainMembership
from syllabus.domain.users import (
    CUSTOM_SLOTS,
    CustomAttributeDefinition,
    Role,
    User,
    UserCustomAttribute,
)
from syllabus.services.bulk import insert_rows, insert_rows_returning
from syllabus.services.context import Context
from syllabus.services.errors import (
    BulkRejected,
    Conflict,
    DomainError,
    Invalid,
    NotFound,
    RowError,
)
from syllabus.services.events import record_event, record_events
from syllabus.services.fields import UNSET, ChangeSet, Maybe, is_set
from syllabus.services.lookups import chunks, require, require_ids
from syllabus.services.tenants import primary_domain
from syllabus.services.validation import (
    clean_date_range,
    clean_email,
    clean_enum,
    clean_text,
    normalize_email,
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


@dataclass(frozen=True)
class NewUser:
    data: UserData
    active: bool = True


@dataclass
class BulkCreateResult:
    created: list[int] = field(default_factory=list)
    """New user ids, in the order of the input rows that were applied."""
    errors: list[RowError] = field(default_factory=list)
    """Rows not applied, with why (empty when ``atomic``)."""


def _clean_columns(values: dict[str, Any]) -> dict[str, Any]:
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


def _clean_custom(attrs: object, definitions: dict[str, int]) -> dict[int, str | None]:
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


def _definitions(session: Session, ctx: Context) -> dict[str, int]:
    rows = session.execute(
        select(CustomAttributeDefinition.key, CustomAttributeDefinition.id).where(
            CustomAttributeDefinition.tenant_id == ctx.tenant_id
        )
    )
    return {key: definition_id for key, definition_id in rows}


def _existing(session: Session, ctx: Context, column: Any, values: list[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(values):
        found.update(
            session.scalars(select(column).where(User.tenant_id == ctx.tenant_id, column.in_(part)))
        )
    return found


def create_user(session: Session, ctx: Context, *, data: UserData, active: bool = True) -> User:
    try:
        result = create_users(session, ctx, users=[NewUser(data=data, active=active)], atomic=True)
    except BulkRejected as rejected:
        # One user is not a batch: raise the row's own error (Invalid, Conflict, NotFound).
        raise _single_row_error(rejected.rows[0], data) from None
    return require(session, ctx, User, result.created[0], field="user_id")


def _single_row_error(row: RowError, data: UserData) -> DomainError:
    if row.code == NotFound.code:
        return NotFound("manager", [data.manager_id], field=row.field)
    if row.code == Conflict.code:
        return Conflict(row.message, field=row.field)
    return Invalid(row.field or "email", row.message)


def create_users(
    session: Session,
    ctx: Context,
    *,
    users: Sequence[NewUser],
    atomic: bool = True,
    domain_ids: Sequence[int] | None = None,
) -> BulkCreateResult:
    """Create many users set-based: a handful of statements whatever the row count.

    ``atomic`` rejects the whole batch on any bad row (BulkRejected lists every one);
    otherwise good rows are created and bad rows reported. New users join ``domain_ids``
    (default: the program's first domain) and any group whose email-domain rule matches.
    """
    definitions = (
        _definitions(session, ctx) if any(is_set(u.data.custom_attributes) for u in users) else {}
    )
    errors: list[RowError] = []
    rows: list[tuple[int, dict[str, Any], dict[int, str | None], bool]] = []
    for index, new in enumerate(users):
        try:
            values = new.data.set_fields()
            if "email" not in values:
                raise Invalid("email", "email is required")
            columns = _clean_columns(values)
            if "username" not in columns:
                columns["username"] = columns["email"]
                columns["username_normalized"] = columns["email_normalized"]
            clean_date_range(
                columns.get("access_start_date"),
                columns.get("access_end_date"),
                "access_start_date",
                "access_end_date",
            )
            custom = (
                _clean_custom(values["custom_attributes"], definitions)
                if "custom_attributes" in values
                else {}
            )
        except DomainError as error:
            errors.append(RowError(index, error.field, error.code, error.message))
            continue
        rows.append((index, columns, custom, new.active))

    rows = _drop_duplicates(session, ctx, rows, errors)
    manager_ids = sorted({c["manager_id"] for _, c, _, _ in rows if c.get("manager_id")})
    if manager_ids:
        try:
            require_ids(session, ctx, User, manager_ids, field="manager_id", entity="manager")
        except DomainError as error:
            missing = set(error.details.get("ids", []))
            kept = []
            for row in rows:
                if str(row[1].get("manager_id")) in missing:
                    errors.append(RowError(row[0], "manager_id", error.code, error.message))
                else:
                    kept.append(row)
            rows = kept
    errors.sort(key=lambda e: e.index)
    if errors and atomic:
        raise BulkRejected(errors)
    result = BulkCreateResult(errors=errors)
    if not rows:
        return result

    now = utcnow()
    params = [
        {
            **columns,
            "tenant_id": ctx.tenant_id,
            "is_active": active,
            "deactivated_at": None if active else now,
            "calendar_key": new_token(),
            "view_key": new_token(),
            "created_at": now,
            "updated_at": now,
        }
        for _, columns, _, active in rows
    ]
    # Every row gets every column so executemany sees one shape.
    all_keys = set().union(*(p.keys() for p in params))
    defaults = _column_defaults()
    params = [{key: p.get(key, defaults.get(key)) for key in all_keys} for p in params]
    try:
        ids = [row.id for row in insert_rows_returning(session, User, params, "id")]
    except IntegrityError:
        raise Conflict("a user with this email or username already exists", field="email") from None
    result.created = ids

    targets = (
        list(dict.fromkeys(domain_ids))
        if domain_ids is not None
        else [primary_domain(session, ctx).id]
    )
    if domain_ids is not None:
        require_ids(session, ctx, Domain, targets, field="domain_ids", entity="domain")
    memberships = [
        {
            "tenant_id": ctx.tenant_id,
            "domain_id": d,
            "user_id": uid,
            "active": True,
            "enrolled_at": now,
        }
        for uid in ids
        for d in targets
    ]
    if memberships:  # an empty executemany would insert one row of defaults
        insert_rows(session, DomainMembership, memberships)
    custom_rows = [
        {"tenant_id": ctx.tenant_id, "user_id": uid, "definition_id": did, "value": value}
        for uid, (_, _, custom, _) in zip(ids, rows, strict=True)
        for did, value in custom.items()
        if value is not None
    ]
    if custom_rows:
        insert_rows(session, UserCustomAttribute, custom_rows)

    record_events(
        session,
        ctx,
        "user.registered",
        [
            {
                "user_id": uid,
                "email": p["email"],
                "first_name": p.get("first_name") or "",
                "last_name": p.get("last_name") or "",
                "role": str(p.get("role") or Role.LEARNER),
                "active": p["is_active"],
            }
            for uid, p in zip(ids, params, strict=True)
        ],
    )
    _apply_email_domain_rules(
        session, ctx, [(uid, p["email_normalized"]) for uid, p in zip(ids, params, strict=True)]
    )
    return result


def _column_defaults() -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for column in User.__table__.columns:
        if column.default is not None and column.default.is_scalar:
            defaults[column.name] = column.default.arg
        elif column.nullable:
            defaults[column.name] = None
    defaults.update(NOT_NULL_TEXT)
    defaults["role"] = Role.LEARNER
    return defaults


def _drop_duplicates(
    session: Session,
    ctx: Context,
    rows: list[tuple[int, dict[str, Any], dict[int, str | None], bool]],
    errors: list[RowError],
) -> list[tuple[int, dict[str, Any], dict[int, str | None], bool]]:
    """Reject rows whose email or username repeats in the batch or exists already."""
    taken_emails = _existing(
        session, ctx, User.email_normalized, [c["email_normalized"] for _, c, _, _ in rows]
    )
    taken_names = _existing(
        session, ctx, User.username_normalized, [c["username_normalized"] for _, c, _, _ in rows]
    )
    kept = []
    for row in rows:
        index, columns, _, _ = row
        email, username = columns["email_normalized"], columns["username_normalized"]
        if email in taken_emails:
            errors.append(
                RowError(
                    index,
                    "email",
                    Conflict.code,
                    f"a user with email {columns['email']} already exists",
                )
            )
        elif username in taken_names:
            errors.append(
                RowError(
                    index,
                    "username",
                    Conflict.code,
                    f"username {columns['username']} is already taken",
                )
            )
        else:
            taken_emails.add(email)
            taken_names.add(username)
            kept.append(row)
    return kept


def _apply_email_domain_rules(session: Session, ctx: Context, users: list[tuple[int, str]]) -> None:
    rules: dict[str, list[int]] = defaultdict(list)
    for group_id, email_domain in session.execute(
        select(GroupEmailDomainRule.group_id, GroupEmailDomainRule.email_domain).where(
            GroupEmailDomainRule.tenant_id == ctx.tenant_id
        )
    ):
        rules[email_domain].append(group_id)
    if not rules:
        return
    pairs = [
        (group_id, user_id)
        for user_id, email in users
        for group_id in rules.get(email.rsplit("@", 1)[-1], [])
    ]
    if not pairs:
        return
    now = utcnow()
    insert_rows(
        session,
        GroupMembership,
        [
            {"tenant_id": ctx.tenant_id, "group_id": g, "user_id": u, "created_at": now}
            for g, u in pairs
        ],
    )
    record_events(
        session,
        ctx,
        "group.member_added",
        [{"group_id": g, "user_id": u, "reason": "email_domain_rule"} for g, u in pairs],
    )


def update_user(session: Session, ctx: Context, *, user_id: int, changes: UserData) -> User:
    """Apply the set fields of ``changes``; records user.updated naming what changed."""
    user = require(session, ctx, User, user_id, field="user_id")
    values = changes.set_fields()
    columns = _clean_columns(values)
    follows_email = user.username_normalized == user.email_normalized
    if "email" in columns and "username" not in columns and follows_email:
        # A username that was defaulted from the email moves with it, so the old address
        # is free again for someone else.
        columns["username"] = columns["email"]
        columns["username_normalized"] = columns["email_normalized"]
    if "email_normalized" in columns and columns["email_normalized"] != user.email_normalized:
        _ensure_free(
            session, ctx, User.email_normalized, columns["email_normalized"], user.id, "email"
        )
    if (
        "username_normalized" in columns
        and columns["username_normalized"] != user.username_normalized
    ):
        _ensure_free(
            session,
            ctx,
            User.username_normalized,
            columns["username_normalized"],
            user.id,
            "username",
        )
    if columns.get("manager_id") is not None:
        if columns["manager_id"] == user.id:
            raise Invalid("manager_id", "a user cannot be their own manager")
        require_ids(
            session, ctx, User, [columns["manager_id"]], field="manager_id", entity="manager"
        )
    clean_date_range(
        columns.get("access_start_date", user.access_start_date),
        columns.get("access_end_date", user.access_end_date),
        "access_start_date",
        "access_end_date",
    )
    changed = [name for name, value in columns.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, columns[name])
    if "custom_attributes" in values:
        custom = _clean_custom(values["custom_attributes"], _definitions(session, ctx))
        if _set_custom(session, ctx, user.id, custom):
            changed.append("custom_attributes")
    if not changed:
        return user
    user.version += 1
    user.updated_at = utcnow()
    session.flush()
    public = sorted(n for n in changed if not n.endswith("_normalized") and n not in {"ssn"})
    record_event(
        session, ctx, "user.updated", {"user_id": user.id, "email": user.email, "changed": public}
    )
    return user


def _ensure_free(
    session: Session, ctx: Context, column: Any, value: str, own_id: int, field: str
) -> None:
    other = session.scalar(
        select(User.id).where(User.tenant_id == ctx.tenant_id, column == value, User.id != own_id)
    )
    if other is not None:
        raise Conflict(f"another user already has this {field}", field=field)


def _set_custom(
    session: Session, ctx: Context, user_id: int, custom: dict[int, str | None]
) -> bool:
    current = dict(
        session.execute(
            select(UserCustomAttribute.definition_id, UserCustomAttribute.value).where(
                UserCustomAttribute.tenant_id == ctx.tenant_id,
                UserCustomAttribute.user_id == user_id,
            )
        ).all()
    )
    changed = False
    for definition_id, value in custom.items():
        if current.get(definition_id) == value:
            continue
        changed = True
        session.execute(
            delete(UserCustomAttribute).where(
                UserCustomAttribute.user_id == user_id,
                UserCustomAttribute.definition_id == definition_id,
            )
        )
        if value is not None:
            session.add(
                UserCustomAttribute(
                    tenant_id=ctx.tenant_id,
                    user_id=user_id,
                    definition_id=definition_id,
                    value=value,
                )
            )
    session.flush()
    return changed


def deactivate_user(session: Session, ctx: Context, *, user_id: int) -> User:
    """Idempotent: deactivating an inactive user changes nothing and records nothing."""
    user = require(session, ctx, User, user_id, field="user_id")
    if user.is_active:
        user.is_active = False
        user.deactivated_at = utcnow()
        user.version += 1
        session.flush()
        record_event(session, ctx, "user.deactivated", {"user_id": user.id, "email": user.email})
    return user


def reactivate_user(session: Session, ctx: Context, *, user_id: int) -> User:
    user = require(session, ctx, User, user_id, field="user_id")
    if not user.is_active:
        user.is_active = True
        user.deactivated_at = None
        user.version += 1
        session.flush()
        record_event(session, ctx, "user.reactivated", {"user_id": user.id, "email": user.email})
    return user


def delete_user(session: Session, ctx: Context, *, user_id: int) -> None:
    """Remove the user and everything that hangs off them (memberships, enrollments)."""
    user = require(session, ctx, User, user_id, field="user_id")
    record_event(session, ctx, "user.deleted", {"user_id": user.id, "email": user.email})
    session.delete(user)
    session.flush()


def define_custom_attribute(
    session: Session, ctx: Context, *, key: str, label: str = ""
) -> CustomAttributeDefinition:
    clean_key = clean_text(key, "key", max_length=100, required=True)
    assert clean_key is not None
    exists = session.scalar(
        select(CustomAttributeDefinition.id).where(
            CustomAttributeDefinition.tenant_id == ctx.tenant_id,
            CustomAttributeDefinition.key == clean_key,
        )
    )
    if exists is not None:
        raise Conflict(f"custom attribute {clean_key!r} is already defined", field="key")
    definition = CustomAttributeDefinition(
        tenant_id=ctx.tenant_id,
        key=clean_key,
        label=clean_text(label, "label", max_length=255) or clean_key,
    )
    session.add(definition)
    session.flush()
    record_event(session, ctx, "custom_attribute.defined", {"key": clean_key})
    return definition
