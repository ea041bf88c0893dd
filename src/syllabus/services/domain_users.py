"""Users on a domain (Skilljar's domain users): register one or many, change a membership.

Registering an email that already belongs to a user adds that user to the domain (and returns
them) rather than failing: that is how Skilljar's ``POST /domains/{d}/users`` behaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import DomainError, Invalid, NotFound, RowError
from syllabus.core.fields import UNSET, Maybe, is_set
from syllabus.core.lookups import chunks, require
from syllabus.core.validation import clean_aware_datetime, clean_email, normalize_email
from syllabus.core.versions import Expected, Version, check_version
from syllabus.domain.tenants import Domain, DomainMembership
from syllabus.domain.users import User
from syllabus.services.events import record_event
from syllabus.services.locking import require_locked
from syllabus.services.user_fields import UserData
from syllabus.services.user_import import NewUser, create_users

MAX_BULK = 1_000


@dataclass(frozen=True)
class MembershipSettings:
    active: Maybe[bool] = UNSET
    marketing_optin: Maybe[bool | None] = UNSET
    expires_at: Maybe[datetime | None] = UNSET


@dataclass(frozen=True)
class Registration:
    user_id: int
    membership: DomainMembership
    created_user: bool


def domain_user_version(user_version: int, membership_version: int) -> Version:
    """A domain user shows the user, the membership and the user's answers to the domain's
    signup fields: its version is the user's and the membership's, which the answers (and
    their fields) move (``services.signup_fields``)."""
    return (user_version, membership_version)


def membership(
    session: Session, ctx: Context, domain_id: int, user_id: int, *, for_update: bool = False
) -> DomainMembership:
    """The user's membership of the domain, or NotFound (not a member looks like unknown)."""
    statement = select(DomainMembership).where(
        DomainMembership.tenant_id == ctx.tenant_id,
        DomainMembership.domain_id == domain_id,
        DomainMembership.user_id == user_id,
    )
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    found = session.scalars(statement).first()
    if found is None:
        raise NotFound("domain user", [user_id], field="user_id")
    return found


def _apply(row: DomainMembership, settings: MembershipSettings) -> list[str]:
    changed = []
    if is_set(settings.active) and row.active != bool(settings.active):
        row.active = bool(settings.active)
        changed.append("active")
    if is_set(settings.marketing_optin) and row.marketing_optin != settings.marketing_optin:
        row.marketing_optin = settings.marketing_optin
        changed.append("marketing_optin")
    if is_set(settings.expires_at):
        expires = clean_aware_datetime(settings.expires_at, "expires_at")
        if row.expires_at != expires:
            row.expires_at = expires
            changed.append("expires_at")
    return changed


def add_user_to_domain(
    session: Session,
    ctx: Context,
    *,
    domain_id: int,
    user_id: int,
    settings: MembershipSettings = MembershipSettings(),
) -> tuple[DomainMembership, bool]:
    """Make the user a member of the domain (idempotent); returns it and whether it is new."""
    require(session, ctx, Domain, domain_id, field="domain")
    require(session, ctx, User, user_id, field="user_id")
    try:
        row = membership(session, ctx, domain_id, user_id)
        created = False
    except NotFound:
        row = DomainMembership(
            tenant_id=ctx.tenant_id,
            domain_id=domain_id,
            user_id=user_id,
            active=True,
            enrolled_at=utcnow(),
        )
        session.add(row)
        created = True
    changed = _apply(row, settings)
    session.flush()
    if created or changed:
        record_event(
            session,
            ctx,
            "domain.user_added" if created else "domain.user_updated",
            {"domain_id": domain_id, "user_id": user_id, "changed": changed},
        )
    return row, created


def update_domain_membership(
    session: Session,
    ctx: Context,
    *,
    domain_id: int,
    user_id: int,
    settings: MembershipSettings,
    expected_version: Expected | None = None,
) -> DomainMembership:
    """With ``expected_version`` (``domain_user_version``) a domain user changed since is
    PreconditionFailed, checked under the locks of the user and the membership."""
    if expected_version is not None:
        user = require_locked(session, ctx, User, user_id, field="user_id")
        row = membership(session, ctx, domain_id, user_id, for_update=True)
        check_version(expected_version, domain_user_version(user.version, row.version))
    else:
        row = membership(session, ctx, domain_id, user_id)
    changed = _apply(row, settings)
    if changed:
        session.flush()
        record_event(
            session,
            ctx,
            "domain.user_updated",
            {"domain_id": domain_id, "user_id": user_id, "changed": changed},
        )
    return row


