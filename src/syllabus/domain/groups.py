"""User groups: a hierarchy of named groups, their members, their courses, their join rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.core.clock import utcnow
from syllabus.domain.base import Base, TenantScoped, Timestamps, Versioned

FULL_NAME_SEPARATOR = " / "


class GroupCategory(TenantScoped, Timestamps, Base):
    __tablename__ = "group_categories"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))


class Group(TenantScoped, Timestamps, Versioned, Base):
    __tablename__ = "groups"
    __table_args__ = (
        UniqueConstraint("tenant_id", "full_name_normalized"),
        Index("ix_groups_tenant_parent", "tenant_id", "parent_id"),
        Index("ix_groups_tenant_id", "tenant_id", "id"),
        Index("ix_groups_tenant_external_id", "tenant_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(2000))
    full_name_normalized: Mapped[str] = mapped_column(String(2000))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="RESTRICT"), default=None
    )
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("group_categories.id", ondelete="SET NULL"), default=None
    )
    group_type: Mapped[str] = mapped_column(String(32), default="user")
    description: Mapped[str] = mapped_column(Text, default="")
    force_order: Mapped[bool] = mapped_column(default=False)
    discount_percent: Mapped[int | None] = mapped_column(default=None)
    external_id: Mapped[str | None] = mapped_column(String(255), default=None)


class GroupMembership(TenantScoped, Base):
    __tablename__ = "group_memberships"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id"),
        Index("ix_group_memberships_tenant_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroupCourse(TenantScoped, Base):
    """A course given to every member of a group (enrollment through a group)."""

    __tablename__ = "group_courses"
    __table_args__ = (
        UniqueConstraint("group_id", "course_id"),
        Index("ix_group_courses_tenant_course", "tenant_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroupEmailDomainRule(TenantScoped, Base):
    """Users whose email domain matches join the group when they are created (Skilljar)."""

    __tablename__ = "group_email_domain_rules"
    __table_args__ = (
        UniqueConstraint("group_id", "email_domain"),
        Index("ix_group_email_domain_rules_tenant_domain", "tenant_id", "email_domain"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    email_domain: Mapped[str] = mapped_column(String(253))


class GroupManager(TenantScoped, Timestamps, Versioned, Base):
    """A user who manages a group, with what they may do there (SkyPrep's manager flags)."""

    __tablename__ = "group_managers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "group_id", "user_id"),
        Index("ix_group_managers_tenant_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    can_add_users: Mapped[bool] = mapped_column(default=True)
    can_receive_notifications: Mapped[bool] = mapped_column(default=True)
    can_edit_course_progress: Mapped[bool] = mapped_column(default=True)
    can_remove_users: Mapped[bool] = mapped_column(default=False)
    can_add_existing_users: Mapped[bool] = mapped_column(default=True)
    can_manage_all_group_users_courses: Mapped[bool] = mapped_column(default=True)
    can_add_courses_to_user_group: Mapped[bool] = mapped_column(default=True)
    can_remove_courses_from_user_group: Mapped[bool] = mapped_column(default=False)
    can_edit_user_password: Mapped[bool] = mapped_column(default=False)


MANAGER_PERMISSIONS = (
    "can_add_users",
    "can_receive_notifications",
    "can_edit_course_progress",
    "can_remove_users",
    "can_add_existing_users",
    "can_manage_all_group_users_courses",
    "can_add_courses_to_user_group",
    "can_remove_courses_from_user_group",
    "can_edit_user_password",
)
"""The flags of a group manager, in the order SkyPrep's samples show them."""
