"""Login keys: a URL that signs one user in, issued by an admin integration.

``daily`` keys work any number of times until the end of the program's day, in the program's
time zone; ``otl`` (one-time login) keys work once, within ``OTL_LIFETIME``. Only the hash of a
key is stored; the secret is returned once, by ``issue_login_key``, and never recorded in an
event.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.auth.secrets import hash_secret, hashes_match
from syllabus.core.clock import utcnow
from syllabus.core.context import Context, Surface
from syllabus.core.errors import Invalid, NotFound
from syllabus.core.lookups import chunks, require
from syllabus.core.validation import clean_enum, clean_text, normalize_email
from syllabus.domain.access import LoginKey, LoginKeyType
from syllabus.domain.groups import Group
from syllabus.domain.tenancy import ALL_TENANTS
from syllabus.domain.tenants import Tenant
from syllabus.domain.users import User
from syllabus.services.events import record_event
from syllabus.services.groups import GroupData, add_users_to_group, create_group
from syllabus.services.users import UserData, create_user

OTL_LIFETIME = timedelta(minutes=15)
KEY_BYTES = 32
MAX_KEY_LENGTH = 200
"""Longer strings cannot be keys we issued: refused without hashing."""


@dataclass(frozen=True, slots=True)
class IssuedLoginKey:
    user_id: int
    email: str
    secret: str
    """Shown once: only its hash is stored."""
    key_type: LoginKeyType
    expires_at: datetime


def end_of_program_day(time_zone: str, now: datetime) -> datetime:
    """The next local midnight of ``time_zone`` after ``now``, in UTC."""
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
    return midnight.astimezone(UTC)


def issue_login_key(
    session: Session, ctx: Context, *, user_id: int, key_type: LoginKeyType | str
) -> IssuedLoginKey:
    kind = clean_enum(key_type, LoginKeyType, "key_type")
    user = require(session, ctx, User, user_id, field="user_id")
    if not user.is_active:
        raise Invalid("user_id", "the user is deactivated and cannot sign in")
    now = utcnow()
    if kind is LoginKeyType.DAILY:
        tenant = session.get_one(Tenant, ctx.tenant_id)
        expires_at = end_of_program_day(tenant.time_zone, now)
    else:
        expires_at = now + OTL_LIFETIME
    secret = secrets.token_urlsafe(KEY_BYTES)
    session.add(
        LoginKey(
            tenant_id=ctx.tenant_id,
            user_id=user.id,
            key_type=kind,
            secret_hash=hash_secret(secret),
            expires_at=expires_at,
            created_at=now,
        )
    )
    session.flush()
    record_event(
        session,
        ctx,
        "user.login_key_issued",
        {"user_id": user.id, "key_type": kind.value, "expires_at": expires_at.isoformat()},
    )
    return IssuedLoginKey(user.id, user.email, secret, kind, expires_at)


@dataclass(frozen=True, slots=True)
class LoginKeyRequest:
    """``get_login_key``'s inputs: who (by id or email), what key, and what to set up first."""

    user_id: int | None = None
    user_email: str | None = None
    key_type: LoginKeyType | str = LoginKeyType.DAILY
    autocreate: bool = False
    first_name: str | None = None
    last_name: str | None = None
    group_names: Sequence[str] = ()
    autocreate_groups: bool = False


def issue_login_key_for(
    session: Session, ctx: Context, *, request: LoginKeyRequest
) -> IssuedLoginKey:
    """Find (or, with ``autocreate``, create) the user, put them in the named groups (creating
    missing ones with ``autocreate_groups``), and issue a key; all in the caller's transaction.

    Unknown group names, without ``autocreate_groups``, fail the call naming every one of them
    before anything is written.
    """
    kind = clean_enum(request.key_type, LoginKeyType, "key_type")
    names = _group_names(request.group_names)
    groups = _groups_by_name(session, ctx, names)
    unknown = [name for name in names if name.lower() not in groups]
    if unknown and not request.autocreate_groups:
        raise NotFound("user group", unknown, field="user_groups")
    user_id = _find_or_create_user(session, ctx, request)
    for name in unknown:
        groups[name.lower()] = create_group(session, ctx, data=GroupData(name=name)).id
    for name in names:
        add_users_to_group(session, ctx, group_id=groups[name.lower()], user_ids=[user_id])
    return issue_login_key(session, ctx, user_id=user_id, key_type=kind)


def _group_names(names: Sequence[str]) -> list[str]:
    out: dict[str, str] = {}
    for name in names:
        text = (clean_text(name, "user_groups", max_length=255) or "").strip()
        if text:
            out.setdefault(text.lower(), text)
    return list(out.values())


def _groups_by_name(session: Session, ctx: Context, names: list[str]) -> dict[str, int]:
    """Group ids by lower-cased full name (a top-level group's full name is its name)."""
    found: dict[str, int] = {}
    for part in chunks([name.lower() for name in names]):
        rows = session.execute(
            select(Group.full_name_normalized, Group.id).where(
                Group.tenant_id == ctx.tenant_id, Group.full_name_normalized.in_(part)
            )
        )
        found.update((name, group_id) for name, group_id in rows)
    return found


def _find_or_create_user(session: Session, ctx: Context, request: LoginKeyRequest) -> int:
    if request.user_id is not None:
        return require(session, ctx, User, request.user_id, field="user_id").id
    if request.user_email is None or not request.user_email.strip():
        raise Invalid("user_id", "user_id or user_email is required")
    email = request.user_email.strip()
    existing = session.scalar(
        select(User.id).where(
            User.tenant_id == ctx.tenant_id, User.email_normalized == normalize_email(email)
        )
    )
    if existing is not None:
        return existing
    if not request.autocreate:
        raise NotFound("user", [email], field="user_email")
    data = UserData(email=email, first_name=request.first_name, last_name=request.last_name)
    return create_user(session, ctx, data=data).id


@dataclass(frozen=True, slots=True)
class Login:
    tenant_id: int
    user_id: int


def redeem_login_key(session: Session, *, secret: str) -> Login:
    """The user a key signs in; an otl key is used up. Raises NotFound for a key that is
    unknown, used, expired or whose user is deactivated: all look the same to the caller.

    Runs before the program is known, so the session may be cross-tenant.
    """
    refused = NotFound("login key", field="login_key")
    if not secret or len(secret) > MAX_KEY_LENGTH:
        raise refused
    key = session.scalars(
        select(LoginKey)
        .where(LoginKey.secret_hash == hash_secret(secret))
        .execution_options(**{ALL_TENANTS: True})
    ).first()
    if key is None or not hashes_match(key.secret_hash, secret):
        raise refused
    now = utcnow()
    if key.used_at is not None or key.expires_at <= now:
        raise refused
    user = session.scalars(
        select(User)
        .where(User.id == key.user_id, User.tenant_id == key.tenant_id)
        .execution_options(**{ALL_TENANTS: True})
    ).first()
    if user is None or not user.is_active:
        raise refused
    if key.key_type is LoginKeyType.OTL:
        key.used_at = now
    user.last_login_at = now
    session.flush()
    ctx = Context(tenant_id=key.tenant_id, actor=f"user:{user.id}", surface=Surface.WEB)
    record_event(
        session,
        ctx,
        "user.logged_in",
        {"user_id": user.id, "method": f"login_key:{key.key_type.value}"},
    )
    return Login(tenant_id=key.tenant_id, user_id=user.id)
