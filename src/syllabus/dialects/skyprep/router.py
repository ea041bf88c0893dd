"""HTTP entry for every action: GET and POST, trailing slash optional, key check first.

The SkyPrep door on the shared pipeline (``syllabus.pipeline``): its credentials may travel in
the body, so the dispatcher runs every step itself (identify, ``admit``, an
``IdempotentRequest``, ``request_work``) rather than a middleware.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import Route

from syllabus.auth.keys import Principal
from syllabus.core.context import Context, Surface
from syllabus.core.errors import DomainError, NotFound
from syllabus.db.session import unit_of_work
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
from syllabus.dialects.skyprep.door import credentials, skyprep_caller
from syllabus.dialects.skyprep.errors import error_body
from syllabus.dialects.skyprep.params import collect_params
from syllabus.dialects.skyprep.render import Stream, encode, encode_stream, media_type, pop_format
from syllabus.dialects.skyprep.reports import FileStream, answer_format, file_format_passes
from syllabus.pipeline.idempotency import (
    IdempotencyGuard,
    WorkKeeper,
    canonical,
    fingerprint,
    kept_headers,
    replay_headers,
)
from syllabus.pipeline.rate_limiting import GuardError
from syllabus.pipeline.steps import IdempotentRequest, admit, request_work
from syllabus.services.idempotency import StoredResponse

DEPRECATION_HEADERS = {"Deprecation": "true"}


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


def _run(
    factory: sessionmaker[Session],
    name: str,
    principal: Principal,
    params: dict[str, Any],
    origin: str = "",
    data_dir: Path | None = None,
    answer: Callable[[Any], StoredResponse | None] | None = None,
    keeper: WorkKeeper | None = None,
) -> Any:
    """Run the action in one unit of work; with a ``keeper``, the ``answer`` made of its
    result commits with it (an Idempotency-Key's kept answer)."""
    spec = ACTIONS.get(name)
    read_only = spec is None or spec.read_only
    with request_work(factory, principal.tenant_id, read_only=read_only, keeper=keeper) as work:
        if spec is None:
            raise NotFound("action", [name], field="action")
        assert spec.handler is not None  # identity actions are answered by dispatch
        result = spec.handler(work.session, _call(principal, params, origin, data_dir))
        if answer is not None:
            work.response = answer(result)
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
        api_key, acct_key = credentials(params, request.headers)
        factory = request.app.state.session_factory
        principal = await skyprep_caller(request, api_key, acct_key)
        identity = spec is not None and spec.answer is not None
        writes = spec is not None and not spec.read_only and not identity
        limiter = request.app.state.rate_limiter
        key = await admit(
            limiter, principal, request.method, request.headers, headers, writes=writes
        )
        if spec is not None and spec.answer is not None:
            result = spec.answer(_call(principal, params))
        else:
            origin = f"{request.url.scheme}://{request.url.netloc}"
            if key is not None:
                return await _idempotent(
                    request, name, principal, params, origin, fmt, key, headers
                )
            data_dir = request.app.state.settings.data_dir
            result = await run_in_threadpool(
                _run, factory, name, principal, params, origin, data_dir
            )
    except GuardError as error:
        return _refusal(error, fmt, headers)
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


def _refusal(error: GuardError, fmt: str, headers: dict[str, str]) -> Response:
    """A guard's refusal in SkyPrep's error shape and the request's format."""
    body = {"message": error.message, "field": error.field}
    return Response(encode(body, fmt), error.status, headers | error.headers(), media_type(fmt))


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
    idempotent = IdempotentRequest(guard, principal, key, print_)
    stored = await idempotent.start(request.scope)  # a refusal is answered by ``dispatch``
    if stored is not None:
        return Response(stored.body, stored.status_code, replay_headers(stored, headers))
    # The answer's own allow-listed headers (none of today's actions sets one) are kept with it.
    own = kept_headers(headers.items())

    def answer(result: Any) -> StoredResponse | None:
        if isinstance(result, Stream):  # writes never stream; if one did, it is not kept
            return None
        return StoredResponse(200, media_type(fmt), encode(result, fmt), own)

    try:
        data_dir = request.app.state.settings.data_dir
        result = await run_in_threadpool(
            _run, factory, name, principal, params, origin, data_dir, answer, idempotent.keeper
        )
    except DomainError as error:
        status, body = error_body(error)
        refused = StoredResponse(status, media_type(fmt), encode(body, fmt), own)
        await idempotent.finish(refused)
        return Response(refused.body, status, headers, refused.content_type)
    except BaseException:
        await idempotent.abort()
        raise
    if isinstance(result, Stream):
        await idempotent.abort()
        return StreamingResponse(
            _stream_body(factory, result, fmt), headers=headers, media_type=media_type(fmt)
        )
    return Response(encode(result, fmt), headers=headers, media_type=media_type(fmt))


# Plain Starlette routes: one generic path needs no FastAPI parameter resolution, which
# would cost more per request than a cached action itself.
routes = [
    Route("/admin/api/{name}", dispatch, methods=["GET", "POST"]),
    Route("/admin/api/{name}/", dispatch, methods=["GET", "POST"]),
]
