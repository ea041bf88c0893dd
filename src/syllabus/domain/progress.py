"""Learning progress: one record per (user, course), per (record, course item), and exam attempts.

A course progress opens (not-started) when the user is enrolled and rolls up from its items'
progress; it outlives the enrollment (unenrolling makes it inactive, it keeps the history).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.domain.base import Base, TenantScoped, Timestamps, Versioned


def _values(e: type[enum.Enum]) -> list[str]:
    return [str(m.value) for m in e]


class ProgressStatus(enum.StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not-applicable"
    ARCHIVED = "archived"


ROLLED_UP = frozenset(
    {
        ProgressStatus.NOT_STARTED,
        ProgressStatus.IN_PROGRESS,
        ProgressStatus.PASSED,
        ProgressStatus.FAILED,
    }
)
"""Statuses that item progress recomputes; not-applicable and archived are an admin's call."""


class EnrollmentStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    """Unenrolled: the record stays as history."""
    DISABLED = "disabled"


class ItemStatus(enum.StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    PASSED = "passed"
    FAILED = "failed"


def _status_enum(e: type[enum.Enum], length: int) -> Enum:
    return Enum(e, native_enum=False, length=length, values_callable=_values)


class CourseProgress(TenantScoped, Timestamps, Versioned, Base):
    __tablename__ = "course_progresses"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        Index("ix_course_progresses_tenant_id", "tenant_id", "id"),
        Index("ix_course_progresses_tenant_user", "tenant_id", "user_id", "id"),
        Index("ix_course_progresses_tenant_course", "tenant_id", "course_id", "id"),
        Index("ix_course_progresses_tenant_updated", "tenant_id", "updated_at", "id"),
        Index("ix_course_progresses_tenant_completed", "tenant_id", "completed_at", "id"),
        Index("ix_course_progresses_tenant_status", "tenant_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    status: Mapped[ProgressStatus] = mapped_column(
        _status_enum(ProgressStatus, 20), default=ProgressStatus.NOT_STARTED
    )
    enrollment_status: Mapped[EnrollmentStatus] = mapped_column(
        _status_enum(EnrollmentStatus, 20), default=EnrollmentStatus.ACTIVE
    )
    enrolled_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    """When the course was passed; None otherwise."""
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    access_at: Mapped[datetime | None] = mapped_column(default=None)
    deadline_at: Mapped[datetime | None] = mapped_column(default=None)
    next_reenrollment_at: Mapped[datetime | None] = mapped_column(default=None)
    override_dates: Mapped[bool] = mapped_column(default=False)
    skip_prerequisites: Mapped[bool] = mapped_column(default=False)
    score: Mapped[int | None] = mapped_column(default=None)
    percent_viewed: Mapped[int] = mapped_column(default=0)
    last_course_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_items.id", ondelete="SET NULL"), default=None
    )


class ItemProgress(TenantScoped, Timestamps, Versioned, Base):
    """A user's progress through one item of a course, under their course progress."""

    __tablename__ = "course_item_progresses"
    __table_args__ = (
        UniqueConstraint("course_progress_id", "course_item_id"),
        Index(
            "ix_course_item_progresses_tenant_user_item", "tenant_id", "user_id", "course_item_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_progress_id: Mapped[int] = mapped_column(
        ForeignKey("course_progresses.id", ondelete="CASCADE")
    )
    course_item_id: Mapped[int] = mapped_column(ForeignKey("course_items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    """Denormalized from the course progress so a user's item lookups need no join."""
    status: Mapped[ItemStatus] = mapped_column(
        _status_enum(ItemStatus, 20), default=ItemStatus.NOT_STARTED
    )
    score: Mapped[int | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    custom_data: Mapped[str | None] = mapped_column(Text, default=None)
    """Free text a client keeps with the lesson progress (Skilljar's ``custom_data``)."""


class ExamAttempt(TenantScoped, Base):
    """One scored attempt at an exam item; the item progress keeps the latest score and count."""

    __tablename__ = "exam_attempts"
    __table_args__ = (
        Index("ix_exam_attempts_tenant_item_progress", "tenant_id", "item_progress_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_progress_id: Mapped[int] = mapped_column(
        ForeignKey("course_item_progresses.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column()
    score: Mapped[int | None] = mapped_column(default=None)
    passed: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime] = mapped_column()
