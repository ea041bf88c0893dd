"""Direct enrollments: a user registered in a course's publication on a domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.core.clock import utcnow
from syllabus.domain.base import Base, TenantScoped, Versioned


class Enrollment(TenantScoped, Versioned, Base):
    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("published_course_id", "user_id"),
        Index("ix_enrollments_tenant_user", "tenant_id", "user_id"),
        Index("ix_enrollments_tenant_course", "tenant_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    published_course_id: Mapped[int] = mapped_column(
        ForeignKey("published_courses.id", ondelete="CASCADE")
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    """Denormalized from the publication so per-course queries need no join."""
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(default=True)
