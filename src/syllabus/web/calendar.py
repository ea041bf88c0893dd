"""``/public_api/calendar/?user_id=&calendar_key=``: a user's training sessions as iCalendar.

This is the URL behind the ``webcal_link`` / ``webcal_secure_link`` that user JSON shows.
Calendar apps subscribe to it without signing in, so the URL itself is the credential: the
user's random ``calendar_key`` (128 bits), compared in constant time. An unknown user, a
deactivated one and a wrong key get the same 404. Sessions the user holds a seat in are
CONFIRMED; waitlisted ones are TENTATIVE; cancelled registrations are left out.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from icalendar import Calendar, Event, vText
from sqlalchemy import Row
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from syllabus import __version__
from syllabus.core.context import Context, Surface
from syllabus.db.session import TENANT_KEY, unit_of_work
from syllabus.domain.ilt import RegistrationStatus
from syllabus.queries.ilt import CalendarOwner, calendar_entries, calendar_owner

CALENDAR_TYPE = "text/calendar; charset=utf-8"
HEADERS = {"Cache-Control": "private, max-age=300", "Referrer-Policy": "no-referrer"}
MAX_KEY_LENGTH = 200
REFRESH = timedelta(hours=1)


class FeedNotFound(Exception):
    """No such feed: an unknown user and a wrong key look the same."""


def _load(
    factory: sessionmaker[Session], user_id: int, key: str
) -> tuple[CalendarOwner, Sequence[Row[Any]]]:
    # The URL carries no program: find the user first (cross-tenant), then read their
    # program's rows only.
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        owner = calendar_owner(session, user_id)
        if owner is None or not hmac.compare_digest(
            owner.calendar_key.encode("utf-8"), key.encode("utf-8")
        ):
            raise FeedNotFound
        session.info[TENANT_KEY] = owner.tenant_id
        ctx = Context(owner.tenant_id, f"user:{owner.user_id}", Surface.WEB)
        return owner, calendar_entries(session, ctx, owner.user_id)


def render_calendar(owner: CalendarOwner, entries: Sequence[Row[Any]], host: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//Syllabus//Syllabus {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # An X- property has no known type, so icalendar would write it raw: say it is TEXT, so a
    # line break in a name is escaped instead of ending the line (and failing the feed).
    calendar.add("x-wr-calname", vText(f"Training sessions: {owner.name}"))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    for entry in entries:
        event = Event()
        event.add("uid", f"ilt-timeslot-{entry.timeslot_id}-user-{owner.user_id}@{host}")
        event.add("dtstamp", entry.registration_updated_at)
        event.add("last-modified", max(entry.updated_at, entry.registration_updated_at))
        event.add("dtstart", entry.commencement_time)
        if entry.end_time is not None:
            event.add("dtend", entry.end_time)
        title = entry.name or entry.training_name
        waitlisted = entry.status == RegistrationStatus.WAITLISTED
        event.add("summary", f"{title} (waitlisted)" if waitlisted else title)
        event.add("status", "TENTATIVE" if waitlisted else "CONFIRMED")
        if entry.location:
            event.add("location", entry.location)
        details = [entry.description] if entry.description else []
        if entry.instructor:
            details.append(f"Instructor: {entry.instructor}")
        if details:
            event.add("description", "\n\n".join(details))
        calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body


def _error(field: str, message: str) -> Response:
    return JSONResponse({"message": message, "field": field}, status_code=400)


async def calendar_feed(request: Request) -> Response:
    raw_user = request.query_params.get("user_id", "").strip()
    key = request.query_params.get("calendar_key", "")
    if not raw_user:
        return _error("user_id", "user_id is required")
    if not (raw_user.isascii() and raw_user.isdigit() and len(raw_user) <= 30):
        return _error("user_id", "user_id must be a positive integer")
    if not key:
        return _error("calendar_key", "calendar_key is required")
    not_found = JSONResponse({"message": "calendar not found", "field": "calendar_key"}, 404)
    if len(key) > MAX_KEY_LENGTH:
        return not_found
    try:
        owner, entries = await run_in_threadpool(
            _load, request.app.state.session_factory, int(raw_user), key
        )
    except FeedNotFound:
        return not_found
    body = render_calendar(owner, entries, request.url.hostname or "syllabus")
    return Response(body, media_type=CALENDAR_TYPE, headers=HEADERS)


routes = [
    Route("/public_api/calendar/", calendar_feed, methods=["GET", "HEAD"]),
    Route("/public_api/calendar", calendar_feed, methods=["GET", "HEAD"]),
]
