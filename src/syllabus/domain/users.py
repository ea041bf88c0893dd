"""Learners, managers and admins, with the profile every dialect renders, and custom attributes."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.domain.base import Base, TenantScoped, Timestamps, Versioned

CUSTOM_SLOTS = tuple(f"ca_{i}" for i in range(11))
"""SkyPrep's eleven free-form custom attribute slots."""


class Role(enum.StrEnum):
    LEARNER = "learner"
    MANAGER = "manager"
    ADMIN = "admin"


class User(TenantScoped, Timestamps, Versioned, Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email_normalized"),
        UniqueConstraint("tenant_id", "username_normalized"),
        Index("ix_users_tenant_sso_id", "tenant_id", "sso_id"),
        Index("ix_users_tenant_user_identifier", "tenant_id", "user_identifier"),
        Index("ix_users_tenant_updated", "tenant_id", "updated_at", "id"),
        # Keyset pages: without it SQLite walks another tenant index and sorts in a temp tree.
        Index("ix_users_tenant_id", "tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    email_normalized: Mapped[str] = mapped_column(String(254))
    username: Mapped[str] = mapped_column(String(254))
    username_normalized: Mapped[str] = mapped_column(String(254))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.LEARNER,
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(default=None)
    anonymized_at: Mapped[datetime | None] = mapped_column(default=None)

    sso_id: Mapped[str | None] = mapped_column(String(255), default=None)
    user_identifier: Mapped[str | None] = mapped_column(String(255), default=None)
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    password_expiration_date: Mapped[date | None] = mapped_column(default=None)
    access_start_date: Mapped[date | None] = mapped_column(default=None)
    access_end_date: Mapped[date | None] = mapped_column(default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    last_course_id: Mapped[int | None] = mapped_column(default=None)

    title: Mapped[str | None] = mapped_column(String(255), default=None)
    company: Mapped[str | None] = mapped_column(String(255), default=None)
    department: Mapped[str | None] = mapped_column(String(255), default=None)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    address: Mapped[str | None] = mapped_column(String(500), default=None)
    address_2: Mapped[str | None] = mapped_column(String(500), default=None)
    city: Mapped[str | None] = mapped_column(String(255), default=None)
    state: Mapped[str | None] = mapped_column(String(255), default=None)
    zip: Mapped[str | None] = mapped_column(String(32), default=None)
    country: Mapped[str | None] = mapped_column(String(255), default=None)
    phone: Mapped[str | None] = mapped_column(String(64), default=None)
    cell: Mapped[str | None] = mapped_column(String(64), default=None)
    work_phone: Mapped[str | None] = mapped_column(String(64), default=None)
    card_no: Mapped[str | None] = mapped_column(String(255), default=None)
    ssn: Mapped[str | None] = mapped_column(String(64), default=None)
    date_of_birth: Mapped[date | None] = mapped_column(default=None)
    gender: Mapped[str | None] = mapped_column(String(32), default=None)
    time_zone: Mapped[str | None] = mapped_column(String(64), default=None)
    language: Mapped[str] = mapped_column(String(16), default="en")
    locale: Mapped[str | None] = mapped_column(String(32), default=None)
    notification_email: Mapped[str | None] = mapped_column(String(254), default=None)
    email_notifications: Mapped[bool] = mapped_column(default=True)
    sms_notifications: Mapped[bool] = mapped_column(default=False)
    picture_url: Mapped[str] = mapped_column(String(1000), default="")
    global_content_manager: Mapped[bool] = mapped_column(default=False)
    full_permissions_for_courses_i_created: Mapped[bool] = mapped_column(default=False)
    custom_dashboard_id: Mapped[int | None] = mapped_column(default=None)
    calendar_key: Mapped[str] = mapped_column(String(64))
    view_key: Mapped[str] = mapped_column(String(64))

    ca_0: Mapped[str | None] = mapped_column(Text, default=None)
    ca_1: Mapped[str | None] = mapped_column(Text, default=None)
    ca_2: Mapped[str | None] = mapped_column(Text, default=None)
    ca_3: Mapped[str | None] = mapped_column(Text, default=None)
    ca_4: Mapped[str | None] = mapped_column(Text, default=None)
    ca_5: Mapped[str | None] = mapped_column(Text, default=None)
    ca_6: Mapped[str | None] = mapped_column(Text, default=None)
    ca_7: Mapped[str | None] = mapped_column(Text, default=None)
    ca_8: Mapped[str | None] = mapped_column(Text, default=None)
    ca_9: Mapped[str | None] = mapped_column(Text, default=None)
    ca_10: Mapped[str | None] = mapped_column(Text, default=None)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class CustomAttributeDefinition(TenantScoped, Timestamps, Base):
    """A named custom attribute; Skilljar's rule: it must be defined before a user can hold it."""

    __tablename__ = "custom_attribute_definitions"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(255), default="")


class UserCustomAttribute(TenantScoped, Base):
    __tablename__ = "user_custom_attributes"
    __table_args__ = (
        UniqueConstraint("user_id", "definition_id"),
        Index("ix_user_custom_attributes_tenant_definition", "tenant_id", "definition_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    definition_id: Mapped[int] = mapped_column(
        ForeignKey("custom_attribute_definitions.id", ondelete="CASCADE")
    )
    value: Mapped[str | None] = mapped_column(Text, default=None)
