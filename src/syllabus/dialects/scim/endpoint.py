"""What every SCIM route does around its work, on the shared pipeline (``syllabus.pipeline``):
bearer-token auth through the SCIM door, JSON bodies, one unit of work in a thread (a write's
answer made inside it, kept with it for an Idempotency-Key), and the row lock a write reads
under (If-Match is checked by the services, against the row's version)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from scim2_models import InvalidSyntaxException, UnauthorizedException
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from syllabus.auth.authorization import Scheme
from syllabus.auth.keys import Principal
from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.dialects.responses import JSONResponse
from syllabus.pipeline.doors import Door, authorization_secret, identified, identify
from syllabus.pipeline.idempotency import WorkKeeper, work_keeper
from syllabus.pipeline.rate_limiting import GuardError
from syllabus.pipeline.steps import request_work
from syllabus.services.locking import lock_rows

T = TypeVar("T")
SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
MAX_BODY = 10 * 1024 * 1024
Work = Callable[[Session, Context], T]


def scim_error(error: GuardError) -> Response:
    """A guard's refusal per RFC 7644 §3.12: the error schema, ``status`` as a string, and
    ``detail``."""
    body = {"schemas": [SCIM_ERROR_SCHEMA], "status": str(error.status), "detail": error.message}
    return JSONResponse(body, error.status, media_type="application/scim+json")


SCIM = Door("scim", CredentialKind.SCIM_TOKEN, authorization_secret(Scheme.BEARER), scim_error)
"""``/scim/v2``'s door: a SCIM token, as a Bearer token only (RFC 7644 §2)."""


def bearer(request: Request) -> str:
    """The SCIM token (``Bearer`` only, read by the one ``Authorization`` parser); 401 if none."""
    token = SCIM.extract(request.headers)
    if token is None:
        raise UnauthorizedException(detail="a SCIM bearer token is required")
    return token


async def read_json(request: Request) -> Any:
    """The body as JSON; application/scim+json and application/json are both accepted."""
    body = await request.body()
    if len(body) > MAX_BODY:
        raise InvalidSyntaxException(detail="the body is too large")
    if not body.strip():
        raise InvalidSyntaxException(detail="the body is empty")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise InvalidSyntaxException(detail=f"the body is not valid JSON: {error}") from None


def base_url(request: Request) -> str:
    """The SCIM root as the client reached it (the mount path is in root_path)."""
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}{root}/"


async def principal_for(request: Request) -> Principal:
    """The caller (identified by the guard, from the cache or one lookup); 401 otherwise."""
    principal = identified(request.scope, SCIM)
    if principal is not None:
        return principal
    token = bearer(request)
    state = request.app.state
    principal = await identify(state.session_factory, state.auth_cache, SCIM, token)
    if principal is None:
        raise UnauthorizedException(detail="invalid or revoked SCIM token")
    return principal


async def run(request: Request, work: Work[T], *, read_only: bool) -> T:
    """Authenticate the token, then run ``work`` in one unit of work scoped to its program."""
    principal = await principal_for(request)
    factory: sessionmaker[Session] = request.app.state.session_factory
    return await run_in_threadpool(_run, factory, principal, work, read_only, None)


async def write(request: Request, work: Work[T], answer: Callable[[T], Response]) -> Response:
    """A write: ``work`` and its ``answer`` in one unit of work, so that with an
    Idempotency-Key the kept answer commits with the work (or neither does)."""
    principal = await principal_for(request)
    factory: sessionmaker[Session] = request.app.state.session_factory
    keeper = work_keeper(request.scope)

    def work_and_answer(session: Session, ctx: Context) -> Response:
        return answer(work(session, ctx))

    return await run_in_threadpool(_run, factory, principal, work_and_answer, False, keeper)


def _run(
    factory: sessionmaker[Session],
    principal: Principal,
    work: Work[Any],
    read_only: bool,
    keeper: WorkKeeper | None,
) -> Any:
    ctx = Context(tenant_id=principal.tenant_id, actor=principal.actor, surface=Surface.SCIM)
    with request_work(factory, principal.tenant_id, read_only=read_only, keeper=keeper) as unit:
        result = work(unit.session, ctx)
        if isinstance(result, Response):
            unit.response = result
        return result


def lock_row(session: Session, ctx: Context, model: type[Any], raw_id: str) -> None:
    """Lock the row a write reads (a PATCH applies to it) until the write commits; the
    service checks If-Match's version under the same lock."""
    if raw_id.isdigit() and len(raw_id) < 11:
        lock_rows(session, ctx, model, model.id == int(raw_id))
