"""The one table from domain error codes to SkyPrep's wire errors."""

from __future__ import annotations

from typing import Any

from syllabus.core.errors import DomainError

STATUS_BY_CODE = {
    "invalid": 400,
    "bulk_rejected": 400,
    "not_found": 404,
    "conflict": 409,
    "forbidden": 403,
    "precondition_failed": 412,
    "unauthorized": 401,
}


class Unauthorized(DomainError):
    code = "unauthorized"


def error_body(error: DomainError) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"message": error.message, "field": error.field}
    rows = getattr(error, "rows", None)
    if rows:
        body["errors"] = [
            {"row": r.index, "field": r.field, "code": r.code, "message": r.message} for r in rows
        ]
    return STATUS_BY_CODE.get(error.code, 400), body
