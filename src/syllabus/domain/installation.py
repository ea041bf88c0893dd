"""Facts about the whole deployment, shared by every process that uses the database."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.domain.base import Base


class InstallationSetting(Base):
    """One named value per deployment, such as the secret that keys public ids and sessions.

    It lives in the database, not in a server's data directory, so that several servers on one
    PostgreSQL database agree on it: a Skilljar id or a login session made by one server must
    mean the same thing on every other.
    """

    __tablename__ = "installation_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
