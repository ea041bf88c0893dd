"""The one place where tenant filtering happens: every ORM statement passes through here.

A session carries the tenant it serves in ``session.info["tenant_id"]`` (set by the unit of
work). Statements on tenant-scoped entities get ``tenant_id = :tenant`` added; a session
that never declared its scope cannot query them at all, so a forgotten filter is an error
rather than a leak.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from syllabus.db.session import TENANT_KEY
from syllabus.domain.base import TenantScoped

ALL_TENANTS = "all_tenants"
"""Execution option that lifts the filter for one statement; grep for it in review."""


class TenantScopeMissing(RuntimeError):
    """A session queried tenant data without saying which tenant it serves."""


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        return  # already constrained by the parent row's identity
    if state.execution_options.get(ALL_TENANTS):
        return  # a deliberate global check, e.g. hostname uniqueness across programs
    info = state.session.info
    if TENANT_KEY not in info:
        if _touches_tenant_data(state):
            raise TenantScopeMissing("session has no tenant scope; use unit_of_work(tenant_id=...)")
        return
    tenant_id = info[TENANT_KEY]
    if tenant_id is None:
        return  # explicitly cross-tenant (tenant creation, key lookup, the worker)
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
        )
    )


def _touches_tenant_data(state: ORMExecuteState) -> bool:
    return any(issubclass(mapper.class_, TenantScoped) for mapper in state.all_mappers)
