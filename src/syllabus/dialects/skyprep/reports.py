"""get_report, generate_async_report and get_async_report: SkyPrep's reports as files.

``get_report`` streams the file itself (CSV by default, or XLSX). ``generate_async_report``
queues a ``report.generate`` job and answers a ``status_url`` on this server
(``/admin/api/get_async_report?process_queue_item_id=N``), polled with the same api_key and
acct_key as any action (never in the URL); when the run is done it answers a signed
``download_url`` that works for an hour with no key. Another program's run is 404.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from syllabus.core.errors import DomainError, Invalid, NotFound
from syllabus.core.fields import is_set
from syllabus.db.session import unit_of_work
from syllabus.dialects.responses import JSONResponse
from syllabus.dialects.skyprep.actions import Action, Call, action
from syllabus.dialects.skyprep.errors import error_body
from syllabus.dialects.skyprep.params import Params, parse_id, parse_text
from syllabus.dialects.skyprep.render import load_program
from syllabus.queries.report_checks import check_report
from syllabus.queries.report_files import (
    FORMATS,
    MEDIA_TYPES,
    Batches,
    csv_chunks,
    file_chunks,
    write_xlsx,
)
from syllabus.queries.report_runs import (
    JOB_KIND,
    ReportRun,
    get_report_run,
    link_expiry,
    report_file_path,
    run_for_link,
    sign_run,
)
from syllabus.queries.reports import ReportType, report_batches, report_type
from syllabus.services.jobs import enqueue_job

DOWNLOAD_PATH = "/reports/download"
ANY_FORMAT = frozenset({"csv", "xlsx", "json", "xml"})
"""Report actions read ``format`` themselves: it names the file, not the answer."""
ID_PARAMS = ("user_id", "course_id", "group_id", "exam_id")
NO_STORE = {"Cache-Control": "private, no-store"}
ASYNC_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class FileStream:
    """A file answered as it is produced, read in a read-only unit of work of its own."""

    tenant_id: int
    filename: str
    media_type: str
    chunks: Callable[[Session], Iterator[bytes]]

    def headers(self) -> dict[str, str]:
        return {"Content-Disposition": f'attachment; filename="{self.filename}"', **NO_STORE}


def file_format_passes(spec: Action | None, params: dict[str, Any]) -> bool:
    """Whether ``format`` is the action's file format, left in ``params`` for its handler."""
    if spec is None or not spec.file_formats:
        return False
    value = params.get("format")
    if isinstance(value, list):
        value = value[0] if value else None
    return isinstance(value, str) and value.strip().lower() in spec.file_formats


def answer_format(params: dict[str, Any]) -> str:
    """What a file action answers in when the answer is not its file (its errors, the async
    status): ``xml`` when ``format=xml`` asked for it, as every other action does, else json."""
    value = params.get("format")
    if isinstance(value, list):
        value = value[0] if value else None
    return "xml" if isinstance(value, str) and value.strip().lower() == "xml" else "json"


def file_format(params: Params) -> str:
    """``format``: csv (the default) or xlsx."""
    value = params.text("format")
    fmt = (value if is_set(value) and value else "csv").strip().lower() or "csv"
    if fmt not in FORMATS:
        raise Invalid("format", "format must be csv or xlsx")
    return fmt


def _report_request(session: Session, call: Call) -> tuple[ReportType, dict[str, int], str]:
    params = Params(call.params)
    name = params.text("report_type")
    if not is_set(name) or not name or not name.strip():
        raise Invalid("report_type", "report_type is required")
    kind = report_type(name)
    fmt = file_format(params)
    ids: dict[str, int | None] = {}
    for field in ID_PARAMS:
        value = params.id(field)
        ids[field] = value if is_set(value) else None
    return kind, check_report(session, call.ctx, kind, ids), fmt


def xlsx_chunks(header: Sequence[str], batches: Batches, zone: ZoneInfo) -> Iterator[bytes]:
    """XLSX is a zip, finished only at the end: write a temporary file, then send it."""
    handle, name = tempfile.mkstemp(prefix="syllabus-report-", suffix=".xlsx")
    os.close(handle)
    path = Path(name)
    try:
        write_xlsx(path, header, batches, zone)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    yield from file_chunks(path, remove=True)


