"""The one table from domain errors to Skilljar's (Django REST framework) wire errors.

A 404 is exactly ``{"detail":"Not found."}``: clients compare the text. Validation errors are
field maps, ``{"field": ["message"]}``, nested for nested input. Nothing escapes as a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from syllabus.core.errors import BulkRejected, DomainError, NotFound, PreconditionFailed
from syllabus.dialects.head import allowed_methods
from syllabus.dialects.responses import JSONResponse

log = logging.getLogger("syllabus.skilljar")

NOT_FOUND_BODY = b'{"detail":"Not found."}'
OPTIONS_BODY = {
    "renders": ["application/json"],
    "parses": ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"],
}
STATUS_BY_CODE = {
    "invalid": 400,
    "bulk_rejected": 400,
    "conflict": 400,
    "not_found": 404,
    "forbidden": 403,
    "precondition_failed": 412,
    "unauthorized": 401,
}
AUTH_CHALLENGE = {"WWW-Authenticate": 'Basic realm="api"'}
PRECONDITION_FAILED = "Precondition failed."


class Unauthorized(DomainError):
    code = "unauthorized"


class FieldErrors(Exception):
    """Wire-level input errors, already in DRF's shape."""

    def __init__(self, errors: dict[str, Any], status: int = 400) -> None:
        super().__init__(str(errors))
        self.errors = errors
        self.status = status


def not_found() -> Response:
    return Response(NOT_FOUND_BODY, 404, media_type="application/json")


def field_error(field: str, message: str) -> FieldErrors:
    return FieldErrors({field: [message]})


def add_error(errors: dict[str, Any], loc: tuple[Any, ...], message: str) -> None:
    """Place ``message`` at ``loc`` in a nested DRF error map (list indexes become keys)."""
    path = [str(part) for part in loc] or ["non_field_errors"]
    node = errors
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node.setdefault(path[-1], [])
    if isinstance(node[path[-1]], list):
        node[path[-1]].append(message)


def domain_error_response(error: DomainError) -> Response:
    if isinstance(error, NotFound):
        return not_found()
    status = STATUS_BY_CODE.get(error.code, 400)
    if isinstance(error, BulkRejected):
        body: dict[str, Any] = {
            "detail": error.message,
            "errors": [
                {"row": r.index, "field": r.field, "code": r.code, "message": r.message}
                for r in error.rows
            ],
        }
    elif status == 400 and error.field:
        body = {error.field: [error.message]}
    elif isinstance(error, PreconditionFailed):
        body = {"detail": PRECONDITION_FAILED}  # DRF's words for a stale If-Match
    else:
        body = {"detail": error.message}
    headers = AUTH_CHALLENGE if status == 401 else None
    return JSONResponse(body, status, headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def on_domain_error(request: Request, error: DomainError) -> Response:
        return domain_error_response(error)

    @app.exception_handler(FieldErrors)
    async def on_field_errors(request: Request, error: FieldErrors) -> Response:
        return JSONResponse(error.errors, error.status)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, error: RequestValidationError) -> Response:
        errors: dict[str, Any] = {}
        for item in error.errors():
            loc = tuple(item.get("loc", ()))
            if loc and loc[0] in {"query", "path", "body", "header"}:
                loc = loc[1:]
            add_error(errors, loc, str(item.get("msg", "Invalid value.")))
        return JSONResponse(errors, 400)

    @app.exception_handler(HTTPException)
    async def on_http(request: Request, error: HTTPException) -> Response:
        if error.status_code == 404:
            return not_found()
        if error.status_code == 405:
            allowed = allowed_methods(request, request.app.state.method_routes)
            if request.method == "OPTIONS":  # DRF's answer: the methods and what is parsed
                return JSONResponse(OPTIONS_BODY, 200, {"Allow": ", ".join(allowed)})
            return JSONResponse(
                {"detail": f'Method "{request.method}" not allowed.'},
                405,
                {"Allow": ", ".join(allowed)},
            )
        return JSONResponse({"detail": error.detail}, error.status_code, error.headers)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "A server error occurred."}, 500)
