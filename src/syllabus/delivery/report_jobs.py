"""The worker's side of asynchronous reports: run the report, write its file atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from syllabus.core.context import Context, Surface
from syllabus.delivery.registry import registry
from syllabus.domain.jobs import Job
from syllabus.queries.report_files import write_file
from syllabus.queries.report_runs import JOB_KIND, report_file_path
from syllabus.queries.reports import report_batches, report_type


@registry.job(JOB_KIND)
def generate_report(session: Session, job: Job) -> dict[str, Any]:
    """Write the report named in the payload to its place under the data dir.

    A rerun (after a crash) rewrites the same path; readers only ever see a whole file.
    """
    payload = job.payload
    assert job.tenant_id is not None
    ctx = Context(job.tenant_id, "worker", Surface.WORKER)
    kind = report_type(str(payload["report_type"]))
    fmt = str(payload["format"])
    params = {str(k): int(v) for k, v in dict(payload["params"]).items()}
    target = report_file_path(Path(payload["data_dir"]), job.tenant_id, job.id, fmt)
    batches = report_batches(session, ctx, kind, params)
    zone = ZoneInfo(str(payload["time_zone"]) or "UTC")
    write_file(target, fmt, kind.header, batches, zone, kind.kinds)
    return {"file": target.name, "bytes": target.stat().st_size}
