"""What identity provisioning needs to remember: which door last wrote each owned attribute,
which groups an IdP pushed, and which users SCIM deleted (kept, but hidden from SCIM)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.core.clock import utcnow
from syllabus.domain.base import Base, TenantScoped


class UserAttributeSource(TenantScoped, Base):
    """The surface that last wrote one owned attribute of a user (for authority and drift)."""

    __tablename__ = "user_attribute_sources"
    __table_args__ = (
        UniqueConstraint("user_id", "attribute"),
        Index("ix_user_attribute_sources_tenant_surface", "tenant_id", "surface", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    attribute: Mapped[str] = mapped_column(String(32))
    surface: Mapped[str] = mapped_column(String(16))
    written_at: Mapped[datetime] = mapped_column(default=utcnow)


class PushedGroup(TenantScoped, Base):
    """A group an identity provider created or took over through SCIM: its members are the
    IdP's to set when SCIM has authority."""

    __tablename__ = "pushed_groups"
    __table_args__ = (UniqueConstraint("group_id"), Index("ix_pushed_groups_tenant", "tenant_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    pushed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScimDeletedUser(TenantScoped, Base):
    """A user an IdP DELETEd: deactivated and kept for admins, but gone for SCIM (404)."""

    __tablename__ = "scim_deleted_users"
    __table_args__ = (
        UniqueConstraint("user_id"),
        Index("ix_scim_deleted_users_tenant", "tenant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScimUserProfile(TenantScoped, Base):
    """What an IdP says about a user that only SCIM shows: the display name it pushed and
    how it labels the user's one email (type, primary). Absent: derived defaults."""

    __tablename__ = "scim_user_profiles"
    __table_args__ = (
        UniqueConstraint("user_id"),
        Index("ix_scim_user_profiles_tenant", "tenant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    display_name: Mapped[str | None] = mapped_column(String(255), default=None)
    email_type: Mapped[str | None] = mapped_column(String(32), default=None)
    email_primary: Mapped[bool | None] = mapped_column(default=None)
