"""Job pruning against real databases: expired finished jobs and their report files go,
everything still running or recent stays."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from syllabus.core.clock import utcnow
from syllabus.core.context import Surface
from syllabus.db.session import unit_of_work
from syllabus.delivery.housekeeping import JobPruner, attach_housekeeping
from syllabus.delivery.worker import Worker
from syllabus.domain.jobs import Job, JobStatus
from syllabus.queries.report_runs import JOB_KIND as REPORT_JOB
from syllabus.queries.report_runs import report_file_path
from syllabus.services.jobs import enqueue_job
from syllabus.services.tenants import NewTenant, create_tenant


@pytest.fixture
def tenant_id(factory: sessionmaker[Session]) -> int:
    with unit_of_work(factory, tenant_id=None) as session:
        tenant = create_tenant(
            session, data=NewTenant(acct_key="housekeeping"), actor="test", surface=Surface.CLI
        )
        return tenant.id


def _job(
    factory: sessionmaker[Session],
    *,
    kind: str,
    tenant_id: int,
    status: JobStatus,
    finished_days_ago: float | None,
    data_dir: Path,
) -> int:
    with unit_of_work(factory, tenant_id=None) as session:
        job = enqueue_job(
            session,
            kind=kind,
            payload={"data_dir": str(data_dir), "format": "csv"},
            tenant_id=tenant_id,
        )
        session.flush()
        finished = (
            None if finished_days_ago is None else utcnow() - timedelta(days=finished_days_ago)
        )
        session.execute(
            update(Job).where(Job.id == job.id).values(status=status, finished_at=finished)
        )
        return job.id


def _report_file(data_dir: Path, tenant_id: int, job_id: int) -> Path:
    path = report_file_path(data_dir, tenant_id, job_id, "csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("id,name\n1,a\n")
    return path


def _remaining(factory: sessionmaker[Session]) -> set[int]:
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        return set(session.scalars(select(Job.id)))


def test_expired_jobs_and_report_files_are_pruned_and_the_rest_kept(
    factory: sessionmaker[Session], tenant_id: int, tmp_path: Path
) -> None:
    def job(kind: str, status: JobStatus, days: float | None) -> int:
        return _job(
            factory,
            kind=kind,
            tenant_id=tenant_id,
            status=status,
            finished_days_ago=days,
            data_dir=tmp_path,
        )

    old_report = job(REPORT_JOB, JobStatus.DONE, 8)
    fresh_report = job(REPORT_JOB, JobStatus.DONE, 1)
    job("domain_users.bulk_create", JobStatus.DONE, 31)
    week_old_bulk = job("domain_users.bulk_create", JobStatus.DONE, 8)
    job("anything", JobStatus.DEAD, 40)
    running = job(REPORT_JOB, JobStatus.RUNNING, None)
    queued = job("anything", JobStatus.QUEUED, None)
    old_file = _report_file(tmp_path, tenant_id, old_report)
    fresh_file = _report_file(tmp_path, tenant_id, fresh_report)

    pruner = JobPruner(factory)
    assert pruner.prune() == 3

    assert _remaining(factory) == {fresh_report, week_old_bulk, running, queued}
    assert not old_file.exists()
    assert fresh_file.exists()
    assert pruner.prune() == 0


def test_a_missing_report_file_does_not_stop_the_row_being_pruned(
    factory: sessionmaker[Session], tenant_id: int, tmp_path: Path
) -> None:
    gone = _job(
        factory,
        kind=REPORT_JOB,
        tenant_id=tenant_id,
        status=JobStatus.DEAD,
        finished_days_ago=10,
        data_dir=tmp_path / "never-written",
    )
    assert JobPruner(factory).prune() == 1
    assert gone not in _remaining(factory)


def test_the_worker_runs_the_pruner_at_most_every_interval(
    factory: sessionmaker[Session], tenant_id: int, tmp_path: Path
) -> None:
    worker = Worker(factory, poll_seconds=0.01)
    pruner = attach_housekeeping(worker, job_retention_days=30, report_retention_days=7)
    assert pruner.run_pass in worker.extra_passes
    _job(
        factory,
        kind=REPORT_JOB,
        tenant_id=tenant_id,
        status=JobStatus.DONE,
        finished_days_ago=9,
        data_dir=tmp_path,
    )
    assert pruner.run_pass() == 1
    second = _job(
        factory,
        kind=REPORT_JOB,
        tenant_id=tenant_id,
        status=JobStatus.DONE,
        finished_days_ago=9,
        data_dir=tmp_path,
    )
    assert pruner.run_pass() == 0, "a second pass within the interval does nothing"
    assert _remaining(factory) == {second}
