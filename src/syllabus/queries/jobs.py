"""Background jobs as their program sees them: one job by id, its status and result."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import possible_id
from syllabus.domain.jobs import Job


def program_job(session: Session, ctx: Context, job_id: int, kind: str) -> Job | None:
    """One of the program's jobs of this kind (another program's looks unknown)."""
    if not possible_id(job_id):
        return None
    return session.scalars(
        select(Job).where(Job.id == job_id, Job.tenant_id == ctx.tenant_id, Job.kind == kind)
    ).first()
