"""Deleting a user frees their ILT seats through the seat service: the waitlist is promoted
and every live registration is recorded as cancelled."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.errors import NotFound
from syllabus.domain.ilt import IltRegistration, RegistrationStatus
from syllabus.services.ilt_registrations import register_users
from syllabus.services.users import delete_user
from tests.factories import event_data, make_tenant, make_timeslot, make_user, make_users


def test_a_deleted_users_seats_go_to_the_waitlist_with_events(session: Session) -> None:
    _, ctx = make_tenant(session)
    leaving, first, second, bystander = make_users(session, ctx, 4)
    full = make_timeslot(session, ctx, capacity=1)
    other = make_timeslot(session, ctx, capacity=1)
    register_users(session, ctx, timeslot_id=full.id, user_ids=[leaving.id, first.id, second.id])
    register_users(session, ctx, timeslot_id=other.id, user_ids=[bystander.id, leaving.id])
    before = len(event_data(session, ctx, "ilt.registered"))

    delete_user(session, ctx, user_id=leaving.id)

    statuses = {
        (r.timeslot_id, r.user_id): r.status for r in session.scalars(select(IltRegistration))
    }
    assert statuses == {
        (full.id, first.id): RegistrationStatus.PENDING,
        (full.id, second.id): RegistrationStatus.WAITLISTED,
        (other.id, bystander.id): RegistrationStatus.PENDING,
    }
    cancelled = event_data(session, ctx, "ilt.cancelled")
    assert sorted((d["timeslot_id"], d["user_id"], d["deleted"]) for d in cancelled) == [
        (full.id, leaving.id, True),
        (other.id, leaving.id, True),
    ]
    [promoted] = event_data(session, ctx, "ilt.registered")[before:]
    assert (promoted["user_id"], promoted["promoted_from_waitlist"]) == (first.id, True)
    assert len(event_data(session, ctx, "user.deleted")) == 1


def test_deleting_a_user_without_registrations_or_unknown(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    delete_user(session, ctx, user_id=user.id)
    assert event_data(session, ctx, "ilt.cancelled") == []
    with pytest.raises(NotFound):
        delete_user(session, ctx, user_id=user.id)
