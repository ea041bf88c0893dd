"""Background job: registering up to 1,000 users on a domain (Skilljar's bulk-create).

The request was validated before it was queued; here each row is created, added (an existing
email) or reported, and the per-row outcome is kept as the job's result for the API to show.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.fields import UNSET
from syllabus.delivery.registry import registry
from syllabus.domain.events import Surface
from syllabus.domain.jobs import Job
from syllabus.services.domain_users import MembershipSettings, register_domain_users
from syllabus.services.user_fields import UserData

BULK_CREATE_DOMAIN_USERS = "domain_users.bulk_create"


def _row(values: dict[str, Any]) -> tuple[UserData, MembershipSettings]:
    data = UserData(
        email=values["email"],
        first_name=values.get("first_name") or "",
        last_name=values.get("last_name") or "",
    )
    expires = values.get("expires_at", UNSET)
    settings = MembershipSettings(
        active=values.get("active", UNSET),
        marketing_optin=values.get("marketing_optin", UNSET),
        expires_at=datetime.fromisoformat(expires) if isinstance(expires, str) else expires,
    )
    return data, settings


@registry.job(BULK_CREATE_DOMAIN_USERS)
def bulk_create_domain_users(session: Session, job: Job) -> dict[str, Any]:
    payload = job.payload
    assert job.tenant_id is not None
    ctx = Context(job.tenant_id, payload.get("actor", "worker"), Surface.SKILLJAR)
    rows = [_row(values) for values in payload["rows"]]
    result = register_domain_users(session, ctx, domain_id=payload["domain_id"], users=rows)
    outcomes: list[dict[str, Any]] = [{} for _ in rows]
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
