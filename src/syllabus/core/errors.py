"""Typed domain errors: a stable code and structured fields, no HTTP status.

Each dialect maps these to its own wire form in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class NotFound(DomainError):
    """Unknown ids and other tenants' ids look the same."""

    code = "not_found"

    def __init__(
        self, entity: str, ids: Iterable[object] = (), *, field: str | None = None
    ) -> None:
        id_list = sorted({str(i) for i in ids})
        shown = ", ".join(id_list[:20]) + (" ..." if len(id_list) > 20 else "")
        suffix = f": {shown}" if id_list else ""
        super().__init__(f"{entity} not found{suffix}", field=field, entity=entity, ids=id_list)
        self.entity = entity
        self.ids = id_list


class NotFoundMany(NotFound):
    """Unknown ids of one or more kinds, all named (an all-or-nothing bulk call's answer).

    ``missing`` maps each parameter to its entity and every unknown id, in the order given;
    ``field``, ``entity`` and ``ids`` describe the first kind.
    """

    def __init__(self, missing: dict[str, tuple[str, Sequence[object]]]) -> None:
        parts = [
            f"{entity} not found: {', '.join(str(i) for i in ids)}"
            for entity, ids in missing.values()
        ]
        field, (entity, ids) = next(iter(missing.items()))
        DomainError.__init__(self, "; ".join(parts), field=field, missing=missing)
        self.entity = entity
        self.ids = [str(i) for i in ids]
        self.missing = {name: [str(i) for i in found[1]] for name, found in missing.items()}


class Conflict(DomainError):
    code = "conflict"


class Invalid(DomainError):
    code = "invalid"

    def __init__(self, field: str, message: str, **details: Any) -> None:
        super().__init__(message, field=field, **details)


class Forbidden(DomainError):
    code = "forbidden"


class PreconditionFailed(DomainError):
    """An optimistic-concurrency check (ETag/version) did not match."""

    code = "precondition_failed"


@dataclass(frozen=True)
class RowError:
    """Why one row of a bulk operation was not applied."""

    index: int
    field: str | None
    code: str
    message: str


class BulkRejected(DomainError):
    """An all-or-nothing bulk operation found bad rows; nothing was written."""

    code = "bulk_rejected"

    def __init__(self, rows: Sequence[RowError]) -> None:
        first = rows[0] if rows else None
        summary = f"{len(rows)} row(s) rejected"
        if first is not None:
            summary += f"; row {first.index}: {first.message}"
        super().__init__(summary, field=first.field if first else None)
        self.rows = list(rows)
