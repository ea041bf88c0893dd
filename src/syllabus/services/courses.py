"""Courses and their tags; items and publications have modules of their own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from syllabus.auth.secrets import new_token
from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.core.fields import UNSET, ChangeSet, Maybe
from syllabus.core.lookups import require
from syllabus.core.validation import (
    clean_date_range,
    clean_email,
    clean_enum,
    clean_int,
    clean_required_text,
    clean_text,
)
from syllabus.core.versions import Expected
from syllabus.domain.base import bump
from syllabus.domain.courses import (
    Course,
    CourseTag,
    TimeFormat,
)
from syllabus.domain.users import CUSTOM_SLOTS
from syllabus.services.bulk import insert_rows
from syllabus.services.events import record_event
from syllabus.services.locking import require_current
from syllabus.services.publications import publish_course
from syllabus.services.tenants import primary_domain

COURSE_TEXT_LIMITS: dict[str, int] = {
    "description": 100_000,
    "long_description_html": 1_000_000,
    "picture_url": 1000,
    "category": 255,
    "course_code": 100,
    "type_of_training": 100,
    "manual_course_time": 15,
    **dict.fromkeys(CUSTOM_SLOTS, 10_000),
}
COURSE_BOOLS = (
    "certificate",
    "active",
    "force_order",
    "sell",
    "display_course_and_lesson_time",
    "display_manual_course_time",
)
COURSE_DATES = (
    "accessible_after_date",
    "start_date",
    "opening_date",
    "end_date",
    "closing_date",
    "inaccessible_after_date",
)
COURSE_INTS = {
    "validity_length": (0, 100_000),
    "estimated_course_length_in_minutes": (0, 1_000_000),
    "price_cents": (0, 2**31 - 1),  # INTEGER on PostgreSQL
}
NOT_NULL_TEXT = {"description", "long_description_html", "picture_url", "manual_course_time"}


@dataclass(frozen=True)
class CourseData(ChangeSet):
    """A course's writable fields; UNSET leaves a field alone."""

    name: Maybe[str] = UNSET
    description: Maybe[str | None] = UNSET
    long_description_html: Maybe[str | None] = UNSET
    certificate: Maybe[bool] = UNSET
    active: Maybe[bool] = UNSET
    credits: Maybe[Decimal | str | float | None] = UNSET
    accessible_after_date: Maybe[date | None] = UNSET
    start_date: Maybe[date | None] = UNSET
    opening_date: Maybe[date | None] = UNSET
    end_date: Maybe[date | None] = UNSET
    closing_date: Maybe[date | None] = UNSET
    inaccessible_after_date: Maybe[date | None] = UNSET
    force_order: Maybe[bool] = UNSET
    validity_length: Maybe[int | None] = UNSET
    picture_url: Maybe[str | None] = UNSET
    sell: Maybe[bool] = UNSET
    price_cents: Maybe[int | None] = UNSET
    contact_email: Maybe[str | None] = UNSET
    category: Maybe[str | None] = UNSET
    course_code: Maybe[str | None] = UNSET
    type_of_training: Maybe[str | None] = UNSET
    estimated_course_length_in_minutes: Maybe[int | None] = UNSET
    display_course_and_lesson_time: Maybe[bool] = UNSET
    manual_course_time: Maybe[str | None] = UNSET
    display_manual_course_time: Maybe[bool] = UNSET
    course_and_lesson_time_format: Maybe[str] = UNSET
    tags: Maybe[Sequence[str]] = UNSET
    ca_0: Maybe[str | None] = UNSET
    ca_1: Maybe[str | None] = UNSET
    ca_2: Maybe[str | None] = UNSET
    ca_3: Maybe[str | None] = UNSET
    ca_4: Maybe[str | None] = UNSET
    ca_5: Maybe[str | None] = UNSET
    ca_6: Maybe[str | None] = UNSET
    ca_7: Maybe[str | None] = UNSET
    ca_8: Maybe[str | None] = UNSET
    ca_9: Maybe[str | None] = UNSET
    ca_10: Maybe[str | None] = UNSET


