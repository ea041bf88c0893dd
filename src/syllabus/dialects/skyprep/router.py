"""HTTP entry for every action: GET and POST, trailing slash optional, key check first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.routing import Route

from syllabus.auth.cache import PrincipalCache
from syllabus.auth.keys import Principal, authenticate, tenant_has_domain
from syllabus.core.context import Context
from syllabus.core.errors import DomainError, NotFound
from syllabus.db.session import unit_of_work
from syllabus.dialects.guards.idempotency import (
    IdempotencyGuard,
    canonical,
    fingerprint,
    idempotency_key,
    kept_headers,
    replay_headers,
)
from syllabus.dialects.guards.rate_limiting import GuardError, apply_rate_limit
from syllabus.dialects.skyprep import catalog as _catalog  # noqa: F401  (registers its actions)
from syllabus.dialects.skyprep import courses as _courses  # noqa: F401  (registers its actions)
from syllabus.dialects.skyprep import enrollments as _enrollments  # noqa: F401  (registers its actions)
from syllabus.dialects.skyprep import groups as _groups  # noqa: F401  (registers its actions)
from syllabus.dialects.skyprep import ilt as _ilt  # noqa: F401  (registers its actions)
from syllabus.dialects.skyprep import learning_paths as _learning_paths  # noqa: F401
from syllabus.dialects.skyprep import login_keys as _login_keys  # noqa: F401
from syllabus.dialects.skyprep import materials as _materials  # noqa: F401
from syllabus.dialects.skyprep import payments as _payments  # noqa: F401
from syllabus.dialects.skyprep import power_users as _power_users  # noqa: F401
from syllabus.dialects.skyprep import program as _program  # noqa: F401
from syllabus.dialects.skyprep import progress as _progress  # noqa: F401
from syllabus.dialects.skyprep import reports as _reports  # noqa: F401
from syllabus.dialects.skyprep import rewards as _rewards  # noqa: F401
from syllabus.dialects.skyprep import saved_reports as _saved_reports  # noqa: F401
from syllabus.dialects.skyprep import skills as _skills  # noqa: F401
from syllabus.dialects.skyprep import training_transfer as _training_transfer  # noqa: F401
from syllabus.dialects.skyprep import users as _users  # noqa: F401  (registers its actions)
from syllabus.dialects.skyprep.actions import ACTIONS, Call
from syllabus.dialects.skyprep.errors import Unauthorized, error_body
from syllabus.dialects.skyprep.params import collect_params
from syllabus.dialects.skyprep.render import Stream, encode, encode_stream, media_type, pop_format
from syllabus.dialects.skyprep.reports import FileStream, answer_format, file_format_passes
from syllabus.domain.credentials import CredentialKind
from syllabus.domain.events import Surface
from syllabus.services.idempotency import StoredResponse

DEPRECATION_HEADERS = {"Deprecation": "true"}


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)


def _credentials(params: dict[str, Any], headers: Headers) -> tuple[str, str]:
    api_key = _first(params.pop("api_key", None)) or headers.get("x-skyprep-api-key")
    acct_key = _first(params.pop("acct_key", None)) or headers.get("x-skyprep-acct-key")
    if not api_key:
        raise Unauthorized("api_key is required", field="api_key")
    if not acct_key:
        raise Unauthorized("acct_key is required", field="acct_key")
    return api_key, acct_key


def _call(
    principal: Principal, params: dict[str, Any], origin: str = "", data_dir: Path | None = None
) -> Call:
    ctx = Context(tenant_id=principal.tenant_id, actor=principal.actor, surface=Surface.SKYPREP)
    return Call(
        ctx=ctx,
        acct_key=principal.acct_key,
        time_zone=principal.time_zone,
        params=params,
        origin=origin,
        data_dir=data_dir,
    )


def _authenticate(
    factory: sessionmaker[Session], cache: PrincipalCache, api_key: str, acct_key: str
) -> Principal:
    """Check the key and acct_key (a cache miss), before any guard or action runs."""
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        principal = authenticate(session, api_key, CredentialKind.API_KEY)
        if principal is None:
            raise Unauthorized("invalid api_key", field="api_key")
        if not tenant_has_domain(session, principal.tenant_id, acct_key):
            raise Unauthorized("acct_key does not belong to this api_key", field="acct_key")
    cache.put(cache.key(CredentialKind.API_KEY, api_key, acct_key), principal)
    return principal


def _run(
    factory: sessionmaker[Session],
    name: str,
    principal: Principal,
    params: dict[str, Any],
    origin: str = "",
    data_dir: Path | None = None,
    keep: Callable[[Session, Any], None] | None = None,
) -> Any:
    """Run the action in one unit of work; ``keep`` sees its result before the commit."""
    spec = ACTIONS.get(name)
    read_only = spec is None or spec.read_only
    with unit_of_work(factory, tenant_id=principal.tenant_id, read_only=read_only) as session:
        if spec is None:
            raise NotFound("action", [name], field="action")
        assert spec.handler is not None  # identity actions are answered by dispatch
        result = spec.handler(session, _call(principal, params, origin, data_dir))
        if keep is not None:
            keep(session, result)
        return result


def _stream_body(factory: sessionmaker[Session], stream: Stream, fmt: str) -> Iterator[bytes]:
    """The stream's pages, read in a read-only unit of work held while the body is sent."""
    with unit_of_work(factory, tenant_id=stream.tenant_id, read_only=True) as session:
        yield from encode_stream(stream.pages(session), stream.root, fmt)


