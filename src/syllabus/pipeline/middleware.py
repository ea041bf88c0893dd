"""The pipeline's first steps around a whole REST surface, as one ASGI middleware per prefix.

For doors whose credential travels in a header (``/v1``: ``Authorization`` as Basic with or
without the colon, ``Token``, ``Bearer``; ``/scim/v2``: ``Bearer``). The middleware identifies the
caller through the door's extractor and the shared cache, and leaves the principal in the
request's scope for the route (``doors.identified``):

    app.add_middleware(ApiGuard, prefix="/v1", door=V1)
    app.add_middleware(ApiGuard, prefix="/scim/v2", door=SCIM)

A request it cannot identify goes through untouched: the route answers 401 in its own style.
A write's answer is kept in the write's own transaction (``pipeline.request_work``); answers
that commit no work (errors, whose transaction rolled back, and routes outside a unit of work)
are kept in a transaction of their own afterwards (``IdempotentRequest.finish``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from syllabus.auth.keys import Principal
from syllabus.pipeline.doors import PRINCIPAL_KEY, Door, identify
from syllabus.pipeline.idempotency import (
    IdempotencyGuard,
    canonical,
    canonical_body,
    fingerprint,
    kept_headers,
    replay_headers,
)
from syllabus.pipeline.rate_limiting import GuardError
from syllabus.pipeline.steps import IdempotentRequest, admit
from syllabus.services.idempotency import StoredResponse


class ApiGuard:
    """Rate limits and idempotency keys for every request under ``prefix``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        door: Door,
    ) -> None:
        if door.render_error is None:
            raise ValueError(f"the {door.name} door must render the guard's refusals")
        self.app = app
        self.prefix = prefix.rstrip("/")
        self.door = door
        self.render_error = door.render_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not (
            path == self.prefix or path.startswith(self.prefix + "/")
        ):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        headers = Headers(scope=scope)
        secret = self.door.extract(headers)
        principal = None
        if secret is not None:
            principal = await identify(state.session_factory, state.auth_cache, self.door, secret)
        if principal is None:
            await self.app(scope, receive, send)
            return
        scope[PRINCIPAL_KEY] = principal
        extra: dict[str, str] = {}
        try:
            key = await admit(state.rate_limiter, principal, scope["method"], headers, extra)
        except GuardError as error:
            await self._refuse(error, extra, scope, receive, send)
            return
        if key is None:
            await self.app(scope, receive, _adding(send, extra))
            return
        await self._idempotent(state.idempotency, principal, key, extra, scope, receive, send)

    async def _refuse(
        self, error: GuardError, extra: dict[str, str], scope: Scope, receive: Receive, send: Send
    ) -> None:
        response = self.render_error(error)
        response.headers.update(extra | error.headers())
        await response(scope, receive, send)

    async def _idempotent(
        self,
        guard: IdempotencyGuard,
        principal: Principal,
        key: str,
        extra: dict[str, str],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        body = await _read_body(receive)
        headers = Headers(scope=scope)
        query = canonical(sorted(parse_qsl(scope.get("query_string", b"").decode("latin-1"))))
        payload = query + b"\0" + canonical_body(body, headers.get("content-type", ""))
        path = scope["path"].rstrip("/") or "/"  # both slash forms are one resource
        request = IdempotentRequest(
            guard, principal, key, fingerprint(scope["method"], path, principal, payload)
        )
        try:
            stored = await request.start(scope)
        except GuardError as error:
            await self._refuse(error, extra, scope, receive, send)
            return
        if stored is not None:
            replay = Response(stored.body, stored.status_code, replay_headers(stored, extra))
            await replay(scope, receive, send)
            return
        await self._run_and_keep(request, body, extra, scope, receive, send)

    async def _run_and_keep(
        self,
        request: IdempotentRequest,
        body: bytes,
        extra: dict[str, str],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        sent = _Captured()
        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent.status = message["status"]
                sent_headers = Headers(raw=message.get("headers", []))
                sent.content_type = sent_headers.get("content-type", "")
                sent.headers = kept_headers(sent_headers.items())
            elif message["type"] == "http.response.body":
                sent.body += message.get("body", b"")
            await _adding(send, extra)(message)

        try:
            await self.app(scope, replay_body, capture)
        except BaseException:
            await request.abort()
            raise
        await request.finish(
            StoredResponse(sent.status, sent.content_type, bytes(sent.body), sent.headers)
        )


@dataclass
class _Captured:
    """What the route sent, to keep for replays."""

    status: int = 500
    content_type: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    """The route's own allow-listed headers (before the guard adds its own)."""
    body: bytearray = field(default_factory=bytearray)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _adding(send: Send, extra: dict[str, str]) -> Send:
    """``send`` with ``extra`` headers added to the response's start."""
    if not extra:
        return send

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in extra.items():
                headers[name] = value
        await send(message)

    return wrapped
