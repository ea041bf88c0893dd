"""Access secrets handed to people: login keys and one-time course enrollment keys.

Only a hash of each secret is stored; the secret itself is shown once, when it is issued.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.core.clock import utcnow
from syllabus.domain.base import Base, TenantScoped


class LoginKeyType(enum.StrEnum):
    DAILY = "daily"
    """Valid, any number of times, until the end of the program's day."""
    OTL = "otl"
    """One-time login: valid once, for a short time."""


class LoginKey(TenantScoped, Base):
    """A key that signs one user in when its URL is opened.

    Redeemed before the program is known (the URL carries only the key), so looked up by
    its hash across programs, like a credential.
    """

    __tablename__ = "login_keys"
    __table_args__ = (Index("ix_login_keys_tenant_user", "tenant_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key_type: Mapped[LoginKeyType] = mapped_column(
        Enum(
            LoginKeyType,
            native_enum=False,
            length=8,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseOtp(TenantScoped, Base):
    """A one-time enrollment key for a course: one use, by one user.

    Valid only while the course's subscribe key is the one it was issued under, so changing
    the subscribe key invalidates outstanding keys and reverting it revives them.
    """

    __tablename__ = "course_otps"
    __table_args__ = (Index("ix_course_otps_tenant_course", "tenant_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), default=None
    )
    """The one user allowed to redeem it, if it was issued for someone; else the first taker."""
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    subscribe_key: Mapped[str] = mapped_column(String(64))
    """The course's subscribe key when the key was issued."""
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    used_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
