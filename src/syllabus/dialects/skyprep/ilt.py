"""SkyPrep instructor-led training actions: trainings, timeslots and registrations.

Each parses its parameters, calls one ILT service or query, and renders the answer with
ilt_render. Registration actions given one user or id answer one registration; given several,
a list.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.errors import Invalid, NotFound, NotFoundMany
from syllabus.core.fields import UNSET, Maybe, is_set
from syllabus.dialects.skyprep.actions import Call, action
from syllabus.dialects.skyprep.enrollments import wire_fields
from syllabus.dialects.skyprep.ilt_render import (
    TIMESLOT_ID,
    registration_json,
    timeslot_json,
    training_json,
)
from syllabus.dialects.skyprep.params import Params, parse_id
from syllabus.dialects.skyprep.render import Named, Program, Stream, load_program
from syllabus.dialects.skyprep.time_zones import iana_zone
from syllabus.domain.ilt import RegistrationStatus
from syllabus.queries import ilt as ilt_queries
from syllabus.queries import users as user_queries
from syllabus.services import ilt as ilt_service
from syllabus.services import ilt_registrations as registration_service

TRAINING_ID = "instructor_led_training_id"
REGISTRATION_ID = "instructor_led_training_timeslot_registration_id"
REGISTRATION_IDS = "instructor_led_training_timeslot_registration_ids"
SUCCESS = {"message": "success"}

# --- Parameters -----------------------------------------------------------------------------


def _datetime(p: Params, name: str) -> Maybe[datetime | None]:
    """ISO 8601, with or without an offset (without: the timeslot's display time zone)."""
    value = p.text(name)
    if not is_set(value) or value is None or not value.strip():
        return None if is_set(value) else UNSET
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        if len(text) > 40:
            raise ValueError(text)
        return datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(
            name, f"{name} must be a date and time such as 2026-05-10T09:00:00-04:00"
        ) from None


def _optional_id(p: Params, name: str) -> Maybe[int | None]:
    if name not in p:
        return UNSET
    value: Any = p.raw[name]
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: int = parse_id(value, name)
    return number


def timeslot_data(p: Params) -> ilt_service.TimeslotData:
    fields: dict[str, Any] = {}
    for name in ("name", "description", "location", "instructor"):
        if is_set(text := p.text(name)):
            fields[name] = text
    if is_set(zone := p.text("display_timezone")):
        fields["display_timezone"] = iana_zone(zone or "")
    if is_set(session_type := p.text("session_type")):
        fields["session_type"] = (session_type or "").strip().lower()
    for name in ("capacity", "primary_instructor_user_id"):
        if is_set(number := _optional_id(p, name)):
            fields[name] = number
    start = _datetime(p, "commencement_time")
    if not is_set(start):
        start = _datetime(p, "start_time")
    if is_set(start):
        fields["commencement_time"] = start
    if is_set(end := _datetime(p, "end_time")):
        fields["end_time"] = end
    return ilt_service.TimeslotData(**fields)


def _user_ids(session: Session, call: Call, p: Params) -> tuple[list[int], bool]:
    """The users named by user_id(s) and user_email(s), and whether one was asked for."""
    ids: list[int] = []
    for name in ("user_id", "user_ids"):
        found = p.ids(name)
        if is_set(found):
            ids.extend(found)
    emails: list[str] = []
    for name in ("user_email", "user_emails"):
        given = p.strings(name)
        if is_set(given):
            emails.extend(given)
    if emails:
        found_ids, missing = user_queries.user_ids_by_emails(session, call.ctx, emails)
        if missing:
            field = "user_email" if "user_email" in p else "user_emails"
            raise NotFoundMany({field: ("user", missing)})
        ids.extend(found_ids)
    if not ids:
        raise Invalid("user_id", "user_id (or user_ids, user_email) is required")
    distinct = list(dict.fromkeys(ids))
    single = len(distinct) == 1 and "user_ids" not in p and "user_emails" not in p
    return distinct, single


def _statuses(p: Params) -> list[RegistrationStatus]:
    given = p.strings("status")
    if not is_set(given):
        return []
    return [registration_service.clean_status(s) for s in given]


def _program_midnight(
    day: date, program: Program, field: str, *, next_day: bool = False
) -> datetime:
    """The UTC moment a day (or the day after it) begins in the program's time zone."""
    try:
        if next_day:
            day += timedelta(days=1)
        return datetime.combine(day, time(0), tzinfo=program.zone).astimezone(UTC)
    except (OverflowError, ValueError):
        raise Invalid(field, f"{field} is out of range") from None


def _timeslot_answer(session: Session, call: Call, timeslot_id: int) -> Named:
    row = ilt_queries.get_timeslot(session, call.ctx, timeslot_id)
    if row is None:
        raise NotFound("instructor_led_training_timeslot", [timeslot_id], field=TIMESLOT_ID)
    return Named("instructor_led_training_timeslot", timeslot_json(row))


# --- Trainings ------------------------------------------------------------------------------


@action("get_instructor_led_trainings", read_only=True)
def get_instructor_led_trainings(session: Session, call: Call) -> Stream:
    """Every training in id order, streamed (two queries per page)."""
    ctx, now = call.ctx, utcnow()
    program = load_program(call.acct_key, call.time_zone)

    def pages(stream_session: Session) -> Iterator[Sequence[dict[str, Any]]]:
        after_id = 0
        while True:
            details = ilt_queries.list_trainings_page(
                stream_session, ctx, now=now, after_id=after_id
            )
            if details:
                yield [training_json(d, program) for d in details]
            if len(details) < ilt_queries.PAGE:
                return
            after_id = details[-1].training.id

    return Stream(tenant_id=ctx.tenant_id, root="instructor_led_trainings", pages=pages)


@action("get_instructor_led_training", read_only=True)
def get_instructor_led_training(session: Session, call: Call) -> Named:
    p = Params(call.params)
    training_id = p.required_id(TRAINING_ID)
    detail = ilt_queries.get_training(session, call.ctx, training_id, now=utcnow())
    if detail is None:
        raise NotFound("instructor_led_training", [training_id], field=TRAINING_ID)
    program = load_program(call.acct_key, call.time_zone)
    return Named("instructor_led_training", training_json(detail, program))


# --- Timeslots ------------------------------------------------------------------------------


@action("get_instructor_led_training_timeslot", read_only=True)
def get_instructor_led_training_timeslot(session: Session, call: Call) -> Named:
    return _timeslot_answer(session, call, Params(call.params).required_id(TIMESLOT_ID))


@action("get_instructor_led_training_timeslots", read_only=True)
def get_instructor_led_training_timeslots(session: Session, call: Call) -> Stream:
    """Timeslots commencing from ``start_date`` through ``end_date`` (both whole days in the
    program's time zone, both optional), in start order; optionally of one training."""
    p = Params(call.params)
    program = load_program(call.acct_key, call.time_zone)
    start_day, end_day = p.date("start_date"), p.date("end_date")
    start = _program_midnight(start_day, program, "start_date") if start_day else None
    end = _program_midnight(end_day, program, "end_date", next_day=True) if end_day else None
    if start_day and end_day and end_day < start_day:
        raise Invalid("end_date", "end_date is before start_date")
    training = p.id(TRAINING_ID)
    training_id = training if is_set(training) else None
    if (
        training_id is not None
        and ilt_queries.get_training(session, call.ctx, training_id, now=utcnow()) is None
    ):
        raise NotFound("instructor_led_training", [training_id], field=TRAINING_ID)
    ctx = call.ctx

    def pages(stream_session: Session) -> Iterator[Sequence[dict[str, Any]]]:
        for rows in ilt_queries.iter_timeslots(
            stream_session, ctx, start=start, end=end, training_id=training_id
        ):
            yield [timeslot_json(row) for row in rows]

    return Stream(tenant_id=ctx.tenant_id, root="instructor_led_training_timeslots", pages=pages)


@action("create_instructor_led_training_timeslot")
def create_instructor_led_training_timeslot(session: Session, call: Call) -> Named:
    p = Params(call.params)
    training_id = p.required_id(TRAINING_ID)
    timeslot = ilt_service.create_timeslot(
        session, call.ctx, training_id=training_id, data=timeslot_data(p)
    )
    return _timeslot_answer(session, call, timeslot.id)


@action("update_instructor_led_training_timeslot")
def update_instructor_led_training_timeslot(session: Session, call: Call) -> Named:
    """Only the parameters given change."""
    p = Params(call.params)
    timeslot_id = p.required_id(TIMESLOT_ID)
    ilt_service.update_timeslot(
        session, call.ctx, timeslot_id=timeslot_id, changes=timeslot_data(p)
    )
    return _timeslot_answer(session, call, timeslot_id)


@action("delete_instructor_led_training_timeslot")
def delete_instructor_led_training_timeslot(session: Session, call: Call) -> dict[str, str]:
    """Deletes the timeslot and its registrations permanently."""
    p = Params(call.params)
    ilt_service.delete_timeslot(session, call.ctx, timeslot_id=p.required_id(TIMESLOT_ID))
    return SUCCESS


# --- Registrations --------------------------------------------------------------------------


@action("get_instructor_led_training_timeslot_registrations", read_only=True)
def get_instructor_led_training_timeslot_registrations(session: Session, call: Call) -> Stream:
    """The timeslot's registrations in registration order; ``status`` filters (comma list)."""
    p = Params(call.params)
    timeslot_id = p.required_id(TIMESLOT_ID)
    statuses = _statuses(p)
    if ilt_queries.get_timeslot(session, call.ctx, timeslot_id) is None:
        raise NotFound("instructor_led_training_timeslot", [timeslot_id], field=TIMESLOT_ID)
    program = load_program(call.acct_key, call.time_zone)
    ctx = call.ctx

    def pages(stream_session: Session) -> Iterator[Sequence[dict[str, Any]]]:
        for rows in ilt_queries.iter_registrations(
            stream_session, ctx, timeslot_id=timeslot_id, statuses=statuses
        ):
            yield [registration_json(row, program) for row in rows]

    root = "instructor_led_training_timeslot_registrations"
    return Stream(tenant_id=ctx.tenant_id, root=root, pages=pages)


@action("create_instructor_led_training_timeslot_registrations")
def create_instructor_led_training_timeslot_registrations(session: Session, call: Call) -> Named:
    """Registers the users: a seat while seats are free, else the waitlist (or ``status``)."""
    p = Params(call.params)
    timeslot_id = p.required_id(TIMESLOT_ID)
    user_ids, single = _user_ids(session, call, p)
    status = p.text("status")
    progress = _optional_id(p, "course_progress_id")
    course = _optional_id(p, "course_id")
    with wire_fields({"user_ids": "user_ids" if "user_ids" in p else "user_id"}):
        registrations = registration_service.register_users(
            session,
            call.ctx,
            timeslot_id=timeslot_id,
            user_ids=user_ids,
            status=(status or None) if is_set(status) else None,
            course_progress_id=progress if is_set(progress) else None,
            course_id=course if is_set(course) else None,
        )
    program = load_program(call.acct_key, call.time_zone)
    if single:
        return Named(
            "instructor_led_training_timeslot_registration",
            registration_json(registrations[0], program),
        )
    return Named(
        "instructor_led_training_timeslot_registrations",
        [registration_json(r, program) for r in registrations],
    )


@action("destroy_instructor_led_training_timeslot_registrations")
def destroy_instructor_led_training_timeslot_registrations(session: Session, call: Call) -> Named:
    """Deletes the registrations (all or none) and answers them as they were."""
    p = Params(call.params)
    ids = p.ids(REGISTRATION_IDS)
    field = REGISTRATION_IDS
    if not is_set(ids) or not ids:
        ids, field = [p.required_id(REGISTRATION_ID)], REGISTRATION_ID
    with wire_fields({REGISTRATION_IDS: field}):
        deleted = registration_service.delete_registrations(session, call.ctx, registration_ids=ids)
    program = load_program(call.acct_key, call.time_zone)
    if len(deleted) == 1:
        return Named(
            "instructor_led_training_timeslot_registration",
            registration_json(deleted[0], program),
        )
    return Named(
        "instructor_led_training_timeslot_registrations",
        [registration_json(r, program) for r in deleted],
    )


@action("update_instructor_led_training_timeslot_registration")
def update_instructor_led_training_timeslot_registration(session: Session, call: Call) -> Named:
    p = Params(call.params)
    registration_id = p.required_id(REGISTRATION_ID)
    status = p.text("status")
    progress = _optional_id(p, "course_progress_id")
    if not is_set(status) and not is_set(progress):
        raise Invalid("status", "status is required")
    if is_set(status) and not (status or "").strip():
        raise Invalid("status", "status must not be blank")
    registration = registration_service.update_registration(
        session,
        call.ctx,
        registration_id=registration_id,
        status=(status or "") if is_set(status) else UNSET,
        course_progress_id=progress,
    )
    program = load_program(call.acct_key, call.time_zone)
    return Named(
        "instructor_led_training_timeslot_registration", registration_json(registration, program)
    )
