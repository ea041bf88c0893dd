"""Starting a bulk import of domain users, and the worker's half of it. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import BulkRejected, NotFound
from syllabus.domain.jobs import Job, JobStatus
from syllabus.domain.tenants import Domain, DomainMembership
from syllabus.services.domain_user_imports import (
    IMPORT_DOMAIN_USERS_JOB,
    DomainUserImport,
    ImportedUser,
    run_domain_user_import,
    start_domain_user_import,
)
from syllabus.services.domain_users import MembershipSettings
from tests.factories import make_tenant, make_user


def _domain(session: Session, ctx: Context) -> int:
    found = session.scalar(select(Domain.id).where(Domain.tenant_id == ctx.tenant_id))
    assert found is not None
    return found


def _jobs(session: Session, ctx: Context) -> list[Job]:
    return list(session.scalars(select(Job).where(Job.tenant_id == ctx.tenant_id)))


def test_starting_queues_one_job_whose_input_reads_back(session: Session) -> None:
    _, ctx = make_tenant(session)
    domain_id = _domain(session, ctx)
    expires = datetime(2027, 1, 1, tzinfo=UTC)
    users = [
        ImportedUser(email="a@example.com", first_name="A"),
        ImportedUser(
            email="b@example.com",
            settings=MembershipSettings(active=False, expires_at=expires),
        ),
    ]

    job = start_domain_user_import(session, ctx, domain_id=domain_id, users=users)

    assert [j.id for j in _jobs(session, ctx)] == [job.id]
    assert (job.kind, job.status) == (IMPORT_DOMAIN_USERS_JOB, JobStatus.QUEUED)
    request = DomainUserImport.from_payload(job.payload)
    assert request == DomainUserImport(domain_id=domain_id, actor=ctx.actor, users=tuple(users))
    assert [row["email"] for row in job.payload["rows"]] == ["a@example.com", "b@example.com"]


def test_bad_and_repeated_emails_reject_the_import_naming_the_rows(session: Session) -> None:
    _, ctx = make_tenant(session)
    users = [
        ImportedUser(email="one@example.com"),
        ImportedUser(email="not an email"),
        ImportedUser(email="ONE@example.com"),
    ]

    with pytest.raises(BulkRejected) as raised:
        start_domain_user_import(session, ctx, domain_id=_domain(session, ctx), users=users)

    rows = {r.index: (r.field, r.message) for r in raised.value.rows}
    assert sorted(rows) == [1, 2]
    assert rows[2] == ("email", "Duplicate of row 0.")
    assert _jobs(session, ctx) == []


def test_a_domain_of_another_program_is_unknown(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, other = make_tenant(session)
    with pytest.raises(NotFound):
        start_domain_user_import(
            session,
            ctx,
            domain_id=_domain(session, other),
            users=[ImportedUser(email="x@example.com")],
        )
    assert _jobs(session, other) == []


def test_running_creates_new_users_and_adds_existing_ones(session: Session) -> None:
    _, ctx = make_tenant(session)
    domain_id = _domain(session, ctx)
    existing = make_user(session, ctx, email="old@example.com")
    job = start_domain_user_import(
        session,
        ctx,
        domain_id=domain_id,
        users=[
            ImportedUser(email="new@example.com", last_name="New"),
            ImportedUser(
                email="OLD@example.com", settings=MembershipSettings(marketing_optin=True)
            ),
        ],
    )

    result = run_domain_user_import(
        session, ctx, request=DomainUserImport.from_payload(job.payload)
    )

    assert [index for index, _ in result.created] == [0]
    assert result.added == [(1, existing.id)]
    assert result.errors == []
    member = session.scalars(
        select(DomainMembership).where(
            DomainMembership.domain_id == domain_id, DomainMembership.user_id == existing.id
        )
    ).one()
    assert member.marketing_optin is True
