"""Certificates and course credits as the progress views show them, and a certificate by its
public validation code (the only cross-program read: the code is the credential)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import chunks, possible_id, possible_ids
from syllabus.domain.certificates import Certificate
from syllabus.domain.courses import Course
from syllabus.domain.progress import CourseProgress
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.tenants import Tenant
from syllabus.domain.users import User

VALIDATION_PATH = "/certificates/{code}"
"""Where the public validation page of a certificate is served (web/certificates.py)."""

_c = Certificate.__table__.c
_courses = Course.__table__.c
_users = User.__table__.c
_tenants = Tenant.__table__.c
_progress = CourseProgress.__table__.c


@dataclass(frozen=True)
class CertificateView:
    id: int
    course_progress_id: int
    code: str
    issued_at: datetime
    expires_at: datetime | None


_IN_FORCE = (
    scoped_select(Certificate, _c.id, _c.course_progress_id, _c.code, _c.issued_at, _c.expires_at)
    .where(
        _c.course_progress_id.in_(bindparam("ids", expanding=True)),
        _c.revoked_at.is_(None),
    )
    .order_by(_c.course_progress_id, _c.id)
)
_CREDITS = scoped_select(Course, _courses.id, _courses.credits).where(
    _courses.id.in_(bindparam("ids", expanding=True))
)


def certificates_in_force(
    session: Session, ctx: Context, progress_ids: Iterable[int]
) -> dict[int, CertificateView]:
    """The certificate in force of each progress record that has one, by record id."""
    found: dict[int, CertificateView] = {}
    for part in chunks(sorted(set(possible_ids(progress_ids)))):
        for row in execute_scoped(session, ctx.tenant_id, _IN_FORCE, {"ids": list(part)}):
            found[row.course_progress_id] = CertificateView(
                row.id, row.course_progress_id, row.code, row.issued_at, row.expires_at
            )
    return found


def course_credits(
    session: Session, ctx: Context, course_ids: Iterable[int]
) -> dict[int, Decimal | None]:
    """Each course's credits (None when it awards none)."""
    found: dict[int, Decimal | None] = {}
    for part in chunks(sorted(set(possible_ids(course_ids)))):
        for row in execute_scoped(session, ctx.tenant_id, _CREDITS, {"ids": list(part)}):
            found[row.id] = row.credits
    return found


@dataclass(frozen=True)
class CertificateRecord:
    """What the public validation page shows."""

    code: str
    program: str
    learner: str
    course: str
    issued_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


MAX_CODE_LENGTH = 64


_PUBLIC = (
    select(
        _c.code,
        _c.issued_at,
        _c.expires_at,
        _c.revoked_at,
        _tenants.name.label("program"),
        _users.first_name,
        _users.last_name,
        _users.view_key,
        _courses.name.label("course"),
    )
    .join(
        CourseProgress.__table__,
        (_progress.id == _c.course_progress_id) & (_progress.tenant_id == _c.tenant_id),
    )
    .join(User.__table__, _users.id == _progress.user_id)
    .join(Course.__table__, _courses.id == _progress.course_id)
    .join(Tenant.__table__, _tenants.id == _c.tenant_id)
)
"""Certificates with what their public page shows; cross-tenant (the URL names no program)."""


def _record(row: Any) -> CertificateRecord:
    learner = f"{row.first_name or ''} {row.last_name or ''}".strip() or "(no name on record)"
    return CertificateRecord(
        row.code,
        row.program,
        learner,
        row.course,
        row.issued_at,
        row.expires_at,
        row.revoked_at,
    )


def certificate_by_code(session: Session, code: str) -> CertificateRecord | None:
    """The certificate with this validation code, whatever its program; None when unknown.

    Runs in a cross-tenant unit of work: the URL carries only the code.
    """
    if not code or len(code) > MAX_CODE_LENGTH:
        return None
    row = session.execute(_PUBLIC.where(_c.code == code)).first()
    return None if row is None else _record(row)


def certificate_of_progress(
    session: Session, progress_id: int
) -> tuple[CertificateRecord, str] | None:
    """The certificate in force of a course progress record, whatever its program, with its
    learner's ``view_key`` (the credential of SkyPrep's public certificate link, which the
    caller checks); None when the record has none."""
    if not possible_id(progress_id):
        return None
    row = session.execute(
        _PUBLIC.where(_c.course_progress_id == progress_id, _c.revoked_at.is_(None)).order_by(
            _c.id.desc()
        )
    ).first()
    return None if row is None else (_record(row), row.view_key)
