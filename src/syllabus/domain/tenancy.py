"""The one place where tenant filtering happens: every ORM statement passes through here.

A session carries the tenant it serves in ``session.info["tenant_id"]`` (set by the unit of
work). Statements on tenant-scoped entities get ``tenant_id = :tenant`` added; a session
that never declared its scope cannot query them at all, so a forgotten filter is an error
rather than a leak.
"""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, Select, bindparam, event, select
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


# --- Core reads ---------------------------------------------------------------------------
# The query layer's fast paths bypass the ORM. They go through here too: a statement made by
# ``scoped_select`` filters on the ``scope_tenant_id`` parameter, and ``execute_scoped`` both
# fills it from the session's scope and refuses any statement that lacks it.

TENANT_PARAM = "scope_tenant_id"
NO_TENANT = 0
"""No program has id 0: binding it makes a query find nothing."""
_VERIFIED: weakref.WeakKeyDictionary[Select[Any], bool] = weakref.WeakKeyDictionary()


def scoped_select(model: type[TenantScoped], *columns: ColumnElement[Any]) -> Select[Any]:
    """A Core select on a tenant table (all its columns unless given), limited to one tenant."""
    table = model.__table__  # type: ignore[attr-defined]
    return select(*(columns or tuple(table.c))).where(table.c.tenant_id == bindparam(TENANT_PARAM))


def execute_scoped(
    session: Session,
    tenant_id: int,
    statement: Select[Any],
    params: dict[str, Any] | None = None,
) -> CursorResult[Any]:
    """Run a Core read for ``tenant_id``; build the statements once, at import time.

    As with ORM queries, the session's own scope still applies: a session scoped to
    another program sees nothing, and a session that declared no scope cannot read.
    """
    if TENANT_KEY not in session.info:
        raise TenantScopeMissing("session has no tenant scope; use unit_of_work(tenant_id=...)")
    scope = session.info[TENANT_KEY]
    if statement not in _VERIFIED:
        if TENANT_PARAM not in statement.compile().binds:
            raise TenantScopeMissing("statement is not tenant-scoped; build it with scoped_select")
        _VERIFIED[statement] = True
    if scope is not None and scope != tenant_id:
        tenant_id = NO_TENANT
    bound = {TENANT_PARAM: tenant_id} if params is None else {**params, TENANT_PARAM: tenant_id}
    return session.connection().execute(statement, bound)
