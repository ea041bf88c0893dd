"""Materials: files a program keeps in Syllabus (guides, checklists), stored on disk by content.

The row holds what the file is (name, type, size, digest); the bytes live under the data
directory at a path derived from the program and the SHA-256 of the content, so the same file
added twice is stored once.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.domain.base import Base, TenantScoped, Timestamps


class Material(TenantScoped, Timestamps, Base):
    __tablename__ = "materials"
    __table_args__ = (
        Index("ix_materials_tenant_id", "tenant_id", "id"),
        Index("ix_materials_tenant_sha256", "tenant_id", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    category: Mapped[str | None] = mapped_column(String(255), default=None)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("materials.id", ondelete="SET NULL"), default=None
    )
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="SET NULL"), default=None
    )
    """The course the material was added for, if any."""
    content_type: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    page_count: Mapped[int | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(default=1)
    download_secret: Mapped[str] = mapped_column(String(64))
    """Keys the signatures of this file's expiring download links; never shown."""
