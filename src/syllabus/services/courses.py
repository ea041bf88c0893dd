"""Courses, their items, tags, and their publication on domains."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from syllabus.auth.secrets import new_token
from syllabus.domain.base import utcnow
from syllabus.domain.courses import (
    Course,
    CourseItem,
    CourseTag,
    ItemType,
    PublishedCourse,
    TimeFormat,
)
from syllabus.domain.tenants import Domain
from syllabus.domain.users import CUSTOM_SLOTS
from syllabus.services.bulk import insert_rows
from syllabus.services.context import Context
from syllabus.services.errors import Conflict, Invalid
from syllabus.services.events import record_event
from syllabus.services.fields import UNSET, ChangeSet, Maybe, is_set
from syllabus.services.lookups import require
from syllabus.services.tenants import primary_domain
from syllabus.services.validation import (
    clean_aware_datetime,
    clean_date_range,
    clean_email,
    clean_enum,
    clean_ids,
    clean_int,
    clean_required_text,
    clean_slug,
    clean_text,
    slugify,
)

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


def update_course(session: Session, ctx: Context, *, course_id: int, changes: CourseData) -> Course:
    course = require(session, ctx, Course, course_id, field="course_id")
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
        course.version += 1
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


@dataclass(frozen=True)
class CourseItemData(ChangeSet):
    item_type: Maybe[str] = UNSET
    name: Maybe[str] = UNSET
    description: Maybe[str | None] = UNSET
    position: Maybe[int] = UNSET
    """1-based; omitted on create appends at the end."""
    mandatory: Maybe[bool] = UNSET
    start_date: Maybe[datetime | None] = UNSET
    content_id: Maybe[int | None] = UNSET
    content_html: Maybe[str | None] = UNSET
    tooltip_html: Maybe[str | None] = UNSET
    search_keywords: Maybe[str | None] = UNSET
    display_fullscreen: Maybe[bool] = UNSET
    time_seconds: Maybe[int | None] = UNSET
    passing_score: Maybe[int | None] = UNSET
    max_attempts: Maybe[int | None] = UNSET


ITEM_TEXT = {
    "description": 100_000,
    "content_html": 1_000_000,
    "tooltip_html": 100_000,
    "search_keywords": 5000,
}
ITEM_INTS = {
    "content_id": (1, 2**31 - 1),
    "time_seconds": (0, 2**31 - 1),
    "passing_score": (0, 100),
    "max_attempts": (1, 1000),
}


def _clean_item(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "position":
            continue
        if name == "item_type":
            out[name] = clean_enum(value, ItemType, "item_type")
        elif name == "name":
            out[name] = clean_required_text(value, "name", max_length=500)
        elif name in ITEM_TEXT:
            out[name] = clean_text(value, name, max_length=ITEM_TEXT[name]) or ""
        elif name in ("mandatory", "display_fullscreen"):
            if not isinstance(value, bool):
                raise Invalid(name, f"{name} must be true or false")
            out[name] = value
        elif name == "start_date":
            out[name] = clean_aware_datetime(value, name)
        elif name in ITEM_INTS:
            low, high = ITEM_INTS[name]
            out[name] = None if value is None else clean_int(value, name, minimum=low, maximum=high)
        else:  # pragma: no cover
            raise Invalid(name, f"unknown field {name}")
    return out


def _item_ids(session: Session, ctx: Context, course_id: int) -> list[int]:
    return list(
        session.scalars(
            select(CourseItem.id)
            .where(CourseItem.tenant_id == ctx.tenant_id, CourseItem.course_id == course_id)
            .order_by(CourseItem.position, CourseItem.id)
        )
    )


def _renumber(session: Session, ctx: Context, ordered_ids: list[int]) -> None:
    if ordered_ids:
        table = CourseItem.__table__
        assert isinstance(table, Table)
        statement = (
            update(table)
            .where(table.c.tenant_id == ctx.tenant_id, table.c.id == bindparam("item_id"))
            .values(position=bindparam("new_position"))
        )
        session.connection().execute(
            statement,
            [{"item_id": i, "new_position": pos} for pos, i in enumerate(ordered_ids, start=1)],
        )
        moved = set(ordered_ids)
        for obj in list(session.identity_map.values()):
            if isinstance(obj, CourseItem) and obj.id in moved:
                session.expire(obj, ["position"])


def add_course_item(
    session: Session, ctx: Context, *, course_id: int, data: CourseItemData
) -> CourseItem:
    course = require(session, ctx, Course, course_id, field="course_id")
    values = data.set_fields()
    for required in ("item_type", "name"):
        if required not in values:
            raise Invalid(required, f"{required} is required")
    columns = _clean_item(values)
    position = clean_int(data.position, "position", minimum=1) if is_set(data.position) else None
    ordered = _item_ids(session, ctx, course.id)
    item = CourseItem(
        tenant_id=ctx.tenant_id, course_id=course.id, position=len(ordered) + 1, **columns
    )
    session.add(item)
    session.flush()
    if position is not None:
        ordered.insert(min(position, len(ordered) + 1) - 1, item.id)
        _renumber(session, ctx, ordered)
    course.updated_at = utcnow()
    session.flush()
    session.refresh(item)
    record_event(
        session,
        ctx,
        "course_item.created",
        {"course_id": course.id, "course_item_id": item.id, "item_type": item.item_type.value},
    )
    return item


def update_course_item(
    session: Session, ctx: Context, *, item_id: int, changes: CourseItemData
) -> CourseItem:
    item = require(session, ctx, CourseItem, item_id, field="course_item_id")
    columns = _clean_item(changes.set_fields())
    changed = [name for name, value in columns.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, columns[name])
    if is_set(changes.position):
        position = clean_int(changes.position, "position", minimum=1)
        ordered = [i for i in _item_ids(session, ctx, item.course_id) if i != item.id]
        ordered.insert(min(position, len(ordered) + 1) - 1, item.id)
        if ordered.index(item.id) + 1 != item.position:  # past the end means last
            changed.append("position")
        _renumber(session, ctx, ordered)
    if changed:
        item.updated_at = utcnow()
        session.flush()
        session.refresh(item)
        record_event(
            session,
            ctx,
            "course_item.updated",
            {"course_id": item.course_id, "course_item_id": item.id, "changed": changed},
        )
    return item


def delete_course_item(session: Session, ctx: Context, *, item_id: int) -> None:
    item = require(session, ctx, CourseItem, item_id, field="course_item_id")
    course_id = item.course_id
    session.delete(item)
    session.flush()
    _renumber(session, ctx, _item_ids(session, ctx, course_id))
    record_event(
        session, ctx, "course_item.deleted", {"course_id": course_id, "course_item_id": item_id}
    )


def reorder_course_items(
    session: Session, ctx: Context, *, course_id: int, item_ids: Sequence[int]
) -> None:
    """Set the order of all of a course's items at once; the list must name each exactly once."""
    require(session, ctx, Course, course_id, field="course_id")
    wanted = clean_ids(item_ids, "course_item_ids")
    current = _item_ids(session, ctx, course_id)
    if sorted(wanted) != sorted(current) or len(wanted) != len(item_ids):
        raise Invalid("course_item_ids", "list every item of the course exactly once")
    _renumber(session, ctx, wanted)
    record_event(
        session, ctx, "course_item.reordered", {"course_id": course_id, "course_item_ids": wanted}
    )


