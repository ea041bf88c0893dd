"""The catalog: courses and learning paths listed for learners to find, optionally restricted
to some groups (an entry with no groups is visible to everyone)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.core.clock import utcnow
from syllabus.domain.base import Base, TenantScoped


class CatalogEntry(TenantScoped, Base):
    """One course or one learning path (exactly one of the two) in the catalog."""

    __tablename__ = "catalog_entries"
    __table_args__ = (
        UniqueConstraint("tenant_id", "course_id"),
        UniqueConstraint("tenant_id", "learning_path_id"),
        CheckConstraint("(course_id IS NULL) <> (learning_path_id IS NULL)", name="one_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), default=None
    )
    learning_path_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_paths.id", ondelete="CASCADE"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CatalogEntryGroup(TenantScoped, Base):
    """A group the entry is restricted to."""

    __tablename__ = "catalog_entry_groups"
    __table_args__ = (
        UniqueConstraint("entry_id", "group_id"),
        Index("ix_catalog_entry_groups_tenant_group", "tenant_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("catalog_entries.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
