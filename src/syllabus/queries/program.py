"""A program's facts and record counts: one statement, each count on a tenant-first index."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, Row, bindparam, func, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.domain.courses import Course
from syllabus.domain.groups import Group
from syllabus.domain.learning_paths import LearningPath
from syllabus.domain.tenancy import TENANT_PARAM, execute_scoped
from syllabus.domain.tenants import Tenant
from syllabus.domain.users import Role, User

_tenant: BindParameter[int] = bindparam(TENANT_PARAM)


def _count(model: type[Any], *conditions: Any) -> Any:
    table = model.__table__
    return (
        select(func.count())
        .select_from(table)
        .where(table.c.tenant_id == _tenant, *conditions)
        .scalar_subquery()
    )


_users = User.__table__.c
_tenants = Tenant.__table__.c
COUNTS = {
    "users_count": _count(User),
    "admin_count": _count(User, _users.role == Role.ADMIN.value),
    "learner_count": _count(User, _users.role == Role.LEARNER.value),
    "manager_count": _count(User, _users.role == Role.MANAGER.value),
    "courses_count": _count(Course),
    "user_groups_count": _count(Group),
    "learning_paths_count": _count(LearningPath),
}
_PROGRAM = select(
    _tenants.name,
    _tenants.acct_key,
    _tenants.created_at,
    _tenants.updated_at,
    *(count.label(name) for name, count in COUNTS.items()),
).where(_tenants.id == _tenant)

ProgramRow = Row[Any]
"""name, acct_key, created_at, updated_at and every count of COUNTS by name."""


def get_program(session: Session, ctx: Context) -> ProgramRow:
    row = execute_scoped(session, ctx.tenant_id, _PROGRAM).first()
    assert row is not None  # the caller's own program
    return row


def get_count(session: Session, ctx: Context, name: str) -> int:
    """One of COUNTS for the program (raises KeyError for other names)."""
    statement = _STATEMENTS[name]
    return int(execute_scoped(session, ctx.tenant_id, statement).scalar_one())


_STATEMENTS = {name: select(count) for name, count in COUNTS.items()}
