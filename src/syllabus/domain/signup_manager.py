"""Per-domain signup fields with users' answers, and the scope of a group manager's access.

Signup fields are the extra questions a domain asks at registration (Skilljar's SignupField);
a user has at most one value per field. Manager access is the Skilljar face of a group manager
(``group_managers``, the SkyPrep data): one ``manager_access`` row per manager link adds what
SkyPrep has no word for (which courses and paths they oversee); Skilljar's ``can_create_users``
is SkyPrep's ``can_add_users`` flag on the link itself.
"""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.domain.base import Base, TenantScoped, Timestamps, Versioned


class SignupFieldType(enum.StrEnum):
    TEXT = "TEXT"
    PICKLIST = "PICKLIST"
    CHECKBOX = "CHECKBOX"


class AccessLevel(enum.StrEnum):
    """How much of the catalog a manager oversees: everything, the listed ids, or nothing."""

    ALL = "ALL"
    SELECTED = "SELECTED"
    NONE = "NONE"


class SignupField(TenantScoped, Timestamps, Base):
    __tablename__ = "signup_fields"
    __table_args__ = (Index("ix_signup_fields_tenant_domain", "tenant_id", "domain_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16), default=SignupFieldType.TEXT.value)
    label: Mapped[str] = mapped_column(String(255))
    help_text: Mapped[str] = mapped_column(String(4096), default="")
    regex_validator: Mapped[str] = mapped_column(String(500), default="")
    regex_validator_error_text: Mapped[str] = mapped_column(String(100), default="")
    required: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    order: Mapped[int] = mapped_column(default=0)


class SignupFieldOption(TenantScoped, Base):
    """One choice of a PICKLIST field."""

    __tablename__ = "signup_field_options"
    __table_args__ = (
        UniqueConstraint("field_id", "value"),
        Index("ix_signup_field_options_tenant_field", "tenant_id", "field_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("signup_fields.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(100))


class UserSignupFieldValue(TenantScoped, Timestamps, Versioned, Base):
    __tablename__ = "user_signup_field_values"
    __table_args__ = (
        UniqueConstraint("field_id", "user_id"),
        Index("ix_user_signup_field_values_tenant_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("signup_fields.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(Text)


class ManagerAccess(TenantScoped, Timestamps, Versioned, Base):
    """The Skilljar settings of one group manager link; removed with the link."""

    __tablename__ = "manager_access"
    __table_args__ = (Index("ix_manager_access_tenant_user", "tenant_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(
        ForeignKey("group_managers.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_access_level: Mapped[str] = mapped_column(String(16), default=AccessLevel.ALL.value)
    path_access_level: Mapped[str] = mapped_column(String(16), default=AccessLevel.ALL.value)


class ManagerAccessCourse(TenantScoped, Base):
    __tablename__ = "manager_access_courses"
    __table_args__ = (UniqueConstraint("access_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    access_id: Mapped[int] = mapped_column(ForeignKey("manager_access.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))


class ManagerAccessPath(TenantScoped, Base):
    __tablename__ = "manager_access_paths"
    __table_args__ = (UniqueConstraint("access_id", "path_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    access_id: Mapped[int] = mapped_column(ForeignKey("manager_access.id", ondelete="CASCADE"))
    path_id: Mapped[int] = mapped_column(ForeignKey("learning_paths.id", ondelete="CASCADE"))
