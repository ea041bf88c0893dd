"""SkyPrep course progress actions: get_course_progresses, get_course_progress,
create_course_progress, update_course_progress, destroy_course_progress,
get_course_item_progress, set_course_item_progress, get_user_course_status.

Rendering lives in progress_render.py; the rules (roll-up, events) in the progress services.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.errors import Invalid, NotFound
from syllabus.core.fields import UNSET, Maybe, is_set
from syllabus.core.lookups import missing_ids
from syllabus.dialects.skyprep.actions import Call, action
from syllabus.dialects.skyprep.enrollments import wire_fields
from syllabus.dialects.skyprep.page_marks import PageMarks
from syllabus.dialects.skyprep.params import Params, parse_date, parse_text
from syllabus.dialects.skyprep.progress_render import item_progress_json, render_progresses
from syllabus.dialects.skyprep.render import Named, Program, load_program
from syllabus.dialects.skyprep.users import find_user
from syllabus.domain.courses import Course
from syllabus.domain.progress import EnrollmentStatus, ItemStatus, ProgressStatus
from syllabus.queries import access
from syllabus.queries import progress as progress_queries
from syllabus.queries.progress import MAX_PER_PAGE, ProgressFilter, sort_key
from syllabus.services import item_progress as item_service
from syllabus.services import progress as progress_service
from syllabus.services.progress import CourseProgressChanges

SUCCESS = {"message": "success"}
PAGE_MARKS = PageMarks()
"""Per process: where each page of get_course_progresses ended (see page_marks.py)."""
UPDATABLE_STATUSES = ("passed", "failed", "in-progress", "not-applicable", "not-started")
"""update_course_progress' set_status values, as the spec lists them."""
UPDATED_FILTERS = ("updated_at_greater_than", "updated_at_less_than")
COMPLETED_FILTERS = ("completion_date_greater_than", "completion_date_less_than")
MIN_YEAR, MAX_YEAR = 2, 9998


# --- Parameters -----------------------------------------------------------------------------


def parse_moment(value: Any, field: str, program: Program) -> datetime | None:
    """ISO 8601 with or without an offset (none: the program's zone), or a date (its midnight
    in the program's zone); blank or null is None."""
    text = parse_text(value, field)
    if text is None or not text.strip():
        return None
    text = text.strip()
    moment = None
    if len(text) <= 40 and text[:4].isdigit() and ("T" in text.upper() or " " in text):
        try:
            moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        except ValueError:
            moment = None
    if moment is None:
        try:
            day = parse_date(text, field)
        except Invalid:
            raise Invalid(
                field, f"{field} must be a time such as 2026-05-01T00:00:00Z; got {text!r}"
            ) from None
        assert day is not None
        moment = datetime.combine(day, time())
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=program.zone)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        moment = None
    if moment is None or not MIN_YEAR <= moment.year <= MAX_YEAR:
        # Kept a day away from datetime's limits: rendering in any zone must not overflow.
        raise Invalid(field, f"{field} is out of range; got {text!r}")
    return moment


def _moment(p: Params, name: str, program: Program) -> Maybe[datetime | None]:
    return parse_moment(p.raw[name], name, program) if name in p.raw else UNSET


