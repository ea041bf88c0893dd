"""Rewards: gamification points, skills with rubric levels, and competencies built on skills.

Points and skill points are ledgers (one row per transaction, never edited). Each also keeps
a balance row per user (per skill) holding the ledger's running sum: it is what a concurrent
transaction updates with a guarded write (``points + amount >= 0``), so two withdrawals can
never together overdraw a balance, on either database.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.core.clock import utcnow
from syllabus.domain.base import Base, TenantScoped, Timestamps


class PointTransaction(TenantScoped, Timestamps, Base):
    """One gamification credit (positive) or debit (negative) and the balance it left."""

    __tablename__ = "point_transactions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "unique_transaction_id"),
        Index("ix_point_transactions_tenant_user", "tenant_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    amount: Mapped[int]
    description: Mapped[str] = mapped_column(Text, default="")
    balance: Mapped[int]
    """The user's balance right after this transaction."""
    unique_transaction_id: Mapped[str] = mapped_column(String(100))
    """The caller's idempotency key (or one we made up): a retried call is not paid twice."""


class PointBalance(TenantScoped, Base):
    """A user's points: the sum of their point transactions, kept for the guarded write."""

    __tablename__ = "point_balances"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    points: Mapped[int] = mapped_column(default=0)


class Skill(TenantScoped, Timestamps, Base):
    __tablename__ = "skills"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    """A slug (``communication``): the key of a user's skill balances."""
    display_name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")


class SkillLevel(TenantScoped, Base):
    """One rung of a skill's rubric: reached at ``skill_points``; positions count from 1."""

    __tablename__ = "skill_levels"
    __table_args__ = (
        UniqueConstraint("skill_id", "position"),
        Index("ix_skill_levels_tenant_skill", "tenant_id", "skill_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(255))
    skill_points: Mapped[int]


class SkillTransaction(TenantScoped, Base):
    __tablename__ = "skill_transactions"
    __table_args__ = (
        Index("ix_skill_transactions_tenant_user", "tenant_id", "user_id", "id"),
        Index("ix_skill_transactions_tenant_skill", "tenant_id", "skill_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    amount: Mapped[int]
    description: Mapped[str] = mapped_column(Text, default="")
    balance: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SkillBalance(TenantScoped, Base):
    """A user's points in one skill: the sum of those skill transactions."""

    __tablename__ = "skill_balances"
    __table_args__ = (
        Index("ix_skill_balances_tenant_skill", "tenant_id", "skill_id", "points", "user_id"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True
    )
    points: Mapped[int] = mapped_column(default=0)


class Competency(TenantScoped, Timestamps, Base):
    """Achieved by a user whose balance reaches the required level of every one of its skills."""

    __tablename__ = "competencies"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    image_url: Mapped[str | None] = mapped_column(String(2048), default=None)


class CompetencySkill(TenantScoped, Base):
    """One requirement of a competency: a skill at (at least) one of its rubric levels."""

    __tablename__ = "competency_skills"
    __table_args__ = (
        UniqueConstraint("competency_id", "skill_id"),
        Index("ix_competency_skills_tenant_skill", "tenant_id", "skill_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id", ondelete="CASCADE"))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    skill_level_id: Mapped[int] = mapped_column(ForeignKey("skill_levels.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
