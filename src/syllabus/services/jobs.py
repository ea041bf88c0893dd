"""Queueing background work in the caller's transaction, so it exists only if the change does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.validation import clean_required_text
from syllabus.domain.jobs import Job, JobStatus

DEFAULT_MAX_ATTEMPTS = 10


def enqueue_job(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any],
    tenant_id: int | None,
    run_after: datetime | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Job:
    job = Job(
        tenant_id=tenant_id,
        kind=clean_required_text(kind, "kind", max_length=64),
        payload=payload,
        status=JobStatus.QUEUED,
        attempts=0,
        max_attempts=max_attempts,
        run_after=run_after or utcnow(),
    )
    session.add(job)
    session.flush()
    return job
