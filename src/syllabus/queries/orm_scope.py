"""The tenant rule for the queries that read ORM entities (SCIM's users and groups).

Core reads bind ``ctx.tenant_id`` themselves (``execute_scoped``); ORM reads are filtered by
the session's own scope (``domain/tenancy.py``). So that ``(session, ctx)`` means the same
thing for both, an ORM read first checks that the session serves the context's program: a
cross-tenant or foreign session would otherwise read other programs' rows.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.db.session import TENANT_KEY
from syllabus.domain.tenancy import TenantScopeMissing


def check_scope(session: Session, ctx: Context) -> None:
    if session.info.get(TENANT_KEY) != ctx.tenant_id:
        raise TenantScopeMissing(f"session is not scoped to program {ctx.tenant_id}")
