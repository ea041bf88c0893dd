"""The one clock: aware UTC, as every stored time is. In the core, so the doors read it without
reaching into the tables' module."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
