"""Importing many users onto a domain in the background (Skilljar's bulk-create).

Starting an import checks every row at once (a bad or repeated email rejects the whole request,
naming the rows) and queues one job in the caller's transaction; the worker then registers the
rows. The job's input is ``DomainUserImport``, stored as JSON in the job's payload, so a queued
job survives a restart and the API can show which email each result row was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import BulkRejected, DomainError, Invalid, RowError
from syllabus.core.fields import UNSET, is_set
from syllabus.core.lookups import require
from syllabus.core.validation import clean_email, normalize_email
from syllabus.domain.jobs import Job
from syllabus.domain.tenants import Domain
from syllabus.services.domain_users import (
    MAX_BULK,
    BulkRegistration,
    MembershipSettings,
    register_domain_users,
)
from syllabus.services.jobs import enqueue_job
from syllabus.services.user_fields import UserData

IMPORT_DOMAIN_USERS_JOB = "domain_users.bulk_create"
"""The kind of job an import queues; the worker's handler registers under it."""
_SETTINGS = ("active", "marketing_optin", "expires_at")


@dataclass(frozen=True)
class ImportedUser:
    """One row of an import: who, and their membership of the domain."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    settings: MembershipSettings = field(default_factory=MembershipSettings)

    def as_json(self) -> dict[str, Any]:
        """The row as stored in the job: only what was given."""
        out: dict[str, Any] = {"email": self.email}
        if self.first_name is not None:
            out["first_name"] = self.first_name
        if self.last_name is not None:
            out["last_name"] = self.last_name
        for name in _SETTINGS:
            value = getattr(self.settings, name)
            if is_set(value):
                out[name] = value.isoformat() if isinstance(value, datetime) else value
        return out

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> ImportedUser:
        expires = values.get("expires_at", UNSET)
        settings = MembershipSettings(
            active=values.get("active", UNSET),
            marketing_optin=values.get("marketing_optin", UNSET),
            expires_at=datetime.fromisoformat(expires) if isinstance(expires, str) else expires,
        )
        return cls(
            email=values["email"],
            first_name=values.get("first_name"),
            last_name=values.get("last_name"),
            settings=settings,
        )


@dataclass(frozen=True)
class DomainUserImport:
    """A queued import: the job's input."""

    domain_id: int
    actor: str
    users: tuple[ImportedUser, ...]

    def as_payload(self) -> dict[str, Any]:
        return {
            "domain_id": self.domain_id,
            "actor": self.actor,
            "rows": [user.as_json() for user in self.users],
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> DomainUserImport:
        return cls(
            domain_id=payload["domain_id"],
            actor=payload.get("actor", "worker"),
            users=tuple(ImportedUser.from_json(row) for row in payload["rows"]),
        )


def _rejected_rows(users: Sequence[ImportedUser]) -> list[RowError]:
    """Each row whose email is not an address, or repeats an earlier row's (case-insensitive)."""
    rejected: list[RowError] = []
    seen: dict[str, int] = {}
    for index, user in enumerate(users):
        try:
            email = normalize_email(clean_email(user.email))
        except DomainError as error:
            rejected.append(RowError(index, "email", error.code, error.message))
            continue
        if email in seen:
            message = f"Duplicate of row {seen[email]}."
            rejected.append(RowError(index, "email", "conflict", message))
        seen.setdefault(email, index)
    return rejected


def start_domain_user_import(
    session: Session, ctx: Context, *, domain_id: int, users: Sequence[ImportedUser]
) -> Job:
    """Queue the import of 1 to 1,000 users onto the domain; BulkRejected (naming each bad row)
    when an email is invalid or repeated, and then nothing is queued."""
    require(session, ctx, Domain, domain_id, field="domain")
    if not users or len(users) > MAX_BULK:
        raise Invalid("users", f"between 1 and {MAX_BULK} users per import")
    rejected = _rejected_rows(users)
    if rejected:
        raise BulkRejected(rejected)
    request = DomainUserImport(domain_id=domain_id, actor=ctx.actor, users=tuple(users))
    return enqueue_job(
        session,
        kind=IMPORT_DOMAIN_USERS_JOB,
        payload=request.as_payload(),
        tenant_id=ctx.tenant_id,
    )


def run_domain_user_import(
    session: Session, ctx: Context, *, request: DomainUserImport
) -> BulkRegistration:
    """The worker's half: register every row (created, added, or why not)."""
    rows = [
        (
            UserData(
                email=user.email, first_name=user.first_name or "", last_name=user.last_name or ""
            ),
            user.settings,
        )
        for user in request.users
    ]
    return register_domain_users(session, ctx, domain_id=request.domain_id, users=rows)
