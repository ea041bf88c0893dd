"""The worker's housekeeping: finished jobs and report files do not pile up forever.

A finished job row is only read to answer "how did my run go?" (report runs, bulk-create
results), so it is deleted once its retention has passed. Report files are much larger than
their rows and expire sooner; a report run past its retention answers 404 like an unknown one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from syllabus.core.clock import utcnow
from syllabus.db.session import unit_of_work
from syllabus.delivery.feed import Periodic
from syllabus.delivery.worker import Worker
from syllabus.domain.jobs import Job, JobStatus
from syllabus.queries.report_runs import JOB_KIND as REPORT_JOB
from syllabus.queries.report_runs import report_file_path

log = logging.getLogger("syllabus.housekeeping")

PRUNE_BATCH = 1000
FINISHED = (JobStatus.DONE, JobStatus.DEAD)


@dataclass
class JobPruner(Periodic):
    factory: sessionmaker[Session]
    job_retention: timedelta = timedelta(days=30)
    report_retention: timedelta = timedelta(days=7)

    def prune(self) -> int:
        """Delete up to one batch of finished jobs past their retention, report files first:
        a file left behind by a failed transaction would never be found again, while a row
        left without its file answers 404 and is deleted on the next pass."""
        now = utcnow()
        with unit_of_work(self.factory, tenant_id=None) as session:
            expired = session.execute(
                select(Job.id, Job.tenant_id, Job.kind, Job.payload)
                .where(
                    Job.status.in_(FINISHED),
                    or_(
                        Job.finished_at < now - self.job_retention,
                        (Job.kind == REPORT_JOB) & (Job.finished_at < now - self.report_retention),
                    ),
                )
                .order_by(Job.id)
                .limit(PRUNE_BATCH)
            ).all()
            for job_id, tenant_id, kind, payload in expired:
                if kind == REPORT_JOB and tenant_id is not None:
                    _remove_report_file(tenant_id, job_id, payload or {})
            if expired:
                session.execute(delete(Job).where(Job.id.in_([row.id for row in expired])))
            return len(expired)


def _remove_report_file(tenant_id: int, job_id: int, payload: dict[str, Any]) -> None:
    """The file where the run wrote it (its payload names the data dir of that server)."""
    if not payload.get("data_dir"):
        return
    path = report_file_path(
        Path(payload["data_dir"]), tenant_id, job_id, str(payload.get("format", ""))
    )
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.warning("could not remove expired report file %s", path, exc_info=True)


def attach_housekeeping(
    worker: Worker, *, job_retention_days: float, report_retention_days: float
) -> JobPruner:
    """Give a worker the job pruner (``serve``'s embedded worker and ``syllabus worker``)."""
    pruner = JobPruner(
        worker.factory,
        job_retention=timedelta(days=job_retention_days),
        report_retention=timedelta(days=min(report_retention_days, job_retention_days)),
    )
    worker.extra_passes.append(pruner.run_pass)
    return pruner
