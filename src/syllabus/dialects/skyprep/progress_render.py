"""Course progress and course item progress as the spec's samples show them.

A page renders in a constant number of queries: its users in one, its courses with their tags
(and items) in three, whatever the page's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import Row
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.dialects.skyprep.actions import Call
from syllabus.dialects.skyprep.courses import course_json, epoch
from syllabus.dialects.skyprep.render import Program
from syllabus.dialects.skyprep.users import user_json
from syllabus.domain.courses import ItemType
from syllabus.domain.progress import ItemStatus, ProgressStatus
from syllabus.queries import courses as course_queries
from syllabus.queries import users as user_queries
from syllabus.queries.courses import CourseDetail
from syllabus.queries.progress import ItemTarget, ProgressRow

FORMATTED = (
    ("commencement_date", "started_at"),
    ("enrollment_date", "enrolled_at"),
    ("completion_date", "completed_at"),
    ("expiration_date", "expires_at"),
    ("access_date", "access_at"),
    ("deadline_date", "deadline_at"),
    ("real_end_date", "deadline_at"),
    ("real_start_date", "access_at"),
    ("computed_deadline_date", "deadline_at"),
    ("next_reenrollment_date", "next_reenrollment_at"),
)
"""Each ``formatted_*`` key and the column it shows (``01-May 2026``, blank for none)."""


def _formatted(moment: datetime | None, program: Program) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(program.zone)
    return f"{local.day:02d}-{local.strftime('%b')} {local.year}"


def _days_until(deadline: datetime | None, program: Program, today: date) -> int | None:
    if deadline is None:
        return None
    return (deadline.astimezone(program.zone).date() - today).days


def course_in_progress_json(detail: CourseDetail, program: Program) -> dict[str, Any]:
    """The course as the progress samples nest it: a course without its items."""
    out = course_json(detail, program)
    out.pop("course_items", None)
    return out


def progress_json(
    row: ProgressRow,
    user: Row[Any],
    course: CourseDetail,
    program: Program,
    *,
    now: datetime,
    user_part: dict[str, Any] | None = None,
    course_part: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A course progress: every key of the spec's sample, in its order.

    ``user_part`` and ``course_part`` are the nested user and course already rendered, for a
    page whose records share them."""
    r = row._asdict()
    local = program.local
    progress_id = r["id"]
    host = program.acct_key
    view_key = quote(user.view_key or "", safe="")
    percent = r["percent_viewed"]
    expires = r["expires_at"]
    out: dict[str, Any] = {
        "id": progress_id,
        "days_until_deadline": _days_until(
            r["deadline_at"], program, now.astimezone(program.zone).date()
        ),
        "created_at": local(r["created_at"]),
        "updated_at": local(r["updated_at"]),
        "skip_prerequisites": r["skip_prerequisites"],
        "course_id": r["course_id"],
        "course_name": course.course.name,
        "user_id": r["user_id"],
        "user_email": user.email,
        "status": ProgressStatus(r["status"]).value,
        "commencement_date": local(r["started_at"]),
        "enrollment_date": local(r["enrolled_at"]),
        "completion_date": local(r["completed_at"]),
        "last_course_item_id": r["last_course_item_id"],
        "percent_viewed": percent,
        "display_percent_viewed": percent,
        "expiration_date": local(expires),
        "expired": expires is not None and expires <= now,
        "access_date": local(r["access_at"]),
        "deadline_date": local(r["deadline_at"]),
        "override_dates": r["override_dates"],
        "real_end_date": local(r["deadline_at"]),
        "real_start_date": local(r["access_at"]),
        "certificate_view_link": (
            f"https://{host}/certificates/show?course_progress_id={progress_id}&f=pdf"
        ),
        "public_certificate_view_link": (
            f"https://{host}/public_api/view_certificate"
            f"?course_progress_id={progress_id}&view_key={view_key}"
        ),
        "computed_deadline_date": local(r["deadline_at"]),
        "custom_properties": [],
        "next_reenrollment_date": local(r["next_reenrollment_at"]),
    }
    for key, column in FORMATTED:
        out[f"formatted_{key}"] = _formatted(r[column], program)
    out["user"] = user_part if user_part is not None else user_json(user, program)
    out["course"] = (
        course_part if course_part is not None else [course_in_progress_json(course, program)]
    )
    return out


def render_progresses(
    session: Session, call: Call, rows: Sequence[ProgressRow], program: Program
) -> list[dict[str, Any]]:
    """Render a page of records with their users and courses (four queries for the page);
    each user and course is rendered once however many of the page's records share it."""
    if not rows:
        return []
    users = user_queries.users_by_ids(session, call.ctx, [r.user_id for r in rows])
    courses = {
        detail.course.id: detail
        for detail in course_queries.get_courses(session, call.ctx, [r.course_id for r in rows])
    }
    user_parts = {user_id: user_json(row, program) for user_id, row in users.items()}
    course_parts = {
        course_id: [course_in_progress_json(detail, program)]
        for course_id, detail in courses.items()
    }
    now = utcnow()
    return [
        progress_json(
            row,
            users[row.user_id],
            courses[row.course_id],
            program,
            now=now,
            user_part=user_parts[row.user_id],
            course_part=course_parts[row.course_id],
        )
        for row in rows
    ]


def item_progress_json(
    target: ItemTarget, row: Row[Any] | None, program: Program
) -> dict[str, Any]:
    """An item progress as the sample shows one; an item never touched is not-started."""
    item = target.item
    completed = None if row is None else row.completed_at
    assert target.progress is not None
    return {
        "course_progress_id": target.progress.id,
        "user_id": target.user_id,
        "course_item_type": ItemType(item.item_type).value,
        "status": ItemStatus.NOT_STARTED.value if row is None else ItemStatus(row.status).value,
        "courseable_id": item.content_id,
        "completed_at": program.local(completed),
        "completed_at_int": epoch(completed),
    }
