"""Programs (tenants), their domains, and users' membership of domains."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.core.clock import utcnow
from syllabus.domain.base import Base, TenantScoped, Timestamps, Versioned


class Tenant(Timestamps, Base):
    """A program: SkyPrep's account (acct_key), Skilljar's organization."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    acct_key: Mapped[str] = mapped_column(String(253), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DomainAccess(enum.StrEnum):
    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"
    PRIVATE_CODE = "PRIVATE_CODE"


class Domain(TenantScoped, Timestamps, Versioned, Base):
    """A hostname a program serves its catalog on; the first one (position 0) is the acct_key."""

    __tablename__ = "domains"
    __table_args__ = (Index("ix_domains_tenant_position", "tenant_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(253), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    catalog_title: Mapped[str] = mapped_column(Text, default="")
    access: Mapped[DomainAccess] = mapped_column(
        Enum(DomainAccess, native_enum=False, length=20), default=DomainAccess.PRIVATE
    )
    access_code_message_html: Mapped[str] = mapped_column(Text, default="")
    marketing_message: Mapped[str] = mapped_column(Text, default="")

    @property
    def private(self) -> bool:
        return self.access is not DomainAccess.PUBLIC


class DomainMembership(TenantScoped, Versioned, Base):
    """A user's access to one domain (Skilljar's domain user)."""

    __tablename__ = "domain_memberships"
    __table_args__ = (
        UniqueConstraint("domain_id", "user_id"),
        Index("ix_domain_memberships_tenant_user", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(default=True)
    marketing_optin: Mapped[bool | None] = mapped_column(default=None)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
