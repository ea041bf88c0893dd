"""Instructor-led training services: seats, the waitlist, status changes and their events,
time zones, and the demo program's trainings."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.cli.demo import ensure_demo_program
from syllabus.core.context import Context
from syllabus.core.errors import Conflict, Invalid, NotFound
from syllabus.domain.ilt import IltRegistration, IltTimeslot, InstructorLedTraining
from syllabus.queries import ilt as ilt_queries
from syllabus.services.ilt import TimeslotData, update_timeslot
from syllabus.services.ilt_registrations import (
    delete_registrations,
    register_users,
    update_registration,
)
from tests.factories import (
    event_data,
    make_course,
    make_tenant,
    make_timeslot,
    make_training,
    make_users,
    scope,
)


@pytest.fixture
def ctx(session: Session) -> Context:
    _, ctx = make_tenant(session)
    scope(session, ctx)
    return ctx


def test_naive_times_are_the_display_zones_wall_clock(session: Session, ctx: Context) -> None:
    slot = make_timeslot(
        session,
        ctx,
        display_timezone="Europe/Berlin",
        commencement_time=datetime(2026, 7, 1, 9, 0),
        end_time=datetime(2026, 7, 1, 17, 0, tzinfo=UTC),
    )
    assert slot.commencement_time == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    assert slot.end_time == datetime(2026, 7, 1, 17, 0, tzinfo=UTC)
    with pytest.raises(Invalid) as error:
        update_timeslot(
            session,
            ctx,
            timeslot_id=slot.id,
            changes=TimeslotData(end_time=datetime(2026, 7, 1, 8, 0)),
        )
    assert error.value.field == "end_time"


def test_registration_events_follow_every_status_change(session: Session, ctx: Context) -> None:
    slot = make_timeslot(session, ctx, capacity=1)
    first, second = (u.id for u in make_users(session, ctx, 2))
    seat, waiting = register_users(session, ctx, timeslot_id=slot.id, user_ids=[first, second])
    assert (seat.status.value, waiting.status.value) == ("pending", "waitlisted")
    update_registration(session, ctx, registration_id=seat.id, status="attended")
    update_registration(session, ctx, registration_id=seat.id, status="cancelled")
    assert [e["user_id"] for e in event_data(session, ctx, "ilt.registered")] == [first, second]
    promoted = event_data(session, ctx, "ilt.registered")[-1]
    assert promoted["promoted_from_waitlist"] is True
    assert promoted["training_id"] == slot.training_id
    assert [e["user_id"] for e in event_data(session, ctx, "ilt.waitlisted")] == [second]
    assert [e["user_id"] for e in event_data(session, ctx, "ilt.attended")] == [first]
    assert [e["user_id"] for e in event_data(session, ctx, "ilt.cancelled")] == [first]
    # Back from cancelled with no seat free: refused, nothing changes.
    with pytest.raises(Conflict) as error:
        update_registration(session, ctx, registration_id=seat.id, status="pending")
    assert error.value.field == "status"
    # Registering the cancelled user again waitlists them (the seat is taken).
    again = register_users(session, ctx, timeslot_id=slot.id, user_ids=[first])
    assert again[0].id == seat.id
    assert again[0].status.value == "waitlisted"


def test_deleting_registrations_is_all_or_nothing(session: Session, ctx: Context) -> None:
    slot = make_timeslot(session, ctx, capacity=2)
    users = [u.id for u in make_users(session, ctx, 3)]
    regs = register_users(session, ctx, timeslot_id=slot.id, user_ids=users)
    _, other_ctx = make_tenant(session)
    with pytest.raises(NotFound) as error:
        delete_registrations(session, ctx, registration_ids=[regs[0].id, 2**40])
    assert error.value.field == "instructor_led_training_timeslot_registration_ids"
    remaining = session.scalars(
        select(IltRegistration.id).where(IltRegistration.timeslot_id == slot.id)
    ).all()
    assert len(remaining) == 3
    gone = delete_registrations(session, ctx, registration_ids=[regs[0].id])
    assert [g.id for g in gone] == [regs[0].id]
    assert other_ctx.tenant_id != ctx.tenant_id
    statuses = {
        r.user_id: r.status.value
        for r in session.scalars(
            select(IltRegistration).where(IltRegistration.timeslot_id == slot.id)
        )
    }
    assert statuses == {users[1]: "pending", users[2]: "pending"}


def test_course_id_must_be_the_trainings_course(session: Session, ctx: Context) -> None:
    course, elsewhere = make_course(session, ctx), make_course(session, ctx)
    training = make_training(session, ctx, course_id=course.id)
    slot = make_timeslot(session, ctx, training.id)
    user = make_users(session, ctx, 1)[0].id
    with pytest.raises(Invalid) as error:
        register_users(session, ctx, timeslot_id=slot.id, user_ids=[user], course_id=elsewhere.id)
    assert error.value.field == "course_id"
    done = register_users(session, ctx, timeslot_id=slot.id, user_ids=[user], course_id=course.id)
    assert done[0].user_id == user


def test_registration_lists_page_in_id_order(session: Session, ctx: Context) -> None:
    slot = make_timeslot(session, ctx)
    users = [u.id for u in make_users(session, ctx, 5)]
    register_users(session, ctx, timeslot_id=slot.id, user_ids=users)
    pages = list(ilt_queries.iter_registrations(session, ctx, timeslot_id=slot.id, page_size=2))
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [r.user_id for p in pages for r in p] == users


def test_the_demo_program_has_trainings_timeslots_and_registrations(session: Session) -> None:
    summary = ensure_demo_program(session, "ilt-demo.example")
    session.info["tenant_id"] = summary.tenant_id
    trainings = session.scalars(select(InstructorLedTraining)).all()
    assert {t.name for t in trainings} == {"Onboarding Workshop", "Manager Workshop"}
    slots = session.scalars(select(IltTimeslot)).all()
    assert len(slots) == 3
    statuses = Counter(r.status.value for r in session.scalars(select(IltRegistration)))
    assert statuses == {
        "attended": 5,
        "absent": 1,
        "pending": 5 + 3,
        "waitlisted": 2,
        "cancelled": 1,
    }


def test_times_out_of_range_name_their_field(session: Session, ctx: Context) -> None:
    for field, value in (
        ("commencement_time", datetime(1, 1, 1, 1)),
        ("end_time", datetime(9999, 12, 31, 23, tzinfo=UTC)),
        ("commencement_time", datetime(1899, 12, 31, tzinfo=UTC)),
    ):
        with pytest.raises(Invalid) as error:
            make_timeslot(session, ctx, display_timezone="Asia/Tokyo", **{field: value})
        assert error.value.field == field


def test_a_seat_holder_moved_to_the_waitlist_joins_the_back_of_the_line(
    session: Session, ctx: Context
) -> None:
    slot = make_timeslot(session, ctx, capacity=1)
    first, second = (u.id for u in make_users(session, ctx, 2))
    seat, waiting = register_users(session, ctx, timeslot_id=slot.id, user_ids=[first, second])
    moved = update_registration(session, ctx, registration_id=seat.id, status="waitlisted")
    assert moved.status.value == "waitlisted"
    assert moved.waitlisted_at is not None
    session.refresh(waiting)
    assert waiting.status.value == "pending"  # the seat went to the one already waiting
    assert waiting.waitlisted_at is None
