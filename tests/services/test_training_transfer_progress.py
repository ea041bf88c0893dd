"""move_training_data for course progress (with item progress and exam attempts) and ILT
registrations: whole records move, the target's records win, seats are unchanged."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.domain.ilt import IltRegistration, RegistrationStatus
from syllabus.domain.progress import CourseProgress, ExamAttempt, ItemProgress, ProgressStatus
from syllabus.services.enrollments import enroll_users_in_courses
from syllabus.services.ilt_registrations import register_users
from syllabus.services.ilt_seats import seats_taken
from syllabus.services.item_progress import set_item_progress
from syllabus.services.progress import find_course_progress
from syllabus.services.training_transfer import move_training_data
from tests.factories import (
    event_data,
    make_course,
    make_item,
    make_tenant,
    make_timeslot,
    make_training,
    make_user,
)

REGISTRATIONS = "instructor_led_training_timeslot_registrations"


def progress_of(session: Session, ctx: Context, user_id: int, course_id: int) -> CourseProgress:
    found = find_course_progress(session, ctx, user_id=user_id, course_id=course_id)
    assert found is not None
    return found


def test_progress_moves_whole_and_the_targets_record_wins(session: Session) -> None:
    _, ctx = make_tenant(session)
    source, target = make_user(session, ctx), make_user(session, ctx)
    c1, c2 = make_course(session, ctx), make_course(session, ctx)
    e1 = make_item(session, ctx, c1, item_type="Exam")
    e2 = make_item(session, ctx, c2, item_type="Exam")
    enroll_users_in_courses(session, ctx, user_ids=[source.id], course_ids=[c1.id, c2.id])
    enroll_users_in_courses(session, ctx, user_ids=[target.id], course_ids=[c2.id])
    moving = progress_of(session, ctx, source.id, c1.id)
    kept = progress_of(session, ctx, source.id, c2.id)
    for score in (40, 95):
        set_item_progress(session, ctx, progress_id=moving.id, item_id=e1.id, score=score)
    set_item_progress(session, ctx, progress_id=kept.id, item_id=e2.id, score=10)
    theirs = progress_of(session, ctx, target.id, c2.id)
    set_item_progress(session, ctx, progress_id=theirs.id, item_id=e2.id, score=100)
    kept_attempt = session.scalar(
        select(ExamAttempt.id)
        .join(ItemProgress, ItemProgress.id == ExamAttempt.item_progress_id)
        .where(ItemProgress.course_progress_id == kept.id)
    )
    moving_id, kept_id, theirs_id = moving.id, kept.id, theirs.id

    result = move_training_data(
        session,
        ctx,
        source_user_id=source.id,
        target_user_id=target.id,
        inclusion_list=["exam_attempts"],
    )
    assert result.moved == {"course_progresses": 1, "exam_attempts": 2}
    assert [(s.kind, s.record_id, s.subject) for s in result.skipped] == [
        ("course_progresses", kept_id, ("course_id", c2.id)),
        ("exam_attempts", kept_attempt, ("course_id", c2.id)),
    ]
    owners = dict(session.execute(select(CourseProgress.id, CourseProgress.user_id)).all())
    assert owners == {moving_id: target.id, kept_id: source.id, theirs_id: target.id}
    # The denormalized user of item progress follows its record; attempts follow the item.
    items = dict(
        session.execute(select(ItemProgress.course_progress_id, ItemProgress.user_id)).all()
    )
    assert items == {moving_id: target.id, kept_id: source.id, theirs_id: target.id}
    # The target's passed record is never overwritten by the source's failed one.
    assert progress_of(session, ctx, target.id, c2.id).status is ProgressStatus.PASSED
    assert progress_of(session, ctx, target.id, c1.id).status is ProgressStatus.PASSED
    [data] = event_data(session, ctx, "user.training_data_moved")
    assert data["moved"] == {"course_progresses": 1, "exam_attempts": 2}
    assert data["skipped"] == 2


def test_registrations_keep_their_seat_and_name_their_users_progress(session: Session) -> None:
    _, ctx = make_tenant(session)
    source, target, waiting = (make_user(session, ctx) for _ in range(3))
    course = make_course(session, ctx)
    training = make_training(session, ctx, course_id=course.id)
    small = make_timeslot(session, ctx, training.id, capacity=1)
    shared = make_timeslot(session, ctx, training.id)
    enroll_users_in_courses(session, ctx, user_ids=[source.id, target.id], course_ids=[course.id])
    mine, theirs = (progress_of(session, ctx, u.id, course.id).id for u in (source, target))
    [seat] = register_users(
        session, ctx, timeslot_id=small.id, user_ids=[source.id], course_progress_id=mine
    )
    [queued] = register_users(session, ctx, timeslot_id=small.id, user_ids=[waiting.id])
    [clash, _] = register_users(
        session, ctx, timeslot_id=shared.id, user_ids=[source.id, target.id]
    )
    assert queued.status is RegistrationStatus.WAITLISTED
    seat_id, clash_id, queued_id = seat.id, clash.id, queued.id

    result = move_training_data(
        session,
        ctx,
        source_user_id=source.id,
        target_user_id=target.id,
        inclusion_list=[REGISTRATIONS],
    )
    assert result.moved == {REGISTRATIONS: 1}
    assert [(s.kind, s.record_id, s.subject) for s in result.skipped] == [
        (REGISTRATIONS, clash_id, ("timeslot_id", shared.id)),
    ]
    rows = {
        r.id: (r.user_id, r.status, r.course_progress_id)
        for r in session.scalars(select(IltRegistration))
    }
    # The moved seat names the target's own record in the course, not the source's.
    assert rows[seat_id] == (target.id, RegistrationStatus.PENDING, theirs)
    assert rows[clash_id][0] == source.id
    assert rows[queued_id][:2] == (waiting.id, RegistrationStatus.WAITLISTED)
    assert seats_taken(session, ctx, small.id) == 1


def test_moving_progress_relinks_the_registrations_that_name_it(session: Session) -> None:
    _, ctx = make_tenant(session)
    source, target = make_user(session, ctx), make_user(session, ctx)
    course = make_course(session, ctx)
    slot = make_timeslot(session, ctx, make_training(session, ctx, course_id=course.id).id)
    enroll_users_in_courses(session, ctx, user_ids=[source.id], course_ids=[course.id])
    mine = progress_of(session, ctx, source.id, course.id).id
    [registration] = register_users(
        session, ctx, timeslot_id=slot.id, user_ids=[source.id], course_progress_id=mine
    )
    registration_id = registration.id
    # Progress moves, the registration stays: it no longer has a record of its user to name.
    move_training_data(
        session,
        ctx,
        source_user_id=source.id,
        target_user_id=target.id,
        inclusion_list=["course_progresses"],
    )
    row = session.get(IltRegistration, registration_id)
    assert row is not None
    assert (row.user_id, row.course_progress_id) == (source.id, None)
