"""Both guards around a whole REST surface, as one ASGI middleware per path prefix.

For surfaces whose credential travels in ``Authorization`` (``/v1``: Basic with or without
the colon, ``Token``, ``Bearer``; ``/scim/v2``: ``Bearer``). The middleware identifies the
caller itself (through the same cache the routes use), so the routes stay unaware of it:

    app.add_middleware(ApiGuard, prefix="/v1", kind=CredentialKind.API_KEY)
    app.add_middleware(ApiGuard, prefix="/scim/v2", kind=CredentialKind.SCIM_TOKEN,
                       render_error=scim_error)

A request it cannot identify goes through untouched: the route answers 401 in its own style.
As in the SkyPrep dialect, a write's answer is kept in the write's own transaction: the guard
leaves a ``WorkKeeper`` in the request's scope and the surface's unit of work hands it the
response before committing. Answers that commit no work (errors, whose transaction rolled
back, and routes outside a unit of work) are kept in a transaction of their own afterwards.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from syllabus.auth.cache import PrincipalCache
from syllabus.auth.keys import Principal, authenticate
from syllabus.db.session import unit_of_work
from syllabus.dialects.guards.idempotency import (
    SCOPE_KEY,
    WRITE_METHODS,
    IdempotencyGuard,
    WorkKeeper,
    canonical,
    canonical_body,
    fingerprint,
    idempotency_key,
    kept_headers,
    replay_headers,
)
from syllabus.dialects.guards.rate_limiting import GuardError, apply_rate_limit
from syllabus.dialects.responses import JSONResponse
from syllabus.domain.credentials import CredentialKind
from syllabus.services.idempotency import Claim, StoredResponse

ErrorRenderer = Callable[[GuardError], Response]
SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


def detail_error(error: GuardError) -> Response:
    """DRF's shape, which ``/v1`` clients parse: ``{"detail": "..."}``."""
    return JSONResponse({"detail": error.message}, error.status)


def scim_error(error: GuardError) -> Response:
    """RFC 7644 §3.12: the error schema, ``status`` as a string, and ``detail``."""
    body = {"schemas": [SCIM_ERROR_SCHEMA], "status": str(error.status), "detail": error.message}
    return JSONResponse(body, error.status, media_type="application/scim+json")


def presented_secret(headers: Headers) -> str | None:
    """The credential in ``Authorization``: Basic (key as user name), Token or Bearer."""
    scheme, _, value = headers.get("authorization", "").strip().partition(" ")
    value = value.strip()
    scheme = scheme.lower()
    if scheme in ("bearer", "token"):
        return value or None
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[0] or None
    return None


class ApiGuard:
    """Rate limits and idempotency keys for every request under ``prefix``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        kind: CredentialKind,
        render_error: ErrorRenderer = detail_error,
    ) -> None:
        self.app = app
        self.prefix = prefix.rstrip("/")
        self.kind = kind
        self.render_error = render_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not (
            path == self.prefix or path.startswith(self.prefix + "/")
        ):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        headers = Headers(scope=scope)
        principal = await self._principal(state.auth_cache, state.session_factory, headers)
        if principal is None:
            await self.app(scope, receive, send)
            return
        extra: dict[str, str] = {}
        try:
            await apply_rate_limit(state.rate_limiter, principal, extra)
            writes = scope["method"] in WRITE_METHODS
            key = idempotency_key(headers) if writes else None
        except GuardError as error:
            await self._refuse(error, extra, scope, receive, send)
            return
        if key is None:
            await self.app(scope, receive, _adding(send, extra))
            return
        await self._idempotent(state.idempotency, principal, key, extra, scope, receive, send)

    async def _principal(
        self, cache: PrincipalCache, factory: sessionmaker[Session], headers: Headers
    ) -> Principal | None:
        secret = presented_secret(headers)
        if secret is None:
            return None
        cache_key = cache.key(self.kind, secret, self.prefix)
        principal = cache.get(cache_key)
        if principal is not None:
            return principal

        def check() -> Principal | None:
            with unit_of_work(factory, tenant_id=None, read_only=True) as session:
                return authenticate(session, secret, self.kind)

        principal = await run_in_threadpool(check)
        if principal is not None:
            cache.put(cache_key, principal)
        return principal

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
        print_ = fingerprint(scope["method"], path, principal, payload)
        try:
            claim = await run_in_threadpool(guard.begin, principal, key, print_)
        except GuardError as error:
            await self._refuse(error, extra, scope, receive, send)
            return
        if isinstance(claim, StoredResponse):
            replay = Response(claim.body, claim.status_code, replay_headers(claim, extra))
            await replay(scope, receive, send)
            return
        await self._run_and_keep(guard, principal, claim, body, extra, scope, receive, send)

    async def _run_and_keep(
        self,
        guard: IdempotencyGuard,
        principal: Principal,
        claim: Claim,
        body: bytes,
        extra: dict[str, str],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        sent = _Captured()
        delivered = False
        keeper = WorkKeeper(guard, claim)
        scope[SCOPE_KEY] = keeper

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
            await run_in_threadpool(guard.release, principal, claim)
            raise
        if keeper.kept:
            return
        response = StoredResponse(sent.status, sent.content_type, bytes(sent.body), sent.headers)
        await run_in_threadpool(guard.keep, principal, claim, response)


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