def _file_body(factory: sessionmaker[Session], stream: FileStream) -> Iterator[bytes]:
    """The report file's bytes, read in a read-only unit of work held while they are sent."""
    with unit_of_work(factory, tenant_id=stream.tenant_id, read_only=True) as session:
        yield from stream.chunks(session)


async def dispatch(request: Request) -> Response:
    name: str = request.path_params["name"]
    headers = dict(DEPRECATION_HEADERS) if request.method == "GET" else {}
    fmt = "json"
    try:
        params = await collect_params(request)
        params.pop("_", None)  # jQuery-style cache buster
        spec = ACTIONS.get(name)
        fmt = answer_format(params) if file_format_passes(spec, params) else pop_format(params)
        api_key, acct_key = _credentials(params, request.headers)
        cache: PrincipalCache = request.app.state.auth_cache
        factory = request.app.state.session_factory
        principal = cache.get(cache.key(CredentialKind.API_KEY, api_key, acct_key))
        if principal is None:
            principal = await run_in_threadpool(_authenticate, factory, cache, api_key, acct_key)
        await apply_rate_limit(request.app.state.rate_limiter, principal, headers)
        if spec is not None and spec.answer is not None:
            result = spec.answer(_call(principal, params))
        else:
            origin = f"{request.url.scheme}://{request.url.netloc}"
            writes = spec is not None and not spec.read_only
            key = idempotency_key(request.headers) if writes else None
            if key is not None:
                return await _idempotent(
                    request, name, principal, params, origin, fmt, key, headers
                )
            data_dir = request.app.state.settings.data_dir
            result = await run_in_threadpool(
                _run, factory, name, principal, params, origin, data_dir
            )
    except GuardError as error:
        body = {"message": error.message, "field": error.field}
        return Response(encode(body, fmt), error.status, headers | error.headers(), media_type(fmt))
    except DomainError as error:
        status, body = error_body(error)
        return Response(encode(body, fmt), status, headers, media_type(fmt))
    if isinstance(result, Stream):
        return StreamingResponse(
            _stream_body(factory, result, fmt), headers=headers, media_type=media_type(fmt)
        )
    if isinstance(result, FileStream):
        return StreamingResponse(
            _file_body(factory, result),
            headers=headers | result.headers(),
            media_type=result.media_type,
        )
    return Response(encode(result, fmt), headers=headers, media_type=media_type(fmt))


async def _idempotent(
    request: Request,
    name: str,
    principal: Principal,
    params: dict[str, Any],
    origin: str,
    fmt: str,
    key: str,
    headers: dict[str, str],
) -> Response:
    """A write with an Idempotency-Key: replayed if it ran, else run and kept with its work."""
    guard: IdempotencyGuard = request.app.state.idempotency
    factory = request.app.state.session_factory
    # The action, not the path: /name and /name/ are one request; GET and POST are not.
    print_ = fingerprint(request.method, f"/admin/api/{name}", principal, canonical(params))
    claim = await run_in_threadpool(guard.begin, principal, key, print_)
    if isinstance(claim, StoredResponse):
        return Response(claim.body, claim.status_code, replay_headers(claim, headers))
    # The answer's own allow-listed headers (none of today's actions sets one) are kept with it.
    own = kept_headers(headers.items())
    kept: list[StoredResponse] = []

    def keep(session: Session, result: Any) -> None:
        if not isinstance(result, Stream):  # writes never stream; if one did, it is not kept
            kept.append(StoredResponse(200, media_type(fmt), encode(result, fmt), own))
            guard.keep_in(session, claim, kept[0])

    try:
        data_dir = request.app.state.settings.data_dir
        result = await run_in_threadpool(
            _run, factory, name, principal, params, origin, data_dir, keep
        )
    except DomainError as error:
        status, body = error_body(error)
        refused = StoredResponse(status, media_type(fmt), encode(body, fmt), own)
        await run_in_threadpool(guard.keep, principal, claim, refused)
        return Response(refused.body, status, headers, refused.content_type)
    except BaseException:
        await run_in_threadpool(guard.release, principal, claim)
        raise
    if not kept:
        await run_in_threadpool(guard.release, principal, claim)
        return StreamingResponse(
            _stream_body(factory, result, fmt), headers=headers, media_type=media_type(fmt)
        )
    return Response(kept[0].body, headers=headers, media_type=kept[0].content_type)


# Plain Starlette routes: one generic path needs no FastAPI parameter resolution, which
# would cost more per request than a cached action itself.
routes = [
    Route("/admin/api/{name}", dispatch, methods=["GET", "POST"]),
    Route("/admin/api/{name}/", dispatch, methods=["GET", "POST"]),
]
