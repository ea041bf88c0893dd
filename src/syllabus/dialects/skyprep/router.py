"""HTTP entry for every action: GET and POST, trailing slash optional, key check first."""

from __future__ import annotations

from collections.abc import Iterator
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
from syllabus.db.session import TENANT_KEY, unit_of_work
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
from syllabus.dialects.skyprep.reports import FileStream, file_format_passes
from syllabus.domain.credentials import CredentialKind
from syllabus.domain.events import Surface
from syllabus.services.context import Context
from syllabus.services.errors import DomainError, NotFound

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


def _run(
    factory: sessionmaker[Session],
    cache: PrincipalCache,
    name: str,
    api_key: str,
    acct_key: str,
    params: dict[str, Any],
    principal: Principal | None,
    origin: str = "",
    data_dir: Path | None = None,
) -> Any:
    """Authenticate (unless the key was cached), then run the action, in one unit of work."""
    spec = ACTIONS.get(name)
    with unit_of_work(factory, tenant_id=None, read_only=spec is None or spec.read_only) as session:
        if principal is None:
            principal = authenticate(session, api_key, CredentialKind.API_KEY)
            if principal is None:
                raise Unauthorized("invalid api_key", field="api_key")
            if not tenant_has_domain(session, principal.tenant_id, acct_key):
                raise Unauthorized("acct_key does not belong to this api_key", field="acct_key")
            cache.put(cache.key(CredentialKind.API_KEY, api_key, acct_key), principal)
        if spec is None:
            raise NotFound("action", [name], field="action")
        call = _call(principal, params, origin, data_dir)
        if spec.answer is not None:
            return spec.answer(call)
        assert spec.handler is not None
        session.info[TENANT_KEY] = principal.tenant_id  # from here on, this program only
        return spec.handler(session, call)


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
    extra = DEPRECATION_HEADERS if request.method == "GET" else None
    fmt = "json"
    try:
        params = await collect_params(request)
        params.pop("_", None)  # jQuery-style cache buster
        spec = ACTIONS.get(name)
        fmt = "json" if file_format_passes(spec, params) else pop_format(params)
        api_key, acct_key = _credentials(params, request.headers)
        cache: PrincipalCache = request.app.state.auth_cache
        principal = cache.get(cache.key(CredentialKind.API_KEY, api_key, acct_key))
        factory = request.app.state.session_factory
        if principal is not None and spec is not None and spec.answer is not None:
            result = spec.answer(_call(principal, params))
        else:
            origin = f"{request.url.scheme}://{request.url.netloc}"
            data_dir = request.app.state.settings.data_dir
            result = await run_in_threadpool(
                _run, factory, cache, name, api_key, acct_key, params, principal, origin, data_dir
            )
    except DomainError as error:
        status, body = error_body(error)
        return Response(encode(body, fmt), status, extra, media_type(fmt))
    if isinstance(result, Stream):
        return StreamingResponse(
            _stream_body(factory, result, fmt), headers=extra, media_type=media_type(fmt)
        )
    if isinstance(result, FileStream):
        return StreamingResponse(
            _file_body(factory, result),
            headers={**(extra or {}), **result.headers()},
            media_type=result.media_type,
        )
    return Response(encode(result, fmt), headers=extra, media_type=media_type(fmt))


# Plain Starlette routes: one generic path needs no FastAPI parameter resolution, which
# would cost more per request than a cached action itself.
routes = [
    Route("/admin/api/{name}", dispatch, methods=["GET", "POST"]),
    Route("/admin/api/{name}/", dispatch, methods=["GET", "POST"]),
]
