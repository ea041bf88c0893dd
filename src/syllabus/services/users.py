"""Users: create, update, deactivate, reactivate, delete; custom attribute definitions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import (
    BulkRejected,
    Conflict,
    DomainError,
    Invalid,
    NotFound,
    RowError,
)
from syllabus.core.lookups import require, require_ids
from syllabus.core.validation import (
    clean_date_range,
    clean_text,
)
from syllabus.core.versions import Expected
from syllabus.domain.base import bump
from syllabus.domain.provisioning import ScimDeletedUser
from syllabus.domain.users import (
    CustomAttributeDefinition,
    User,
    UserCustomAttribute,
)
from syllabus.services.events import record_event
from syllabus.services.ilt_registrations import delete_user_registrations
from syllabus.services.locking import require_current
from syllabus.services.provisioning import (
    OWNED_USER_ATTRIBUTES,
    guard_user_attributes,
    is_scim_deleted,
    provisioning_settings,
    record_new_user_sources,
)
from syllabus.services.user_fields import (
    UserData,
    clean_custom_attributes,
    clean_user_columns,
    custom_attribute_ids,
)
from syllabus.services.user_import import BulkCreateResult, NewUser, create_users


def create_user(session: Session, ctx: Context, *, data: UserData, active: bool = True) -> User:
    try:
        result = create_users(session, ctx, users=[NewUser(data=data, active=active)], atomic=True)
    except BulkRejected as rejected:
        # One user is not a batch: raise the row's own error (Invalid, Conflict, NotFound).
        raise _single_row_error(rejected.rows[0], data) from None
    record_new_user_sources(session, ctx, result.created[0], OWNED_USER_ATTRIBUTES)
    return require(session, ctx, User, result.created[0], field="user_id")


def _single_row_error(row: RowError, data: UserData) -> DomainError:
    if row.code == NotFound.code:
        return NotFound("manager", [data.manager_id], field=row.field)
    if row.code == Conflict.code:
        return Conflict(row.message, field=row.field)
    return Invalid(row.field or "email", row.message)


def update_user(
    session: Session,
    ctx: Context,
    *,
    user_id: int,
    changes: UserData,
    expected_version: Expected | None = None,
) -> User:
    """Apply the set fields of ``changes``; records user.updated naming what changed. With
    ``expected_version`` (the user's ``version``) a user changed since is PreconditionFailed."""
    user = require_current(
        session, ctx, User, user_id, field="user_id", expected_version=expected_version
    )
    values = changes.set_fields()
    columns = clean_user_columns(values)
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
    guard_user_attributes(session, ctx, user.id, changed)
    for name in changed:
        setattr(user, name, columns[name])
    if "custom_attributes" in values:
        custom = clean_custom_attributes(
            values["custom_attributes"], custom_attribute_ids(session, ctx)
        )
        if _set_custom(session, ctx, user.id, custom):
            changed.append("custom_attributes")
    if not changed:
        return user
    bump(user)
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
        guard_user_attributes(session, ctx, user.id, ["active"])
        user.is_active = False
        user.deactivated_at = utcnow()
        bump(user)
        session.flush()
        record_event(session, ctx, "user.deactivated", {"user_id": user.id, "email": user.email})
    return user


def reactivate_user(session: Session, ctx: Context, *, user_id: int) -> User:
    user = require(session, ctx, User, user_id, field="user_id")
    if not user.is_active:
        guard_user_attributes(session, ctx, user.id, ["active"])
        user.is_active = True
        user.deactivated_at = None
        bump(user)
        session.flush()
        record_event(session, ctx, "user.reactivated", {"user_id": user.id, "email": user.email})
    return user


def delete_user(session: Session, ctx: Context, *, user_id: int) -> None:
    """Remove the user and everything that hangs off them (memberships, enrollments). ILT
    registrations go through the seat service first, so freed seats reach the waitlist."""
    user = require(session, ctx, User, user_id, field="user_id")
    guard_user_attributes(session, ctx, user.id, ["active"])
    delete_user_registrations(session, ctx, user_id=user.id)
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


def deprovision_user(
    session: Session, ctx: Context, *, user_id: int, expected_version: Expected | None = None
) -> bool:
    """An IdP's DELETE: deactivate and hide from SCIM (learning history kept for admins), or
    delete outright when the program asks for hard deletes. True when the user was deleted.
    With ``expected_version`` a user changed since is PreconditionFailed."""
    if expected_version is not None:
        require_current(
            session, ctx, User, user_id, field="user_id", expected_version=expected_version
        )
    if provisioning_settings(session, ctx.tenant_id).hard_delete:
        delete_user(session, ctx, user_id=user_id)
        return True
    user = deactivate_user(session, ctx, user_id=user_id)
    if not is_scim_deleted(session, ctx, user_id):
        session.add(ScimDeletedUser(tenant_id=ctx.tenant_id, user_id=user_id))
        session.flush()
        record_event(session, ctx, "user.deprovisioned", {"user_id": user.id, "email": user.email})
    return False


__all__ = [
    "BulkCreateResult",
    "NewUser",
    "UserData",
    "create_user",
    "create_users",
    "deactivate_user",
    "define_custom_attribute",
    "delete_user",
    "deprovision_user",
    "reactivate_user",
    "update_user",
]
