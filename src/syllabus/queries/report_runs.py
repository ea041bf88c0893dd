"""Asynchronous report runs: a ``report.generate`` job per request, its file under the data dir.

The job row is the run's record (status, attempts, result), so a run needs no table of its
own; its payload carries the report's parameters and the secret that signs its download links.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Forbidden, NotFound
from syllabus.core.lookups import possible_id
from syllabus.domain.jobs import Job, JobStatus

JOB_KIND = "report.generate"
LINK_SECONDS = 3600
STATUS = {
    JobStatus.QUEUED: "queued",
    JobStatus.RUNNING: "running",
    JobStatus.DONE: "done",
    JobStatus.DEAD: "failed",
}


@dataclass(frozen=True, slots=True)
class ReportRun:
    id: int
    tenant_id: int
    status: str
    report_type: str
    format: str
    secret: str
    created_at: datetime
    finished_at: datetime | None
    error: str | None

    @property
    def filename(self) -> str:
        return f"{self.report_type}-{self.id}.{self.format}"


def report_file_path(data_dir: Path, tenant_id: int, run_id: int, fmt: str) -> Path:
    return data_dir / "reports" / str(tenant_id) / f"{run_id}.{fmt}"


def _run(job: Job) -> ReportRun:
    payload: dict[str, Any] = job.payload or {}
    assert job.tenant_id is not None
    return ReportRun(
        id=job.id,
        tenant_id=job.tenant_id,
        status=STATUS[job.status],
        report_type=str(payload.get("report_type", "")),
        format=str(payload.get("format", "csv")),
        secret=str(payload.get("secret", "")),
        created_at=job.created_at,
        finished_at=job.finished_at,
        error=job.last_error if job.status is JobStatus.DEAD else None,
    )


def get_report_run(session: Session, ctx: Context, run_id: int) -> ReportRun | None:
    """The program's run ``run_id``; another program's or another kind of job is None."""
    if not possible_id(run_id):
        return None
    job = session.scalars(
        select(Job).where(Job.id == run_id, Job.tenant_id == ctx.tenant_id, Job.kind == JOB_KIND)
    ).first()
    return None if job is None else _run(job)


def sign_run(run_id: int, secret: str, expires: int) -> str:
    message = f"report:{run_id}:{expires}".encode()
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).hexdigest()


def link_expiry() -> int:
    return int(utcnow().timestamp()) + LINK_SECONDS


def run_for_link(session: Session, *, run_id: int, expires: int, signature: str) -> ReportRun:
    """The finished run a signed link names, across programs (the link is the credential)."""
    job = (
        session.scalars(select(Job).where(Job.id == run_id, Job.kind == JOB_KIND)).first()
        if possible_id(run_id)
        else None
    )
    if job is None or job.tenant_id is None:
        raise NotFound("report", [run_id], field="process_queue_item_id")
    run = _run(job)
    if not run.secret or not hmac.compare_digest(sign_run(run.id, run.secret, expires), signature):
        raise Forbidden("the download link is not valid", field="signature")
    if expires < int(utcnow().timestamp()):
        raise Forbidden("the download link has expired", field="expires")
    if run.status != "done":
        raise NotFound("report file", [run_id], field="process_queue_item_id")
    return run