def _choices(p: Params, name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    values = p.strings(name)
    if not is_set(values):
        return ()
    for value in values:
        if value.lower() not in allowed:
            raise Invalid(name, f"{name} must be among {', '.join(allowed)}; got {value!r}")
    return tuple(dict.fromkeys(v.lower() for v in values))


def _one_choice(p: Params, name: str, allowed: tuple[str, ...]) -> str:
    chosen = _choices(p, name, allowed)
    if len(chosen) != 1:
        raise Invalid(name, f"{name} must be one of {', '.join(allowed)}")
    return chosen[0]


def _score(p: Params) -> int | None:
    """A percentage, 0 to 100, from a number or a numeric string; blank is none."""
    value = p.raw.get("score")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise Invalid("score", f"score must be a whole number from 0 to 100; got {value!r}")
    score: int = value
    return score


def _status_key(p: Params) -> str:
    """The spec says ``set_status``; ``status`` is read too when that is all there is."""
    return "status" if "status" in p.raw and "set_status" not in p.raw else "set_status"


def _optional_id(p: Params, name: str) -> int | None:
    value = p.id(name)
    return value if is_set(value) else None


def _optional_user(session: Session, call: Call, p: Params) -> int | None:
    if is_set(p.id("user_id")) or is_set(p.lookup("user_email")):
        user_id: int = find_user(session, call, p).id
        return user_id
    return None


def _per_page(p: Params) -> int:
    per_page = _optional_id(p, "per_page") or MAX_PER_PAGE
    if per_page > MAX_PER_PAGE:
        raise Invalid("per_page", f"per_page must be at most {MAX_PER_PAGE}")
    return per_page


def _require_course(session: Session, call: Call, course_id: int) -> None:
    if missing_ids(session, call.ctx, Course, [course_id]):
        raise NotFound("course", [course_id], field="course_id")


def progress_filter(session: Session, call: Call, p: Params, program: Program) -> ProgressFilter:
    """The list's filters, checked; unknown course or user ids are 404 like everywhere."""
    moments = {name: _moment(p, name, program) for name in (*UPDATED_FILTERS, *COMPLETED_FILTERS)}
    values = {name: (m if is_set(m) else None) for name, m in moments.items()}
    updated = [name for name in UPDATED_FILTERS if values[name] is not None]
    completed = [name for name in COMPLETED_FILTERS if values[name] is not None]
    if updated and completed:
        raise Invalid(
            completed[0],
            "updated_at and completion_date filters cannot be used in the same request",
        )
    course_id = _optional_id(p, "course_id")
    if course_id is not None:
        _require_course(session, call, course_id)
    return ProgressFilter(
        course_id=course_id,
        user_id=_optional_user(session, call, p),
        statuses=_choices(p, "status", tuple(s.value for s in ProgressStatus)),
        enrollment_statuses=_choices(
            p, "enrollment_status", tuple(s.value for s in EnrollmentStatus)
        ),
        completed_after=values["completion_date_greater_than"],
        completed_before=values["completion_date_less_than"],
        updated_after=values["updated_at_greater_than"],
        updated_before=values["updated_at_less_than"],
    )


# --- Course progress ------------------------------------------------------------------------


@action("get_course_progresses", read_only=True)
def get_course_progresses(session: Session, call: Call) -> Named:
    """One page (``page`` from 1, ``per_page`` up to 100) of the program's records, no total.

    Page N+1 reads on from where this process served page N ended (keyset), so a client paging
    through while records are added neither skips nor repeats any; otherwise OFFSET.
    """
    p = Params(call.params)
    program = load_program(call.acct_key, call.time_zone)
    page = _optional_id(p, "page") or 1
    per_page = _per_page(p)
    f = progress_filter(session, call, p, program)
    order = f.order
    identity = (call.ctx.tenant_id, call.ctx.actor, f, per_page)
    after = PAGE_MARKS.get((*identity, page - 1)) if page > 1 else None
    rows = progress_queries.list_course_progresses(
        session, call.ctx, f, limit=per_page, after=after, offset=(page - 1) * per_page
    )
    if len(rows) == per_page:
        PAGE_MARKS.put((*identity, page), sort_key(rows[-1], order))
    return Named("course_progresses", render_progresses(session, call, rows, program))


def _one(session: Session, call: Call, progress_id: int) -> dict[str, Any]:
    row = progress_queries.get_course_progress(session, call.ctx, progress_id)
    if row is None:
        raise NotFound("course_progress", [progress_id], field="course_progress_id")
    program = load_program(call.acct_key, call.time_zone)
    return render_progresses(session, call, [row], program)[0]


@action("get_course_progress", read_only=True)
def get_course_progress(session: Session, call: Call) -> Named:
    p = Params(call.params)
    return Named("course_progress", _one(session, call, p.required_id("course_progress_id")))


@action("create_course_progress")
def create_course_progress(session: Session, call: Call) -> Named:
    """Enrolls the user (``user_id`` or ``user_email``) in ``course_id``; answers the record."""
    p = Params(call.params)
    course_id = p.required_id("course_id")
    user_id = find_user(session, call, p).id
    progress = progress_service.create_course_progress(
        session, call.ctx, user_id=user_id, course_id=course_id
    )
    return Named("course_progress", _one(session, call, progress.id))


@action("update_course_progress")
def update_course_progress(session: Session, call: Call) -> dict[str, str]:
    """``set_status`` (or ``status``), ``enrollment_status``, ``completion_date``,
    ``deadline_date``, ``expiration_date``, ``score``: only those given change."""
    p = Params(call.params)
    progress_id = p.required_id("course_progress_id")
    program = load_program(call.acct_key, call.time_zone)
    status_key = _status_key(p)
    fields: dict[str, Any] = {}
    if status_key in p.raw:
        fields["status"] = _one_choice(p, status_key, UPDATABLE_STATUSES)
    if "enrollment_status" in p.raw:
        fields["enrollment_status"] = _one_choice(
            p, "enrollment_status", tuple(s.value for s in EnrollmentStatus)
        )
    for wire, name in (
        ("completion_date", "completed_at"),
        ("deadline_date", "deadline_at"),
        ("expiration_date", "expires_at"),
    ):
        if is_set(moment := _moment(p, wire, program)):
            fields[name] = moment
    if "score" in p.raw:
        fields["score"] = _score(p)
    names = {
        "status": status_key,
        "completed_at": "completion_date",
        "deadline_at": "deadline_date",
        "expires_at": "expiration_date",
    }
    with wire_fields(names):
        progress_service.update_course_progress(
            session, call.ctx, progress_id=progress_id, changes=CourseProgressChanges(**fields)
        )
    return SUCCESS


@action("destroy_course_progress")
def destroy_course_progress(session: Session, call: Call) -> dict[str, str]:
    """Deletes the record, its item progress and the user's direct enrollment in the course."""
    p = Params(call.params)
    progress_service.delete_course_progress(
        session, call.ctx, progress_id=p.required_id("course_progress_id")
    )
    return SUCCESS


# --- Item progress --------------------------------------------------------------------------


def _item_target(session: Session, call: Call, p: Params) -> progress_queries.ItemTarget:
    course_id = _optional_id(p, "course_id")
    if course_id is not None:
        _require_course(session, call, course_id)
    return progress_queries.resolve_item_target(
        session,
        call.ctx,
        course_progress_id=_optional_id(p, "course_progress_id"),
        user_id=_optional_user(session, call, p),
        course_id=course_id,
        course_item_id=_optional_id(p, "course_item_id"),
        exam_id=_optional_id(p, "exam_id"),
    )


@action("get_course_item_progress", read_only=True)
def get_course_item_progress(session: Session, call: Call) -> Named:
    """The user's progress on one item, found from any sufficient combination of
    course_progress_id, user_id/user_email, course_id, course_item_id and exam_id."""
    p = Params(call.params)
    target = _item_target(session, call, p)
    if target.progress is None:
        raise NotFound(
            "course_progress",
            [f"user {target.user_id} in course {target.course_id}"],
            field="user_id",
        )
    row = progress_queries.item_progress_of(
        session, call.ctx, progress_id=target.progress.id, item_id=target.item.id
    )
    program = load_program(call.acct_key, call.time_zone)
    return Named("course_item_progress", item_progress_json(target, row, program))


@action("set_course_item_progress")
def set_course_item_progress(session: Session, call: Call) -> dict[str, str]:
    """Sets the user's status (``set_status``) and/or ``score`` on one item, found as
    get_course_item_progress finds it; the course's status rolls up from its items."""
    p = Params(call.params)
    target = _item_target(session, call, p)
    status_key = _status_key(p)
    status = None
    if status_key in p.raw:
        status = _one_choice(p, status_key, tuple(s.value for s in ItemStatus))
    score = _score(p)
    if status is None and score is None:
        raise Invalid(status_key, f"{status_key} (or score) is required")
    with wire_fields({"status": status_key}):
        progress = item_service.course_progress_for(
            session, call.ctx, user_id=target.user_id, course_id=target.course_id
        )
        item_service.set_item_progress(
            session,
            call.ctx,
            progress_id=progress.id,
            item_id=target.item.id,
            status=status,
            score=score,
        )
    return SUCCESS


# --- get_user_course_status (part 1) --------------------------------------------------------


@action("get_user_course_status", read_only=True)
def get_user_course_status(session: Session, call: Call) -> Named:
    """The user's status in the course: their record's, or not-started for a user with access
    (through a group or a learning path) and no record yet; 404 for a user without access."""
    p = Params(call.params)
    course_id = p.required_id("course_id")
    user = find_user(session, call, p)
    _require_course(session, call, course_id)
    row = progress_queries.course_progress_of(
        session, call.ctx, user_id=user.id, course_id=course_id
    )
    if row is not None:
        return Named("hash", {"status": ProgressStatus(row.status).value})
    if course_id in access.accessible_course_ids(session, call.ctx, user.id):
        return Named("hash", {"status": ProgressStatus.NOT_STARTED.value})
    raise NotFound("enrollment", [f"user {user.id} in course {course_id}"], field="course_id")
