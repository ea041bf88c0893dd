"""Saved advanced reports: a program's named report definitions (columns and filters).

A definition stores column keys from the fixed catalogue in ``queries/reports_saved.py`` and
the filters that narrow its rows; running it reads live data every time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.domain.base import Base, TenantScoped, Timestamps


class SavedReport(TenantScoped, Timestamps, Base):
    __tablename__ = "saved_reports"
    __table_args__ = (Index("ix_saved_reports_tenant_id", "tenant_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Column keys, in display order."""
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Filter name → value, validated by the service when saved."""
