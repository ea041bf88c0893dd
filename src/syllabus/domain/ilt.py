"""Instructor-led training: trainings, their scheduled timeslots, and users' registrations.

A training is its own record (SkyPrep answers it with its own id and ``model_type``); a course
item of type ILT points at it through ``course_items.content_id``. A timeslot is one scheduled
session with a capacity; a registration is one user's seat (or place on the waitlist) in it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.domain.base import Base, TenantScoped, Timestamps


class SessionType(enum.StrEnum):
    IN_PERSON = "in-person"
    VIRTUAL = "virtual"
    HYBRID = "hybrid"


class RegistrationStatus(enum.StrEnum):
    """``pending`` is SkyPrep's word for registered: a seat is held, attendance not yet known."""

    PENDING = "pending"
    ATTENDED = "attended"
    ABSENT = "absent"
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"


SEAT_STATUSES = frozenset(
    {RegistrationStatus.PENDING, RegistrationStatus.ATTENDED, RegistrationStatus.ABSENT}
)
"""Statuses that take one of the timeslot's seats (counted against its capacity)."""


def _values(e: type[enum.Enum]) -> list[str]:
    return [m.value for m in e]


class InstructorLedTraining(TenantScoped, Timestamps, Base):
    __tablename__ = "instructor_led_trainings"
    __table_args__ = (Index("ix_instructor_led_trainings_tenant_id", "tenant_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="SET NULL"), default=None
    )
    """The course whose ILT item this training is, when it belongs to one."""
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    session_type: Mapped[SessionType] = mapped_column(
        Enum(SessionType, native_enum=False, length=20, values_callable=_values),
        default=SessionType.IN_PERSON,
    )
    extra_metadata: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """SkyPrep's ``metadata``: free-form entries kept as given."""


class IltTimeslot(TenantScoped, Timestamps, Base):
    """One session of a training; times are UTC, ``display_timezone`` is how to show them."""

    __tablename__ = "ilt_timeslots"
    __table_args__ = (
        Index("ix_ilt_timeslots_tenant_commencement", "tenant_id", "commencement_time", "id"),
        Index("ix_ilt_timeslots_tenant_training", "tenant_id", "training_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(
        ForeignKey("instructor_led_trainings.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None] = mapped_column(default=None)
    """Seats; None means unlimited."""
    display_timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    """IANA name."""
    primary_instructor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    instructor: Mapped[str] = mapped_column(String(255), default="")
    commencement_time: Mapped[datetime | None] = mapped_column(default=None)
    end_time: Mapped[datetime | None] = mapped_column(default=None)
    session_type: Mapped[SessionType] = mapped_column(
        Enum(SessionType, native_enum=False, length=20, values_callable=_values),
        default=SessionType.IN_PERSON,
    )


class IltRegistration(TenantScoped, Timestamps, Base):
    """A user's place in a timeslot: one per user and timeslot, its status changing over time."""

    __tablename__ = "ilt_registrations"
    __table_args__ = (
        UniqueConstraint("timeslot_id", "user_id"),
        Index("ix_ilt_registrations_tenant_timeslot", "tenant_id", "timeslot_id", "status", "id"),
        Index("ix_ilt_registrations_tenant_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    timeslot_id: Mapped[int] = mapped_column(ForeignKey("ilt_timeslots.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_progress_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_progresses.id", ondelete="SET NULL"), default=None
    )
    """The user's own progress record in the training's course, when the caller names one."""
    status: Mapped[RegistrationStatus] = mapped_column(
        Enum(RegistrationStatus, native_enum=False, length=20, values_callable=_values),
        default=RegistrationStatus.PENDING,
    )
    waitlisted_at: Mapped[datetime | None] = mapped_column(default=None)
    """When it last joined the waitlist: the queue's order (None unless waitlisted)."""
