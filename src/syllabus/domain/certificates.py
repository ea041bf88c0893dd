"""Certificates: issued when a user completes a course that awards one.

Each carries a random validation code (the credential of its public validation page, so it is
unique across programs and unguessable). Whose and for which course come from its course
progress record (no copies: a record moved to another user takes its certificate along).
A certificate is revoked, not deleted, when the completion it attests is withdrawn: the code
then validates as revoked instead of vanishing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.domain.base import Base, TenantScoped, Timestamps


class Certificate(TenantScoped, Timestamps, Base):
    __tablename__ = "certificates"
    __table_args__ = (
        Index("ix_certificates_code", "code", unique=True),
        Index("ix_certificates_tenant_progress", "tenant_id", "course_progress_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_progress_id: Mapped[int] = mapped_column(
        ForeignKey("course_progresses.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    """issued_at plus the course's validity length (days), when it has one."""
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
