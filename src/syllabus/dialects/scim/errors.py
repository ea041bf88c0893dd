"""Every failure as an RFC 7644 Error body (status as a string, scimType where one applies).

Domain errors map here, once: NotFound → 404, Conflict → 409 (uniqueness when a unique value
is taken), Invalid → 400 invalidValue, PreconditionFailed → 412, Forbidden → 403.
"""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from scim2_models import (
    ConflictException,
    Error,
    ForbiddenException,
    InvalidSyntaxException,
    InvalidValueException,
    NotFoundException,
    PreconditionFailedException,
    SCIMException,
    UniquenessException,
)
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from syllabus.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
)
from syllabus.dialects.head import allowed_methods
from syllabus.dialects.scim.render import scim_response

log = logging.getLogger("syllabus.scim")

UNIQUE_FIELDS = {"email", "username", "name", "sso_id", "external_id"}


def error_response(status: int, detail: str, scim_type: str | None = None) -> Response:
    body = Error(status=status, scim_type=scim_type, detail=detail).model_dump()
    headers = {"WWW-Authenticate": 'Bearer realm="scim"'} if status == 401 else None
    return scim_response(body, status, headers=headers)


def from_domain(error: DomainError) -> SCIMException:
    """The one table from domain errors to SCIM errors."""
    if isinstance(error, NotFound):
        return NotFoundException(detail=error.message)
    if isinstance(error, Conflict):
        if error.details.get("owner") is None and error.field in UNIQUE_FIELDS:
            return UniquenessException(detail=error.message)
        return ConflictException(detail=error.message)
    if isinstance(error, Invalid):
        return InvalidValueException(detail=f"{error.field}: {error.message}")
    if isinstance(error, PreconditionFailed):  # a stale If-Match, in this door's words
        return PreconditionFailedException(detail=f"{error.message} (If-Match)")
    if isinstance(error, Forbidden):
        return ForbiddenException(detail=error.message)
    return InvalidValueException(detail=error.message)


async def on_scim_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SCIMException)
    return error_response(exc.status, exc.detail, exc.scim_type or None)


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return await on_scim_exception(request, from_domain(exc))


async def on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        allowed = ", ".join(allowed_methods(request, request.app.state.method_routes))
        if request.method == "OPTIONS":  # what the path serves, as its Allow header says
            return Response(status_code=204, headers={"Allow": allowed})
        response = error_response(405, str(exc.detail))
        response.headers["Allow"] = allowed
        return response
    return error_response(exc.status_code, str(exc.detail))


async def on_validation_error(request: Request, exc: Exception) -> Response:
    return await on_scim_exception(request, InvalidSyntaxException(detail=str(exc)))


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal error")


HANDLERS = {
    SCIMException: on_scim_exception,
    DomainError: on_domain_error,
    StarletteHTTPException: on_http_exception,
    RequestValidationError: on_validation_error,
    Exception: on_unexpected,
}
