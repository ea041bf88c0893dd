"""SkyPrep course actions: get_courses, get_course, create_course, update_course, destroy_course.

Each parses its parameters into service inputs, calls the courses service (or the courses
query), and renders courses exactly as the spec's samples show them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.errors import Invalid, NotFound
from syllabus.core.fields import UNSET, Maybe, is_set
from syllabus.dialects.skyprep.actions import Call, action
from syllabus.dialects.skyprep.params import Params
from syllabus.dialects.skyprep.render import Named, Program, Stream, load_program
from syllabus.domain.courses import ItemType
from syllabus.domain.users import CUSTOM_SLOTS
from syllabus.queries import courses as course_queries
from syllabus.queries.courses import CourseDetail, ItemRow
from syllabus.services import courses as course_service
from syllabus.services.courses import CourseData

STREAM_PAGE = 200
"""Courses per page while streaming get_courses: three queries (courses, tags, items) each."""
DATE_KEYS = (
    "accessible_after_date",
    "start_date",
    "opening_date",
    "end_date",
    "closing_date",
    "inaccessible_after_date",
)

# --- Rendering ------------------------------------------------------------------------------


def epoch(moment: datetime | None) -> int:
    """A ``*_int`` field: seconds since the epoch, 0 for none (as the samples show nulls)."""
    return 0 if moment is None else int(moment.timestamp())


def _day_epoch(day: date | None, program: Program) -> int:
    """A date's ``*_int``: its midnight in the program's time zone."""
    return 0 if day is None else epoch(datetime.combine(day, time(), program.zone))


def rails_decimal(value: Decimal | None) -> str | None:
    """A decimal as Rails' BigDecimal#to_s writes it: ``1.0``, ``1.5``, ``1.25``."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text if "." in text else f"{text}.0"


def item_json(item: ItemRow, program: Program) -> dict[str, Any]:
    """A course item as the samples show one; its content id under the key of its type."""
    i = item._asdict()
    local = program.local
    out: dict[str, Any] = {
        "id": i["id"],
        "course_item_id": i["id"],
        "item_type": ItemType(i["item_type"]).value,
        "name": i["name"],
        "position": i["position"],
        "start_date": local(i["start_date"]),
        "start_date_int": epoch(i["start_date"]),
        "mandatory": i["mandatory"],
        "description": i["description"],
        "updated_at": local(i["updated_at"]),
        "updated_at_int": epoch(i["updated_at"]),
        "created_at": local(i["created_at"]),
        "created_at_int": epoch(i["created_at"]),
    }
    item_type = ItemType(i["item_type"])
    out["article_id"] = i["content_id"] if item_type is ItemType.ARTICLE else None
    if item_type is ItemType.EXAM:
        out["exam_id"] = i["content_id"]
    return out


def course_json(detail: CourseDetail, program: Program) -> dict[str, Any]:
    """A course as SkyPrep shows one: every key of the spec's sample, in its order."""
    c = detail.course._asdict()
    out: dict[str, Any] = {
        "created_at": program.local(c["created_at"]),
        "updated_at": program.local(c["updated_at"]),
        "name": c["name"],
        "description": c["description"],
        "certificate": c["certificate"],
        "active": c["active"],
        "credits": rails_decimal(c["credits"]),
    }
    for key in DATE_KEYS:
        out[key] = c[key]
        out[f"{key}_int"] = _day_epoch(c[key], program)
    out.update(
        {
            "force_order": c["force_order"],
            "validity_length": c["validity_length"],
            "picture_url": c["picture_url"] or "",
            "sell": c["sell"],
            "contact_email": c["contact_email"],
            "course_id": c["id"],
            "id": c["id"],
            "category": c["category"],
            "course_code": c["course_code"],
            "type_of_training": c["type_of_training"],
            "estimated_course_length_in_minutes": c["estimated_course_length_in_minutes"],
            "tags": list(detail.tags),
        }
    )
    for slot in CUSTOM_SLOTS:
        out[slot] = c[slot]
    out["course_items"] = [item_json(item, program) for item in detail.items]
    return out


# --- Parameters -----------------------------------------------------------------------------

