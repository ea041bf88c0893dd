"""Issuing and revoking certificates as course completions come and go.

Called from the shared status transitions (services/progress_records.py), so every door that
completes a course (SkyPrep item progress, an administrator's status change, Skilljar's
``completed_at``, Skilljar lesson progress) issues the same certificate.

Clearing a completion revokes the certificate rather than keeping it: the certificate attests
that completion, and a completion withdrawn (marked by mistake, an item reset) must not keep
validating publicly. The row stays, so its code validates as revoked; completing the course
again issues a new certificate with a new code.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.domain.certificates import Certificate
from syllabus.domain.courses import Course
from syllabus.domain.progress import CourseProgress

CODE_BYTES = 20
"""160 random bits, URL-safe base64 (27 characters): the public page's only credential."""


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def current_certificate(session: Session, ctx: Context, progress_id: int) -> Certificate | None:
    """The record's certificate in force (not revoked), if any."""
    return session.scalars(
        select(Certificate)
        .where(
            Certificate.tenant_id == ctx.tenant_id,
            Certificate.course_progress_id == progress_id,
            Certificate.revoked_at.is_(None),
        )
        .order_by(Certificate.id.desc())
    ).first()


def issue_certificate(
    session: Session, ctx: Context, progress: CourseProgress, *, course: Course, now: datetime
) -> Certificate | None:
    """A certificate for the completed record when the course awards one (None otherwise);
    the one in force when there is one already. It expires ``validity_length`` days after
    issue when the course sets a validity length, never otherwise."""
    if not course.certificate:
        return None
    existing = current_certificate(session, ctx, progress.id)
    if existing is not None:
        return existing
    expires_at = now + timedelta(days=course.validity_length) if course.validity_length else None
    certificate = Certificate(
        tenant_id=ctx.tenant_id,
        course_progress_id=progress.id,
        code=new_code(),
        issued_at=now,
        expires_at=expires_at,
    )
    session.add(certificate)
    session.flush()
    return certificate


def revoke_certificates(
    session: Session, ctx: Context, progress: CourseProgress, *, now: datetime
) -> None:
    """The record's completion was withdrawn: its certificate in force no longer is."""
    session.execute(
        update(Certificate)
        .where(
            Certificate.tenant_id == ctx.tenant_id,
            Certificate.course_progress_id == progress.id,
            Certificate.revoked_at.is_(None),
        )
        .values(revoked_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
