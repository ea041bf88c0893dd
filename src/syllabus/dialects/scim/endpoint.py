"""What every SCIM route does around its work: bearer-token auth, JSON bodies, one unit of
work in a thread (a write's answer made inside it), and the row lock a write reads under."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from scim2_models import InvalidSyntaxException, UnauthorizedException
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from syllabus.auth.cache import PrincipalCache
from syllabus.auth.keys import Principal, authenticate
from syllabus.core.context import Context
from syllabus.db.session import TENANT_KEY, unit_of_work
from syllabus.dialects.guards.idempotency import work_keeper
from syllabus.domain.credentials import CredentialKind
from syllabus.domain.events import Surface
from syllabus.services.locking import lock_rows

T = TypeVar("T")
MAX_BODY = 10 * 1024 * 1024
CACHE_SCOPE = "scim"
Work = Callable[[Session, Context], T]


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedException(detail="a SCIM bearer token is required")
    return token.strip()


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


async def run(request: Request, work: Work[T], *, read_only: bool) -> T:
    """Authenticate the token, then run ``work`` in one unit of work scoped to its program."""
    token = bearer(request)
    factory: sessionmaker[Session] = request.app.state.session_factory
    cache: PrincipalCache = request.app.state.auth_cache
    return await run_in_threadpool(_run, factory, cache, token, work, read_only)


async def write(request: Request, work: Work[T], answer: Callable[[T], Response]) -> Response:
    """A write: ``work`` and its ``answer`` in one unit of work, so that with an
    Idempotency-Key the kept answer commits with the work (or neither does)."""
    keeper = work_keeper(request.scope)

    def work_and_answer(session: Session, ctx: Context) -> Response:
        response = answer(work(session, ctx))
        if keeper is not None:
            keeper.keep(session, response)
        return response

    response = await run(request, work_and_answer, read_only=False)
    if keeper is not None:
        keeper.committed()
    return response


def _run(
    factory: sessionmaker[Session],
    cache: PrincipalCache,
    token: str,
    work: Work[T],
    read_only: bool,
) -> T:
    key = cache.key(CredentialKind.SCIM_TOKEN, token, CACHE_SCOPE)
    principal: Principal | None = cache.get(key)
    with unit_of_work(factory, tenant_id=None, read_only=read_only) as session:
        if principal is None:
            principal = authenticate(session, token, CredentialKind.SCIM_TOKEN)
            if principal is None:
                raise UnauthorizedException(detail="invalid or revoked SCIM token")
            cache.put(key, principal)
        session.info[TENANT_KEY] = principal.tenant_id
        ctx = Context(tenant_id=principal.tenant_id, actor=principal.actor, surface=Surface.SCIM)
        return work(session, ctx)


def lock_row(session: Session, ctx: Context, model: type[Any], raw_id: str) -> None:
    """Lock the row a write reads (a PATCH applies to it) until the write commits; the
    service checks If-Match's version under the same lock."""
    if raw_id.isdigit() and len(raw_id) < 11:
        lock_rows(session, ctx, model, model.id == int(raw_id))
