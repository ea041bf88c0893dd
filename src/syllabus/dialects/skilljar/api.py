"""Per-request plumbing: the caller's program, one unit of work, the body, ids and ETags.

The ``/v1`` door on the shared pipeline (``syllabus.pipeline``): the guard middleware identified
the caller and spent its rate-limit token; here the route gets its unit of work.

Handlers declare ``api: ReadApi`` (GET: a read-only transaction) or ``api: WriteApi`` (writes:
one transaction committed before the response is sent, rolled back on any error).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from syllabus.auth.keys import Principal
from syllabus.core.context import Context, Surface
from syllabus.core.errors import NotFound
from syllabus.core.versions import Expected, Version
from syllabus.dialects.etags import parse_if_match, render_etag
from syllabus.dialects.responses import JSONResponse
from syllabus.dialects.skilljar.auth import principal_for
from syllabus.dialects.skilljar.body import RequestBody, declared_body, read_body
from syllabus.dialects.skilljar.errors import field_error
from syllabus.dialects.skilljar.ids import IdCodec
from syllabus.pipeline.idempotency import work_keeper
from syllabus.pipeline.steps import request_work
from syllabus.services.locking import lock_rows


@dataclass
class Api:
    request: Request
    principal: Principal
    ctx: Context
    session: Session
    ids: IdCodec
    body: dict[str, Any]
    response: Response | None = None
    """What the handler answered (set by the router), kept with the work for idempotency."""

    def id(self, kind: str, row_id: int) -> str:
        return self.ids.encode(kind, row_id)

    def opt_id(self, kind: str, row_id: int | None) -> str | None:
        return None if row_id is None else self.ids.encode(kind, row_id)

    def path_id(self, kind: str, public_id: str) -> int:
        """A row id from the URL: anything that is not one of ours is a plain 404."""
        row_id = self.ids.decode(kind, public_id)
        if row_id is None:
            raise NotFound(kind, [public_id])
        return row_id

    def ref(self, kind: str, public_id: object, field: str) -> int:
        """A row id named in the body: a malformed one is a 400 naming the field."""
        if isinstance(public_id, dict):
            public_id = public_id.get("id")
        row_id = self.ids.decode(kind, public_id)
        if row_id is None:
            raise field_error(field, f'Invalid pk "{public_id}" - object does not exist.')
        return row_id

    def lock(self, model: type[Any], *criteria: Any) -> None:
        """Lock rows a write reads before its service call, until the write commits."""
        lock_rows(self.session, self.ctx, model, *criteria)

    @property
    def expected_version(self) -> Expected | None:
        """The version ``If-Match`` names, for the service to check under its row lock (a
        stale one is PreconditionFailed, a 412); None when absent or ``*``."""
        return parse_if_match(self.request.headers.get("if-match"))


def etag(version: Version) -> str:
    """A strong validator: the resource's version (``core.versions``)."""
    return render_etag(version)


def json(body: Any, status: int = 200, *, tag: str | None = None) -> Response:
    return JSONResponse(body, status, {"ETag": tag} if tag else None)


def _context(principal: Principal) -> Context:
    return Context(tenant_id=principal.tenant_id, actor=principal.actor, surface=Surface.SKILLJAR)


def _read_api(
    request: Request, principal: Annotated[Principal, Depends(principal_for)]
) -> Iterator[Api]:
    factory = request.app.state.session_factory
    with request_work(factory, principal.tenant_id, read_only=True) as work:
        yield Api(request, principal, _context(principal), work.session, request.app.state.ids, {})


def _write_api(
    request: Request,
    principal: Annotated[Principal, Depends(principal_for)],
    body: Annotated[dict[str, Any], Depends(read_body)],
) -> Iterator[Api]:
    factory = request.app.state.session_factory
    keeper = work_keeper(request.scope)
    with request_work(factory, principal.tenant_id, read_only=False, keeper=keeper) as work:
        ids = request.app.state.ids
        declared = RequestBody(body, declared_body(request.scope.get("route")))
        api = Api(request, principal, _context(principal), work.session, ids, declared)
        yield api
        work.response = api.response  # an Idempotency-Key's answer, kept with the work


ReadApi = Annotated[Api, Depends(_read_api, scope="function")]
WriteApi = Annotated[Api, Depends(_write_api, scope="function")]