TEXT_FIELDS = (
    "name",
    "description",
    "long_description_html",
    "picture_url",
    "contact_email",
    "category",
    "course_code",
    "type_of_training",
    "manual_course_time",
    "course_and_lesson_time_format",
    *CUSTOM_SLOTS,
)
BOOL_FIELDS = (
    "certificate",
    "active",
    "force_order",
    "sell",
    "display_course_and_lesson_time",
    "display_manual_course_time",
)
INT_FIELDS = ("validity_length", "price_cents", "estimated_course_length_in_minutes")


def _integer(p: Params, name: str) -> Maybe[int | None]:
    """A whole number (0 allowed) from a JSON number or a numeric string; blank clears it."""
    if name not in p.raw:
        return UNSET
    value: Any = p.raw[name]
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Invalid(name, f"{name} must be a whole number; got {value!r}")
    number: int = value
    return number


def course_data(p: Params) -> CourseData:
    """The course parameters given (create_course's, which update_course shares)."""
    fields: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if is_set(text := p.text(name)):
            fields[name] = text
    for name in BOOL_FIELDS:
        if is_set(flag := p.boolean(name)):
            fields[name] = flag
    for name in DATE_KEYS:
        if is_set(day := p.date(name)):
            fields[name] = day
    for name in INT_FIELDS:
        if is_set(number := _integer(p, name)):
            fields[name] = number
    if is_set(credits := p.text("credits")):
        fields["credits"] = credits
    if is_set(tags := p.strings("tags")):
        fields["tags"] = tags
    return CourseData(**fields)


def course_id(p: Params) -> int:
    return p.required_id("course_id")


def load_course(session: Session, call: Call, course: int, *, field: str) -> CourseDetail:
    detail = course_queries.get_course(session, call.ctx, course)
    if detail is None:
        raise NotFound("course", [course], field=field)
    return detail


def render_courses(details: Sequence[CourseDetail], call: Call) -> list[dict[str, Any]]:
    program = load_program(call.acct_key, call.time_zone)
    return [course_json(detail, program) for detail in details]


# --- Actions --------------------------------------------------------------------------------


@action("get_courses", read_only=True)
def get_courses(session: Session, call: Call) -> Stream:
    """Every course of the program in id order, streamed."""
    program = load_program(call.acct_key, call.time_zone)
    ctx = call.ctx

    def pages(stream_session: Session) -> Iterator[Sequence[dict[str, Any]]]:
        after_id = None
        while True:
            details = course_queries.list_courses_page(
                stream_session, ctx, after_id=after_id, limit=STREAM_PAGE
            )
            if details:
                yield [course_json(detail, program) for detail in details]
            if len(details) < STREAM_PAGE:
                return
            after_id = details[-1].course.id

    return Stream(tenant_id=ctx.tenant_id, root="courses", pages=pages)


@action("get_course", read_only=True)
def get_course(session: Session, call: Call) -> Named:
    p = Params(call.params)
    detail = load_course(session, call, course_id(p), field="course_id")
    return Named("course", course_json(detail, load_program(call.acct_key, call.time_zone)))


@action("create_course")
def create_course(session: Session, call: Call) -> Named:
    """Creates a course, published on the program's first domain (where enrollments live)."""
    p = Params(call.params)
    course = course_service.create_course(session, call.ctx, data=course_data(p))
    detail = load_course(session, call, course.id, field="course_id")
    return Named("course", course_json(detail, load_program(call.acct_key, call.time_zone)))


@action("update_course")
def update_course(session: Session, call: Call) -> Named:
    """Only the parameters given change."""
    p = Params(call.params)
    changes = course_data(p)
    course = course_service.update_course(
        session, call.ctx, course_id=course_id(p), changes=changes
    )
    detail = load_course(session, call, course.id, field="course_id")
    return Named("course", course_json(detail, load_program(call.acct_key, call.time_zone)))


@action("destroy_course")
def destroy_course(session: Session, call: Call) -> dict[str, str]:
    """Deletes the course permanently, with its items and enrollments."""
    p = Params(call.params)
    course_service.delete_course(session, call.ctx, course_id=course_id(p))
    return {"message": "success"}
