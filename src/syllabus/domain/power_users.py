"""Power users: users given a role (a named set of permissions) over datasets (static lists
of users and courses). Taking the power away never touches the user."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.core.clock import utcnow
from syllabus.domain.base import Base, TenantScoped, Timestamps


class UserRole(TenantScoped, Timestamps, Base):
    """A named permission set: area -> level (``{"users": "assigned", "reports": "enabled"}``)."""

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    permissions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Dataset(TenantScoped, Timestamps, Base):
    """A static list of users and courses a power user's role applies to."""

    __tablename__ = "datasets"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))


class DatasetUser(TenantScoped, Base):
    __tablename__ = "dataset_users"
    __table_args__ = (
        UniqueConstraint("dataset_id", "user_id"),
        Index("ix_dataset_users_tenant_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DatasetCourse(TenantScoped, Base):
    __tablename__ = "dataset_courses"
    __table_args__ = (
        UniqueConstraint("dataset_id", "course_id"),
        Index("ix_dataset_courses_tenant_course", "tenant_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PowerUser(TenantScoped, Timestamps, Base):
    """A user's power: one role, over the datasets linked below."""

    __tablename__ = "power_users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id"),
        Index("ix_power_users_tenant_role", "tenant_id", "user_role_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    user_role_id: Mapped[int] = mapped_column(ForeignKey("user_roles.id", ondelete="RESTRICT"))


class PowerUserDataset(TenantScoped, Base):
    __tablename__ = "power_user_datasets"
    __table_args__ = (
        UniqueConstraint("power_user_id", "dataset_id"),
        Index("ix_power_user_datasets_tenant_dataset", "tenant_id", "dataset_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    power_user_id: Mapped[int] = mapped_column(ForeignKey("power_users.id", ondelete="CASCADE"))
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