@action("get_report", read_only=True, file_formats=ANY_FORMAT)
def get_report(session: Session, call: Call) -> FileStream:
    """The report, streamed as it is read: CSV by default, XLSX with ``format=xlsx``."""
    kind, ids, fmt = _report_request(session, call)
    ctx = call.ctx
    zone = load_program(call.acct_key, call.time_zone).zone
    kinds = kind.kinds

    def chunks(stream_session: Session) -> Iterator[bytes]:
        batches = report_batches(stream_session, ctx, kind, ids)
        if fmt == "xlsx":
            return xlsx_chunks(kind.header, batches, zone)
        return csv_chunks(kind.header, batches, zone, kinds)

    return FileStream(ctx.tenant_id, f"{kind.name}.{fmt}", MEDIA_TYPES[fmt], chunks)


@action("generate_async_report", file_formats=ANY_FORMAT)
def generate_async_report(session: Session, call: Call) -> dict[str, Any]:
    """Queue the report; the answer's ``status_url`` tells when its file is ready."""
    kind, ids, fmt = _report_request(session, call)
    if call.data_dir is None:
        raise Invalid("report_type", "this server keeps no files; use get_report")
    job = enqueue_job(
        session,
        kind=JOB_KIND,
        tenant_id=call.ctx.tenant_id,
        max_attempts=ASYNC_ATTEMPTS,
        payload={
            "report_type": kind.name,
            "format": fmt,
            "params": ids,
            "time_zone": load_program(call.acct_key, call.time_zone).zone.key,
            "data_dir": str(call.data_dir),
            "secret": secrets.token_hex(32),
        },
    )
    return {
        "status_url": f"{call.origin}/admin/api/get_async_report?process_queue_item_id={job.id}"
    }


def run_json(run: ReportRun, call: Call) -> dict[str, Any]:
    program = load_program(call.acct_key, call.time_zone)
    out: dict[str, Any] = {
        "process_queue_item_id": run.id,
        "status": run.status,
        "report_type": run.report_type,
        "format": run.format,
        "created_at": program.local(run.created_at),
        "finished_at": program.local(run.finished_at),
    }
    if run.status == "done":
        expires = link_expiry()
        signature = sign_run(run.id, run.secret, expires)
        out["download_url"] = (
            f"{call.origin}{DOWNLOAD_PATH}/{run.id}?expires={expires}&signature={signature}"
        )
    if run.status == "failed":
        out["error"] = run.error
    return out


@action("get_async_report", read_only=True)
def get_async_report(session: Session, call: Call) -> dict[str, Any]:
    """A queued report's status (queued, running, done, failed) and, when done, its link."""
    run_id = Params(call.params).required_id("process_queue_item_id")
    run = get_report_run(session, call.ctx, run_id)
    if run is None:
        raise NotFound("report", [run_id], field="process_queue_item_id")
    return run_json(run, call)


# --- The download route -----------------------------------------------------------------------


def _signed(factory: sessionmaker[Session], run_id: int, request: Request) -> ReportRun:
    raw = parse_text(request.query_params.get("expires"), "expires") or ""
    try:
        expires = int(raw)
    except ValueError:
        raise Invalid("expires", "expires must be a Unix time") from None
    signature = request.query_params.get("signature", "")
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        return run_for_link(session, run_id=run_id, expires=expires, signature=signature)


async def download(request: Request) -> Response:
    """A finished report's file, from the data dir, for a valid signed link."""
    factory = request.app.state.session_factory
    try:
        run_id = parse_id(request.path_params["run_id"], "process_queue_item_id")
        run = await run_in_threadpool(_signed, factory, run_id, request)
        path = report_file_path(
            request.app.state.settings.data_dir, run.tenant_id, run.id, run.format
        )
        if not path.is_file():
            raise NotFound("report file", [run_id], field="process_queue_item_id")
    except DomainError as error:
        status, body = error_body(error)
        return JSONResponse(body, status_code=status)
    return FileResponse(
        path, media_type=MEDIA_TYPES[run.format], filename=run.filename, headers=NO_STORE
    )


routes = [Route(DOWNLOAD_PATH + "/{run_id}", download, methods=["GET", "HEAD"])]
