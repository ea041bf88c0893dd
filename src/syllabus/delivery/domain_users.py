"""Background job: registering up to 1,000 users on a domain (Skilljar's bulk-create).

The import was validated when it was started (services/domain_user_imports.py); here its rows
are registered and the per-row outcome is kept as the job's result for the API to show.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.context import Context, Surface
from syllabus.delivery.registry import registry
from syllabus.domain.jobs import Job
from syllabus.services.domain_user_imports import (
    IMPORT_DOMAIN_USERS_JOB,
    DomainUserImport,
    run_domain_user_import,
)


@registry.job(IMPORT_DOMAIN_USERS_JOB)
def bulk_create_domain_users(session: Session, job: Job) -> dict[str, Any]:
    request = DomainUserImport.from_payload(job.payload)
    assert job.tenant_id is not None
    ctx = Context(job.tenant_id, request.actor, Surface.SKILLJAR)
    result = run_domain_user_import(session, ctx, request=request)
    outcomes: list[dict[str, Any]] = [{} for _ in request.users]
    for index, user_id in result.created:
        outcomes[index] = {"status": "created", "user_id": user_id}
    for index, user_id in result.added:
        outcomes[index] = {"status": "added", "user_id": user_id}
    for error in result.errors:
        outcomes[error.index] = {"status": "error", "field": error.field, "message": error.message}
    return {
        "created": len(result.created),
        "added": len(result.added),
        "failed": len(result.errors),
        "rows": outcomes,
    }