def register_domain_user(
    session: Session,
    ctx: Context,
    *,
    domain_id: int,
    data: UserData,
    settings: MembershipSettings = MembershipSettings(),
) -> Registration:
    """Create the user on the domain, or add the existing user with this email to it."""
    email = clean_email(data.email if is_set(data.email) else None, "email")
    existing = session.scalar(
        select(User.id).where(
            User.tenant_id == ctx.tenant_id, User.email_normalized == normalize_email(email)
        )
    )
    if existing is not None:
        row, _ = add_user_to_domain(
            session, ctx, domain_id=domain_id, user_id=existing, settings=settings
        )
        return Registration(existing, row, created_user=False)
    require(session, ctx, Domain, domain_id, field="domain")
    result = create_users(session, ctx, users=[NewUser(data=data)], domain_ids=[domain_id])
    user_id = result.created[0]
    row = membership(session, ctx, domain_id, user_id)
    _apply(row, settings)
    session.flush()
    return Registration(user_id, row, created_user=True)


@dataclass
class BulkRegistration:
    created: list[tuple[int, int]] = field(default_factory=list)
    """(row index, user id) of the users created."""
    added: list[tuple[int, int]] = field(default_factory=list)
    """(row index, user id) of existing users added to (or already on) the domain."""
    errors: list[RowError] = field(default_factory=list)


def register_domain_users(
    session: Session,
    ctx: Context,
    *,
    domain_id: int,
    users: Sequence[tuple[UserData, MembershipSettings]],
) -> BulkRegistration:
    """Register up to 1,000 users; each row is reported (created, added, or why not).

    Existing emails are added to the domain; new ones are created set-based.
    """
    if len(users) > MAX_BULK:
        raise Invalid("users", f"at most {MAX_BULK} users per call")
    require(session, ctx, Domain, domain_id, field="domain")
    result = BulkRegistration()
    by_email: dict[str, int] = {}
    emails: list[str | None] = []
    for index, (data, _) in enumerate(users):
        try:
            emails.append(normalize_email(clean_email(data.email if is_set(data.email) else None)))
        except DomainError as error:
            emails.append(None)
            result.errors.append(RowError(index, error.field, error.code, error.message))
    known = [e for e in emails if e is not None]
    for part in chunks(known):
        rows = session.execute(
            select(User.email_normalized, User.id).where(
                User.tenant_id == ctx.tenant_id, User.email_normalized.in_(part)
            )
        )
        by_email.update({row.email_normalized: row.id for row in rows})
    new_rows: list[tuple[int, UserData, MembershipSettings]] = []
    seen: set[str] = set()
    for index, ((data, settings), email) in enumerate(zip(users, emails, strict=True)):
        if email is None:
            continue
        if email in seen:
            result.errors.append(
                RowError(index, "email", "conflict", "email appears twice in this request")
            )
            continue
        seen.add(email)
        if email in by_email:
            add_user_to_domain(
                session, ctx, domain_id=domain_id, user_id=by_email[email], settings=settings
            )
            result.added.append((index, by_email[email]))
        else:
            new_rows.append((index, data, settings))
    if new_rows:
        created = create_users(
            session,
            ctx,
            users=[NewUser(data=data) for _, data, _ in new_rows],
            atomic=False,
            domain_ids=[domain_id],
        )
        failed = {error.index for error in created.errors}
        for failure in created.errors:
            original = new_rows[failure.index][0]
            result.errors.append(RowError(original, failure.field, failure.code, failure.message))
        good = [row for position, row in enumerate(new_rows) if position not in failed]
        for (index, _, settings), user_id in zip(good, created.created, strict=True):
            if settings != MembershipSettings():
                _apply(membership(session, ctx, domain_id, user_id), settings)
            result.created.append((index, user_id))
        session.flush()
    result.errors.sort(key=lambda e: e.index)
    return result
