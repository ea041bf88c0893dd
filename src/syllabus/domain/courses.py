"""Courses, their ordered items (lessons), tags, and their publication on domains."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Enum, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syllabus.domain.base import Base, TenantScoped, Timestamps, Versioned


class TimeFormat(enum.StrEnum):
    HOURS_MINUTES_SECONDS = "HOURS_MINUTES_SECONDS"
    HOURS_MINUTES = "HOURS_MINUTES"
    HOURS_MINUTES_VERBOSE = "HOURS_MINUTES_VERBOSE"
    MINUTES_VERBOSE = "MINUTES_VERBOSE"


class Course(TenantScoped, Timestamps, Versioned, Base):
    __tablename__ = "courses"
    __table_args__ = (
        Index("ix_courses_tenant_name", "tenant_id", "name"),
        Index("ix_courses_tenant_id", "tenant_id", "id"),
        Index("ix_courses_tenant_subscribe_key", "tenant_id", "subscribe_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    long_description_html: Mapped[str] = mapped_column(Text, default="")
    certificate: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    credits: Mapped[Decimal | None] = mapped_column(Numeric(8, 2), default=None)
    accessible_after_date: Mapped[date | None] = mapped_column(default=None)
    start_date: Mapped[date | None] = mapped_column(default=None)
    opening_date: Mapped[date | None] = mapped_column(default=None)
    end_date: Mapped[date | None] = mapped_column(default=None)
    closing_date: Mapped[date | None] = mapped_column(default=None)
    inaccessible_after_date: Mapped[date | None] = mapped_column(default=None)
    force_order: Mapped[bool] = mapped_column(default=False)
    validity_length: Mapped[int | None] = mapped_column(default=None)
    picture_url: Mapped[str] = mapped_column(String(1000), default="")
    sell: Mapped[bool] = mapped_column(default=False)
    price_cents: Mapped[int | None] = mapped_column(default=None)
    contact_email: Mapped[str | None] = mapped_column(String(254), default=None)
    category: Mapped[str | None] = mapped_column(String(255), default=None)
    course_code: Mapped[str | None] = mapped_column(String(100), default=None)
    type_of_training: Mapped[str | None] = mapped_column(String(100), default="Online")
    estimated_course_length_in_minutes: Mapped[int | None] = mapped_column(default=None)
    subscribe_key: Mapped[str] = mapped_column(String(64))
    display_course_and_lesson_time: Mapped[bool] = mapped_column(default=False)
    manual_course_time: Mapped[str] = mapped_column(String(15), default="")
    display_manual_course_time: Mapped[bool] = mapped_column(default=False)
    course_and_lesson_time_format: Mapped[TimeFormat] = mapped_column(
        Enum(TimeFormat, native_enum=False, length=32), default=TimeFormat.HOURS_MINUTES
    )
    draft_origin_id: Mapped[int | None] = mapped_column(default=None)

    ca_0: Mapped[str | None] = mapped_column(Text, default=None)
    ca_1: Mapped[str | None] = mapped_column(Text, default=None)
    ca_2: Mapped[str | None] = mapped_column(Text, default=None)
    ca_3: Mapped[str | None] = mapped_column(Text, default=None)
    ca_4: Mapped[str | None] = mapped_column(Text, default=None)
    ca_5: Mapped[str | None] = mapped_column(Text, default=None)
    ca_6: Mapped[str | None] = mapped_column(Text, default=None)
    ca_7: Mapped[str | None] = mapped_column(Text, default=None)
    ca_8: Mapped[str | None] = mapped_column(Text, default=None)
    ca_9: Mapped[str | None] = mapped_column(Text, default=None)
    ca_10: Mapped[str | None] = mapped_column(Text, default=None)


class CourseTag(TenantScoped, Base):
    """A tag (Skilljar: label); position keeps the order the author gave."""

    __tablename__ = "course_tags"
    __table_args__ = (
        UniqueConstraint("course_id", "tag"),
        Index("ix_course_tags_tenant_tag", "tenant_id", "tag"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)


class ItemType(enum.StrEnum):
    """What a course item holds; SkyPrep and Skilljar names map onto these."""

    ARTICLE = "Article"
    EXAM = "Exam"
    HTML = "HTML"
    ASSET = "Asset"
    QUIZ = "Quiz"
    WEB_PACKAGE = "WebPackage"
    ILT = "ILT"
    VILT = "VILT"
    SECTION = "Section"
    MODULAR = "Modular"
    SURVEY = "Survey"
    ASSIGNMENT = "Assignment"


class CourseItem(TenantScoped, Timestamps, Versioned, Base):
    """One ordered item (lesson) of a course."""

    __tablename__ = "course_items"
    __table_args__ = (
        Index("ix_course_items_tenant_course_position", "tenant_id", "course_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    item_type: Mapped[ItemType] = mapped_column(
        Enum(ItemType, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=1)
    mandatory: Mapped[bool] = mapped_column(default=True)
    start_date: Mapped[datetime | None] = mapped_column(default=None)
    content_id: Mapped[int | None] = mapped_column(default=None)
    """Id of the item's content (article, exam, asset, ILT ...), rendered per its type."""
    content_html: Mapped[str] = mapped_column(Text, default="")
    tooltip_html: Mapped[str] = mapped_column(Text, default="")
    search_keywords: Mapped[str] = mapped_column(Text, default="")
    display_fullscreen: Mapped[bool] = mapped_column(default=False)
    time_seconds: Mapped[int | None] = mapped_column(default=None)
    passing_score: Mapped[int | None] = mapped_column(default=None)
    max_attempts: Mapped[int | None] = mapped_column(default=None)


class PublishedCourse(TenantScoped, Timestamps, Versioned, Base):
    """A course offered on one domain (Skilljar's published course)."""

    __tablename__ = "published_courses"
    __table_args__ = (
        UniqueConstraint("domain_id", "course_id"),
        UniqueConstraint("domain_id", "slug"),
        Index("ix_published_courses_tenant_course", "tenant_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(100))
    hidden: Mapped[bool] = mapped_column(default=False)
    strict_enforce_group_visibility: Mapped[bool] = mapped_column(default=False)
    registration_required: Mapped[bool] = mapped_column(default=True)
    registration_starts_at: Mapped[datetime | None] = mapped_column(default=None)
    registration_ends_at: Mapped[datetime | None] = mapped_column(default=None)
    restrict_access_start_end_dates: Mapped[bool] = mapped_column(default=False)
    allow_self_service_reenroll: Mapped[bool] = mapped_column(default=False)
    unique_progress_per_enrollment: Mapped[bool] = mapped_column(default=False)
    require_all_prerequisites: Mapped[bool] = mapped_column(default=False)
