"""get_saved_advanced_reports and get_saved_advanced_report: saved definitions, run live.

``get_saved_advanced_report`` answers the definition with its ``columns`` (labels) and
``rows``; with ``format=csv`` (or ``xlsx``) it streams the rows as a file instead. The
definition's ``csv_url``/``xlsx_url`` point back at that action on this server (send the
api_key and acct_key with them, as with any action).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import orjson
from sqlalchemy.orm import Session

from syllabus.core.errors import NotFound
from syllabus.dialects.skyprep.actions import Call, action
from syllabus.dialects.skyprep.courses import epoch
from syllabus.dialects.skyprep.params import Params
from syllabus.dialects.skyprep.render import Program, load_program
from syllabus.dialects.skyprep.reports import FileStream, file_format, xlsx_chunks
from syllabus.queries.report_files import MEDIA_TYPES, csv_chunks
from syllabus.queries.reports_saved import (
    SavedReportRow,
    get_saved_report,
    list_saved_reports,
    saved_report_batches,
)

FILE_FORMATS = frozenset({"csv", "xlsx"})


def _digest(report: SavedReportRow) -> str:
    body = orjson.dumps(
        {"columns": report.columns, "filters": report.filters}, option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(body).hexdigest()[:32]


def saved_report_json(report: SavedReportRow, program: Program, origin: str) -> dict[str, Any]:
    base = f"{origin}/admin/api/get_saved_advanced_report?saved_advanced_report_id={report.id}"
    return {
        "created_at": program.local(report.created_at),
        "created_at_int": epoch(report.created_at),
        "updated_at": program.local(report.updated_at),
        "updated_at_int": epoch(report.updated_at),
        "id": report.id,
        "saved_advanced_report_id": report.id,
        "model_type": "saved_advanced_report",
        "xlsx_url": f"{base}&format=xlsx",
        "csv_url": f"{base}&format=csv",
        "report_params_digest": _digest(report),
        "saved_report_type": "saved_report_with_data",
        "name": report.name,
    }


@action("get_saved_advanced_reports", read_only=True)
def get_saved_advanced_reports(session: Session, call: Call) -> list[dict[str, Any]]:
    program = load_program(call.acct_key, call.time_zone)
    return [
        saved_report_json(r, program, call.origin) for r in list_saved_reports(session, call.ctx)
    ]


def _cell(value: Any, program: Program) -> Any:
    if hasattr(value, "astimezone"):
        return program.local(value)
    return value.value if hasattr(value, "value") else value


@action("get_saved_advanced_report", read_only=True, file_formats=FILE_FORMATS)
def get_saved_advanced_report(session: Session, call: Call) -> Any:
    params = Params(call.params)
    report_id = params.required_id("saved_advanced_report_id")
    report = get_saved_report(session, call.ctx, report_id)
    if report is None:
        raise NotFound("saved advanced report", [report_id], field="saved_advanced_report_id")
    program = load_program(call.acct_key, call.time_zone)
    ctx = call.ctx
    if "format" in params:
        fmt = file_format(params)

        def chunks(stream_session: Session) -> Iterator[bytes]:
            batches = saved_report_batches(stream_session, ctx, report)
            if fmt == "csv":
                return csv_chunks(report.labels, batches, program.zone, report.kinds)
            return xlsx_chunks(report.labels, batches, program.zone)

        filename = f"saved-report-{report.id}.{fmt}"
        return FileStream(ctx.tenant_id, filename, MEDIA_TYPES[fmt], chunks)
    out = saved_report_json(report, program, call.origin)
    out["columns"] = report.labels
    out["rows"] = [
        [_cell(v, program) for v in row]
        for batch in saved_report_batches(session, ctx, report)
        for row in batch
    ]
    return out
