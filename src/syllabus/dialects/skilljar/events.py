"""``/v1/events``: the program's event feed (what Skilljar lacks: its guide calls webhooks
the only near-real-time signal). Events come in commit order with a ``next`` cursor; ``wait``
long-polls; ``/v1/events/stream`` is Server-Sent Events resuming from ``Last-Event-ID``.

Each read is its own short read transaction, so waiting holds no database snapshot open.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from syllabus.auth.keys import Principal
from syllabus.core.context import Context, Surface
from syllabus.db.session import unit_of_work
from syllabus.dialects.skilljar.api import json
from syllabus.dialects.skilljar.auth import principal_for
from syllabus.dialects.skilljar.errors import FieldErrors, field_error
from syllabus.dialects.skilljar.event_view import v1_event
from syllabus.dialects.skilljar.query_params import EventsParams, EventStreamParams
from syllabus.dialects.skilljar.routing import SkilljarRouter
from syllabus.queries.feed import Cursor, Expired, FeedPage, read_feed

router = SkilljarRouter(tags=["Events"])
POLL_SECONDS = 0.25
KEEPALIVE_SECONDS = 15.0


def _cursor(value: str | None, field: str) -> Cursor | None:
    if value is None or value == "":
        return None
    try:
        return Cursor.parse(value, field)
    except Exception:
        raise field_error(field, "Not a cursor from this feed.") from None


def _read(
    request: Request, tenant_id: int, after: Cursor | None, types: list[str], limit: int
) -> FeedPage:
    factory = request.app.state.session_factory
    ctx = Context(tenant_id=tenant_id, actor="feed", surface=Surface.SKILLJAR)
    with unit_of_work(factory, tenant_id=tenant_id, read_only=True) as session:
        try:
            return read_feed(session, ctx, after=after, types=types, limit=limit)
        except Expired:
            raise FieldErrors(
                {"detail": "This cursor is older than the feed's retention; start again."},
                status=410,
            ) from None


@router.get("/events", operation_id="events_list", summary="Event feed")
async def list_events(
    request: Request,
    principal: Annotated[Principal, Depends(principal_for)],
    query: EventsParams,
) -> Response:
    """``after`` (a cursor; none: from the oldest kept event), ``type``, ``limit`` (1-1000,
    default 100), ``wait`` (seconds, up to 60: answer as soon as there is an event)."""
    after = query.after
    types = query.type
    limit = int(100 if query.limit is None else query.limit)
    wait = 0 if query.wait is None else query.wait
    deadline = time.monotonic() + wait
    while True:
        page = await run_in_threadpool(_read, request, principal.tenant_id, after, types, limit)
        if page.events or time.monotonic() >= deadline:
            break
        await asyncio.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
    nxt = str(page.next) if page.next is not None else None
    next_url = (
        str(request.url.include_query_params(after=nxt)) if nxt is not None else str(request.url)
    )
    return json(
        {
            "results": _shown(request, page),
            "next": nxt,
            "next_url": next_url,
        }
    )


def _shown(request: Request, page: FeedPage) -> list[dict[str, Any]]:
    ids = request.app.state.ids
    return [v1_event(e, ids, page.user_emails) for e in page.events]


def _sse(event: dict[str, Any]) -> bytes:
    data = orjson.dumps(event).decode()
    return f"id: {event['cursor']}\nevent: {event['type']}\ndata: {data}\n\n".encode()


@router.get("/events/stream", operation_id="events_stream", summary="Event stream (SSE)")
async def stream_events(
    request: Request,
    principal: Annotated[Principal, Depends(principal_for)],
    query: EventStreamParams,
) -> Response:
    """Server-Sent Events: ``id`` is the cursor, so a reconnecting client resumes after the
    last event it saw (``Last-Event-ID``, or ``after``). ``duration`` closes the stream after
    that many seconds (default: open until the client leaves)."""
    last_id = request.headers.get("last-event-id")
    after = _cursor(last_id, "Last-Event-ID") if last_id else None
    if after is None:
        after = query.after
    types = query.type
    duration = 0 if query.duration is None else query.duration
    first = await run_in_threadpool(_read, request, principal.tenant_id, after, types, 100)
    tenant_id = principal.tenant_id

    async def body() -> AsyncIterator[bytes]:
        page = first
        cursor = after
        started = beat = time.monotonic()
        yield b"retry: 2000\n\n"
        while True:
            for event in _shown(request, page):
                yield _sse(event)
            cursor = page.next
            now = time.monotonic()
            if duration and now - started >= duration:
                return
            if await request.is_disconnected():
                return
            if not page.events:
                if now - beat >= KEEPALIVE_SECONDS:
                    beat = now
                    yield b": keep-alive\n\n"
                await asyncio.sleep(POLL_SECONDS)
            page = await run_in_threadpool(_read, request, tenant_id, cursor, types, 100)

    return StreamingResponse(
        body(),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )
