"""The outbox: every change records its events, stamped from the context, in its transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from syllabus.core.context import Context, Surface
from syllabus.core.errors import Conflict
from syllabus.db.session import unit_of_work
from syllabus.domain.events import Event
from syllabus.domain.users import User
from syllabus.services.enrollments import enroll_users_in_courses
from syllabus.services.groups import add_users_to_group
from syllabus.services.users import UserData, create_user, update_user
from tests.factories import (
    events,
    events_since,
    last_event_id,
    make_course,
    make_group,
    make_tenant,
    make_user,
    unique,
)


def assert_uuid7(value: str) -> uuid.UUID:
    parsed = uuid.UUID(value)
    assert str(parsed) == value  # canonical, lower-case, hyphenated
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122
    return parsed


def uuid7_millis(value: uuid.UUID) -> int:
    return value.int >> 80


def test_every_event_is_stamped_from_the_context(session: Session) -> None:
    started = datetime.now(UTC)
    tenant, cli_ctx = make_tenant(session, actor="cli", surface=Surface.CLI)
    ctx = Context(tenant_id=tenant.id, actor="scim:42", surface=Surface.SCIM)
    user = make_user(session, ctx, email="stamp@example.com")
    group = make_group(session, ctx, "Stamped")
    add_users_to_group(session, ctx, group_id=group.id, user_ids=[user.id])
    enroll_users_in_courses(
        session, ctx, user_ids=[user.id], course_ids=[make_course(session, ctx).id]
    )

    recorded = events(session, ctx)
    types = [e.type for e in recorded]
    assert types[0] == "program.created"
    assert {
        "user.registered",
        "group.created",
        "group.member_added",
        "course.created",
        "course.published",
        "enrollment.created",
    } <= set(types)
    assert (recorded[0].surface, recorded[0].actor) == ("cli", "cli")
    assert recorded[0].data == {"acct_key": tenant.acct_key, "name": tenant.acct_key}
    for event in recorded[1:]:
        assert (event.tenant_id, event.surface, event.actor) == (tenant.id, "scim", "scim:42")
    ids = [assert_uuid7(e.event_id) for e in recorded]
    assert len(set(ids)) == len(ids)
    finished = datetime.now(UTC)
    for event, event_uuid in zip(recorded, ids, strict=True):
        assert (
            started - timedelta(seconds=5) <= event.occurred_at <= finished + timedelta(seconds=5)
        )
        assert event.occurred_at.tzinfo is not None
        # The id carries the time of recording. The generator stays monotonic by running
        # ahead of the clock during bursts of events, so allow it to be early, never late.
        id_time = datetime.fromtimestamp(uuid7_millis(event_uuid) / 1000, UTC)
        assert event.occurred_at - timedelta(seconds=5) <= id_time
        assert id_time <= event.occurred_at + timedelta(hours=1)
        assert event.dispatched_at is None
    # Ids are time-ordered: outbox order and id order agree.
    assert [str(i) for i in ids] == sorted(str(i) for i in ids)
    assert cli_ctx.tenant_id == tenant.id


def test_event_data_round_trips_through_json(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx, email="Data@Example.com", first_name="Dée", role="manager")
    update_user(session, ctx, user_id=user.id, changes=UserData(city="Zürich", title="T"))
    session.flush()
    session.expire_all()
    [registered] = events(session, ctx, "user.registered")
    [updated] = events(session, ctx, "user.updated")
    assert registered.data == {
        "user_id": user.id,
        "email": "Data@Example.com",
        "first_name": "Dée",
        "last_name": "",
        "role": "manager",
        "active": True,
    }
    assert updated.data == {
        "user_id": user.id,
        "email": "Data@Example.com",
        "changed": ["city", "title"],
    }


def test_events_belong_to_the_tenant_of_the_context(session: Session) -> None:
    _, ctx_a = make_tenant(session)
    _, ctx_b = make_tenant(session)
    before = last_event_id(session)
    make_user(session, ctx_a)
    make_user(session, ctx_b)
    assert [e.type for e in events_since(session, ctx_a, before)] == ["user.registered"]
    assert [e.type for e in events_since(session, ctx_b, before)] == ["user.registered"]


def test_a_failed_call_records_no_event(session: Session) -> None:
    _, ctx = make_tenant(session)
    make_user(session, ctx, email="one@example.com")
    before = last_event_id(session)
    with pytest.raises(Conflict):
        make_user(session, ctx, email="ONE@example.com")
    assert events_since(session, ctx, before) == []


def _count(session: Session, model: type[User] | type[Event], tenant_id: int) -> int:
    query = select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
    return session.scalar(query) or 0


def test_events_commit_and_roll_back_with_the_change(
    session_factory: sessionmaker[Session],
) -> None:
    """The unit of work decides for rows and events together: both or neither."""
    with unit_of_work(session_factory, tenant_id=None) as uow:
        tenant, ctx = make_tenant(uow, f"{unique('uow')}.example.test")

    def failing_request() -> None:
        with unit_of_work(session_factory, tenant_id=tenant.id) as uow:
            create_user(uow, ctx, data=UserData(email="lost@example.com"))
            assert _count(uow, Event, tenant.id) == 2  # visible inside the transaction
            raise RuntimeError("request failed after the service call")

    with pytest.raises(RuntimeError, match="request failed"):
        failing_request()

    with unit_of_work(session_factory, tenant_id=tenant.id, read_only=True) as check:
        assert _count(check, User, tenant.id) == 0
        assert [e.type for e in events(check, ctx)] == ["program.created"]

    with unit_of_work(session_factory, tenant_id=tenant.id) as uow:
        create_user(uow, ctx, data=UserData(email="kept@example.com"))

    with unit_of_work(session_factory, tenant_id=tenant.id, read_only=True) as check:
        assert _count(check, User, tenant.id) == 1
        assert [e.type for e in events(check, ctx)] == ["program.created", "user.registered"]
        assert events(check, ctx)[-1].data["email"] == "kept@example.com"


def test_savepoint_rollback_takes_the_events_with_it(session: Session) -> None:
    _, ctx = make_tenant(session)
    before = last_event_id(session)
    savepoint = session.begin_nested()
    make_user(session, ctx, email="gone@example.com")
    assert len(events_since(session, ctx, before)) == 1
    savepoint.rollback()
    assert events_since(session, ctx, before) == []
    assert _count(session, User, ctx.tenant_id) == 0
