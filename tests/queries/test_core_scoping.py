"""Core reads go through the same tenant rule as ORM queries, or they do not run at all."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.db.session import TENANT_KEY
from syllabus.domain.tenancy import TenantScopeMissing, execute_scoped, scoped_select
from syllabus.domain.users import User
from tests.factories import make_tenant, make_user


def test_a_statement_without_the_tenant_filter_is_refused(session: Session) -> None:
    _, ctx = make_tenant(session)
    make_user(session, ctx)
    unscoped = select(User.__table__.c.id)
    with pytest.raises(TenantScopeMissing):
        execute_scoped(session, ctx.tenant_id, unscoped)  # type: ignore[arg-type]


def test_a_session_without_a_scope_cannot_read(session: Session) -> None:
    _, ctx = make_tenant(session)
    del session.info[TENANT_KEY]
    with pytest.raises(TenantScopeMissing):
        execute_scoped(session, ctx.tenant_id, scoped_select(User))


def test_scoped_reads_see_one_program_only(session: Session) -> None:
    _, mine = make_tenant(session)
    _, theirs = make_tenant(session)
    me = make_user(session, mine)
    make_user(session, theirs)
    statement = scoped_select(User, User.__table__.c.id)
    assert [r.id for r in execute_scoped(session, mine.tenant_id, statement)] == [me.id]
    session.info[TENANT_KEY] = theirs.tenant_id  # a session of the other program
    assert execute_scoped(session, mine.tenant_id, statement).all() == []