@dataclass(frozen=True)
class PublicationSettings:
    slug: Maybe[str] = UNSET
    hidden: Maybe[bool] = UNSET
    strict_enforce_group_visibility: Maybe[bool] = UNSET
    registration_required: Maybe[bool] = UNSET
    registration_starts_at: Maybe[datetime | None] = UNSET
    registration_ends_at: Maybe[datetime | None] = UNSET
    restrict_access_start_end_dates: Maybe[bool] = UNSET
    allow_self_service_reenroll: Maybe[bool] = UNSET
    unique_progress_per_enrollment: Maybe[bool] = UNSET
    require_all_prerequisites: Maybe[bool] = UNSET


def _clean_publication(
    settings: PublicationSettings, current: PublishedCourse | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if not is_set(value):
            continue
        if f.name == "slug":
            out["slug"] = clean_slug(value)
        elif f.name.endswith("_at"):
            out[f.name] = clean_aware_datetime(value, f.name)
        else:
            if not isinstance(value, bool):
                raise Invalid(f.name, f"{f.name} must be true or false")
            out[f.name] = value
    # An update is checked against the stored end it leaves in place.
    starts = out.get("registration_starts_at", current and current.registration_starts_at)
    ends = out.get("registration_ends_at", current and current.registration_ends_at)
    if starts and ends and ends < starts:
        raise Invalid(
            "registration_ends_at", "registration_ends_at is before registration_starts_at"
        )
    return out


def _free_slug(session: Session, ctx: Context, domain_id: int, base: str) -> str:
    taken = set(
        session.scalars(
            select(PublishedCourse.slug).where(
                PublishedCourse.tenant_id == ctx.tenant_id,
                PublishedCourse.domain_id == domain_id,
                PublishedCourse.slug.startswith(base),
            )
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def publish_course(
    session: Session,
    ctx: Context,
    *,
    course_id: int,
    domain_id: int,
    settings: PublicationSettings = PublicationSettings(),
) -> PublishedCourse:
    """Offer a course on a domain (idempotent: an existing publication is returned as is)."""
    course = require(session, ctx, Course, course_id, field="course_id")
    require(session, ctx, Domain, domain_id, field="domain_id")
    existing = session.scalars(
        select(PublishedCourse).where(
            PublishedCourse.tenant_id == ctx.tenant_id,
            PublishedCourse.domain_id == domain_id,
            PublishedCourse.course_id == course_id,
        )
    ).first()
    if existing is not None:
        return existing
    columns = _clean_publication(settings)
    if "slug" in columns:
        if _free_slug(session, ctx, domain_id, columns["slug"]) != columns["slug"]:
            raise Conflict(f"slug {columns['slug']!r} is already used on this domain", field="slug")
    else:
        columns["slug"] = _free_slug(session, ctx, domain_id, slugify(course.name))
    publication = PublishedCourse(
        tenant_id=ctx.tenant_id, course_id=course_id, domain_id=domain_id, **columns
    )
    session.add(publication)
    session.flush()
    record_event(
        session,
        ctx,
        "course.published",
        {"course_id": course_id, "published_course_id": publication.id, "domain_id": domain_id},
    )
    return publication


def update_publication(
    session: Session, ctx: Context, *, published_course_id: int, settings: PublicationSettings
) -> PublishedCourse:
    publication = require(
        session, ctx, PublishedCourse, published_course_id, field="published_course_id"
    )
    columns = _clean_publication(settings, publication)
    new_slug = columns.get("slug", publication.slug)
    if (
        new_slug != publication.slug
        and _free_slug(session, ctx, publication.domain_id, new_slug) != new_slug
    ):
        raise Conflict(f"slug {columns['slug']!r} is already used on this domain", field="slug")
    changed = [name for name, value in columns.items() if getattr(publication, name) != value]
    for name in changed:
        setattr(publication, name, columns[name])
    if changed:
        session.flush()
        record_event(
            session,
            ctx,
            "course.publication_updated",
            {"published_course_id": publication.id, "changed": changed},
        )
    return publication


def unpublish_course(session: Session, ctx: Context, *, published_course_id: int) -> None:
    """Withdraw a publication; its enrollments go with it."""
    publication = require(
        session, ctx, PublishedCourse, published_course_id, field="published_course_id"
    )
    record_event(
        session,
        ctx,
        "course.unpublished",
        {
            "course_id": publication.course_id,
            "published_course_id": publication.id,
            "domain_id": publication.domain_id,
        },
    )
    session.delete(publication)
    session.flush()


def count_items(session: Session, ctx: Context, course_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(CourseItem)
            .where(CourseItem.tenant_id == ctx.tenant_id, CourseItem.course_id == course_id)
        )
        or 0
    )