def _clean_course(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "tags":
            continue
        if name == "name":
            out[name] = clean_required_text(value, "name", max_length=500)
        elif name in COURSE_TEXT_LIMITS:
            text = clean_text(value, name, max_length=COURSE_TEXT_LIMITS[name])
            out[name] = (text or "") if name in NOT_NULL_TEXT else (text or None)
        elif name in COURSE_BOOLS:
            if not isinstance(value, bool):
                raise Invalid(name, f"{name} must be true or false")
            out[name] = value
        elif name in COURSE_DATES:
            if value is not None and not isinstance(value, date):
                raise Invalid(name, f"{name} must be a date")
            out[name] = value
        elif name in COURSE_INTS:
            low, high = COURSE_INTS[name]
            out[name] = None if value is None else clean_int(value, name, minimum=low, maximum=high)
        elif name == "credits":
            out[name] = _credits(value)
        elif name == "contact_email":
            out[name] = None if value in (None, "") else clean_email(value, name)
        elif name == "course_and_lesson_time_format":
            out[name] = clean_enum(value, TimeFormat, name)
        else:  # pragma: no cover - CourseData and this function are kept in step
            raise Invalid(name, f"unknown field {name}")
    return out


def _credits(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        credits = Decimal(str(value))
    except InvalidOperation:
        raise Invalid("credits", "credits must be a number") from None
    if not credits.is_finite() or credits < 0 or credits >= Decimal("1000000"):
        raise Invalid("credits", "credits must be between 0 and 999999.99")
    return credits.quantize(Decimal("0.01"))


def _clean_tags(value: object) -> list[str]:
    if not isinstance(value, list | tuple):
        raise Invalid("tags", "tags must be a list of strings")
    tags: dict[str, None] = {}
    for tag in value:
        clean = clean_text(tag, "tags", max_length=100)
        if clean:
            tags[clean] = None
    return list(tags)


def create_course(
    session: Session, ctx: Context, *, data: CourseData, publish: bool = True
) -> Course:
    """Create a course; by default it is published on the program's first domain."""
    values = data.set_fields()
    if "name" not in values:
        raise Invalid("name", "name is required")
    columns = _clean_course(values)
    _check_dates(columns, {})
    tags = _clean_tags(values["tags"]) if "tags" in values else []
    course = Course(tenant_id=ctx.tenant_id, subscribe_key=new_token(12), **columns)
    session.add(course)
    session.flush()
    if tags:
        _replace_tags(session, ctx, course.id, tags)
    record_event(session, ctx, "course.created", {"course_id": course.id, "name": course.name})
    if publish:
        publish_course(session, ctx, course_id=course.id, domain_id=primary_domain(session, ctx).id)
    return course


def _check_dates(columns: dict[str, Any], current: dict[str, Any]) -> None:
    def pick(name: str) -> Any:
        return columns.get(name, current.get(name))

    clean_date_range(pick("start_date"), pick("end_date"), "start_date", "end_date")
    clean_date_range(pick("opening_date"), pick("closing_date"), "opening_date", "closing_date")
    clean_date_range(
        pick("accessible_after_date"),
        pick("inaccessible_after_date"),
        "accessible_after_date",
        "inaccessible_after_date",
    )


def _replace_tags(session: Session, ctx: Context, course_id: int, tags: list[str]) -> None:
    session.execute(
        delete(CourseTag).where(
            CourseTag.tenant_id == ctx.tenant_id, CourseTag.course_id == course_id
        )
    )
    if tags:
        insert_rows(
            session,
            CourseTag,
            [
                {"tenant_id": ctx.tenant_id, "course_id": course_id, "tag": t, "position": i}
                for i, t in enumerate(tags)
            ],
        )


def update_course(
    session: Session,
    ctx: Context,
    *,
    course_id: int,
    changes: CourseData,
    expected_version: Expected | None = None,
) -> Course:
    """With ``expected_version`` (the course's ``version``) a course changed since is
    PreconditionFailed."""
    course = require_current(
        session, ctx, Course, course_id, field="course_id", expected_version=expected_version
    )
    values = changes.set_fields()
    columns = _clean_course(values)
    _check_dates(columns, {name: getattr(course, name) for name in COURSE_DATES})
    changed = [name for name, value in columns.items() if getattr(course, name) != value]
    for name in changed:
        setattr(course, name, columns[name])
    if "tags" in values:
        tags = _clean_tags(values["tags"])
        current = list(
            session.scalars(
                select(CourseTag.tag)
                .where(CourseTag.tenant_id == ctx.tenant_id, CourseTag.course_id == course.id)
                .order_by(CourseTag.position)
            )
        )
        if current != tags:
            _replace_tags(session, ctx, course.id, tags)
            changed.append("tags")
    if changed:
        bump(course)
        course.updated_at = utcnow()
        session.flush()
        record_event(session, ctx, "course.updated", {"course_id": course.id, "changed": changed})
    return course


def delete_course(session: Session, ctx: Context, *, course_id: int) -> None:
    """Delete a course with its items, publications and enrollments."""
    course = require(session, ctx, Course, course_id, field="course_id")
    record_event(session, ctx, "course.deleted", {"course_id": course.id, "name": course.name})
    session.delete(course)
    session.flush()


SUBSCRIBE_KEY_MIN, SUBSCRIBE_KEY_MAX = 4, 64


def change_subscribe_key(
    session: Session, ctx: Context, *, course_id: int, subscribe_key: str | None = None
) -> Course:
    """Set the key learners type to enroll themselves (a new random one when None).

    One-time enrollment keys are tied to the subscribe key they were issued under
    (services/course_otps.py): changing it suspends the outstanding ones, and setting an
    earlier key again revives the keys issued under it.
    """
    course = require(session, ctx, Course, course_id, field="course_id")
    if subscribe_key is None:
        key = new_token(12)
    else:
        key = clean_required_text(subscribe_key, "subscribe_key", max_length=SUBSCRIBE_KEY_MAX)
        if len(key) < SUBSCRIBE_KEY_MIN or any(ch.isspace() for ch in key):
            raise Invalid(
                "subscribe_key",
                f"subscribe_key must be {SUBSCRIBE_KEY_MIN} to {SUBSCRIBE_KEY_MAX} characters"
                " without spaces",
            )
    if key != course.subscribe_key:
        course.subscribe_key = key
        bump(course)
        course.updated_at = utcnow()
        session.flush()
        record_event(
            session, ctx, "course.updated", {"course_id": course.id, "changed": ["subscribe_key"]}
        )
    return course
