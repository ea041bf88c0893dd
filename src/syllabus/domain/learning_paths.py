"""Learning paths: ordered courses, published on domains, given to users directly or by group."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.core.clock import utcnow
from syllabus.domain.base import Base, TenantScoped, Timestamps, Versioned


class LearningPath(TenantScoped, Timestamps, Versioned, Base):
    __tablename__ = "learning_paths"
    __table_args__ = (Index("ix_learning_paths_tenant_name", "tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    long_description_html: Mapped[str] = mapped_column(Text, default="")
    header_html: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(255), default=None)
    force_order: Mapped[bool] = mapped_column(default=True)
    course_name_singular: Mapped[str] = mapped_column(String(50), default="")
    course_name_plural: Mapped[str] = mapped_column(String(50), default="")
    picture_url: Mapped[str] = mapped_column(String(1000), default="")


class LearningPathItem(TenantScoped, Base):
    __tablename__ = "learning_path_items"
    __table_args__ = (
        UniqueConstraint("path_id", "course_id"),
        Index("ix_learning_path_items_tenant_path_position", "tenant_id", "path_id", "position"),
        Index("ix_learning_path_items_tenant_course", "tenant_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("learning_paths.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=1)


class PublishedPath(TenantScoped, Timestamps, Versioned, Base):
    __tablename__ = "published_paths"
    __table_args__ = (
        UniqueConstraint("domain_id", "path_id"),
        UniqueConstraint("domain_id", "slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("learning_paths.id", ondelete="CASCADE"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(100))
    hidden: Mapped[bool] = mapped_column(default=False)
    strict_enforce_group_visibility: Mapped[bool] = mapped_column(default=False)
    unique_progress_per_enrollment: Mapped[bool] = mapped_column(default=False)


class LearningPathUser(TenantScoped, Base):
    """A user's enrollment in a learning path."""

    __tablename__ = "learning_path_users"
    __table_args__ = (
        UniqueConstraint("path_id", "user_id"),
        Index("ix_learning_path_users_tenant_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("learning_paths.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(default=True)


class LearningPathGroup(TenantScoped, Base):
    """A learning path given to every member of a group."""

    __tablename__ = "learning_path_groups"
    __table_args__ = (
        UniqueConstraint("path_id", "group_id"),
        Index("ix_learning_path_groups_tenant_group", "tenant_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("learning_paths.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
