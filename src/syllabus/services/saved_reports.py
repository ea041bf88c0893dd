"""Saving advanced report definitions: a name, columns from the catalogue, checked filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.core.lookups import require
from syllabus.core.validation import clean_required_text
from syllabus.domain.courses import Course
from syllabus.domain.groups import Group
from syllabus.domain.reports import SavedReport
from syllabus.domain.users import User
from syllabus.queries.reports_saved import CATALOGUE, FILTERS, ID_FILTERS, LIST_FILTERS
from syllabus.services.events import record_event

_MODELS: dict[str, type[Any]] = {"user_id": User, "course_id": Course, "group_id": Group}


def clean_columns(columns: Sequence[str]) -> list[str]:
    keys = [c.strip().lower() for c in columns if c.strip()]
    if not keys:
        raise Invalid("columns", "choose at least one column")
    unknown = [k for k in keys if k not in CATALOGUE]
    if unknown:
        raise Invalid(
            "columns",
            f"unknown columns {', '.join(unknown)}; choose from {', '.join(CATALOGUE)}",
        )
    if len(set(keys)) != len(keys):
        raise Invalid("columns", "a column is chosen twice")
    return keys


def clean_filters(session: Session, ctx: Context, filters: Mapping[str, Any]) -> dict[str, Any]:
    """Known filters only; ids must be the program's, statuses known values."""
    out: dict[str, Any] = {}
    for name, value in filters.items():
        if name not in FILTERS:
            raise Invalid("filters", f"unknown filter {name}; use {', '.join(FILTERS)}")
        if name in ID_FILTERS:
            try:
                row_id = int(value)
            except (TypeError, ValueError):
                raise Invalid(name, f"{name} must be an id") from None
            require(session, ctx, _MODELS[name], row_id, field=name)
            out[name] = row_id
        else:
            raw = value.split(",") if isinstance(value, str) else list(value)
            values = [str(v).strip().lower() for v in raw if str(v).strip()]
            bad = [v for v in values if v not in LIST_FILTERS[name]]
            if bad or not values:
                raise Invalid(name, f"{name} must be among {', '.join(LIST_FILTERS[name])}")
            out[name] = values
    return out


def create_saved_report(
    session: Session,
    ctx: Context,
    *,
    name: str,
    columns: Sequence[str],
    filters: Mapping[str, Any] | None = None,
) -> SavedReport:
    report = SavedReport(
        tenant_id=ctx.tenant_id,
        name=clean_required_text(name, "name", max_length=255),
        columns=clean_columns(columns),
        filters=clean_filters(session, ctx, filters or {}),
    )
    session.add(report)
    session.flush()
    record_event(
        session, ctx, "saved_report.created", {"saved_report_id": report.id, "name": report.name}
    )
    return report
