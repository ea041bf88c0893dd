"""Creating users in bulk, set-based: a handful of statements whatever the row count."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from syllabus.auth.secrets import new_token
from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import (
    BulkRejected,
    Conflict,
    DomainError,
    Invalid,
    RowError,
)
from syllabus.core.fields import is_set
from syllabus.core.lookups import chunks, require_ids
from syllabus.core.validation import (
    clean_date_range,
)
from syllabus.domain.groups import GroupEmailDomainRule, GroupMembership
from syllabus.domain.tenants import Domain, DomainMembership
from syllabus.domain.users import (
    Role,
    User,
    UserCustomAttribute,
)
from syllabus.services.bulk import insert_rows, insert_rows_returning
from syllabus.services.events import record_events
from syllabus.services.tenants import primary_domain_id
from syllabus.services.user_fields import (
    NOT_NULL_TEXT,
    UserData,
    clean_custom_attributes,
    clean_user_columns,
    custom_attribute_ids,
)


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


def _taken(
    session: Session, ctx: Context, emails: list[str], names: list[str]
) -> tuple[set[str], set[str]]:
    """The emails and usernames among these that existing users hold, in one query per chunk
    (every user has both, so one look at the users who match either answers both)."""
    taken_emails: set[str] = set()
    taken_names: set[str] = set()
    for part_emails, part_names in zip(chunks(emails), chunks(names), strict=True):
        for email, name in session.execute(
            select(User.email_normalized, User.username_normalized).where(
                User.tenant_id == ctx.tenant_id,
                or_(
                    User.email_normalized.in_(part_emails), User.username_normalized.in_(part_names)
                ),
            )
        ):
            taken_emails.add(email)
            taken_names.add(name)
    return taken_emails, taken_names


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
        custom_attribute_ids(session, ctx)
        if any(is_set(u.data.custom_attributes) for u in users)
        else {}
    )
    errors: list[RowError] = []
    rows: list[tuple[int, dict[str, Any], dict[int, str | None], bool]] = []
    for index, new in enumerate(users):
        try:
            values = new.data.set_fields()
            if "email" not in values:
                raise Invalid("email", "email is required")
            columns = clean_user_columns(values)
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
                clean_custom_attributes(values["custom_attributes"], definitions)
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
        # Matched back by email rather than by position: on SQLite, an order-preserving
        # RETURNING costs one INSERT per row, a plain one batches them.
        inserted = insert_rows_returning(session, User, params, "id", "email_normalized")
        by_email = {row.email_normalized: row.id for row in inserted}
        ids = [by_email[p["email_normalized"]] for p in params]
    except IntegrityError:
        raise Conflict("a user with this email or username already exists", field="email") from None
    result.created = ids

    targets = (
        list(dict.fromkeys(domain_ids))
        if domain_ids is not None
        else [primary_domain_id(session, ctx)]
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
    taken_emails, taken_names = _taken(
        session,
        ctx,
        [c["email_normalized"] for _, c, _, _ in rows],
        [c["username_normalized"] for _, c, _, _ in rows],
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
