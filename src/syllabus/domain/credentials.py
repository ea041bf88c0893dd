"""API keys and SCIM tokens: only a hash of each secret is ever stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.core.clock import utcnow
from syllabus.core.credentials import CredentialKind
from syllabus.domain.base import Base


class Credential(Base):
    """Not TenantScoped: looked up by hash before the tenant is known."""

    __tablename__ = "credentials"
    __table_args__ = (Index("ix_credentials_tenant_kind", "tenant_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    kind: Mapped[CredentialKind] = mapped_column(
        Enum(
            CredentialKind,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    label: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(16))
    """The first characters of the secret, safe to show so people can tell keys apart."""
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
