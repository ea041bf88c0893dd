"""Course progress: opened on enrollment, changed by hand, rolled up from item progress, with
the outbox events each change causes. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid, NotFound
from syllabus.domain.courses import Course, CourseItem
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.progress import CourseProgress, ExamAttempt, ItemProgress
from syllabus.services.enrollments import enroll_users_in_courses, unenroll_users_from_courses
from syllabus.services.groups import add_courses_to_group, add_users_to_group
from syllabus.services.item_progress import course_progress_for, set_item_progress
from syllabus.services.mass_enrollment import mass_enroll
from syllabus.services.progress import (
    CourseProgressChanges,
    create_course_progress,
    delete_course_progress,
    update_course_progress,
)
from tests.factories import (
    event_data,
    events_since,
    last_event_id,
    make_course,
    make_group,
    make_item,
    make_tenant,
    make_user,
    make_users,
)


def records(session: Session, ctx: Context) -> dict[tuple[int, int], CourseProgress]:
    rows = session.scalars(select(CourseProgress).where(CourseProgress.tenant_id == ctx.tenant_id))
    return {(r.user_id, r.course_id): r for r in rows}


def test_enrolling_opens_not_started_records_once(session: Session) -> None:
    _, ctx = make_tenant(session)
    users = make_users(session, ctx, 3)
    courses = [make_course(session, ctx) for _ in range(2)]
    user_ids, course_ids = [u.id for u in users], [c.id for c in courses]

    enroll_users_in_courses(session, ctx, user_ids=user_ids, course_ids=course_ids)
    enroll_users_in_courses(session, ctx, user_ids=user_ids, course_ids=course_ids)

    found = records(session, ctx)
    assert set(found) == {(u, c) for u in user_ids for c in course_ids}
    assert {r.status.value for r in found.values()} == {"not-started"}
    assert {r.enrollment_status.value for r in found.values()} == {"active"}
    assert all(r.enrolled_at is not None for r in found.values())


def test_mass_enroll_opens_records_too(session: Session) -> None:
    _, ctx = make_tenant(session)
    users = make_users(session, ctx, 2)
    course = make_course(session, ctx)
    mass_enroll(session, ctx, user_ids=[u.id for u in users], course_ids=[course.id])
    assert set(records(session, ctx)) == {(u.id, course.id) for u in users}


def test_unenrolling_keeps_the_record_inactive_and_reenrolling_reactivates_it(
    session: Session,
) -> None:
    _, ctx = make_tenant(session)
    user, course = make_user(session, ctx), make_course(session, ctx)
    item = make_item(session, ctx, course)
    enroll_users_in_courses(session, ctx, user_ids=[user.id], course_ids=[course.id])
    record = records(session, ctx)[(user.id, course.id)]
    set_item_progress(session, ctx, progress_id=record.id, item_id=item.id, status="passed")

    unenroll_users_from_courses(session, ctx, user_ids=[user.id], course_ids=[course.id])
    session.expire_all()
    record = records(session, ctx)[(user.id, course.id)]
    assert record.enrollment_status.value == "inactive"
    assert record.status.value == "passed"

    enroll_users_in_courses(session, ctx, user_ids=[user.id], course_ids=[course.id])
    session.expire_all()
    record = records(session, ctx)[(user.id, course.id)]
    assert record.enrollment_status.value == "active"
    assert record.status.value == "passed"  # the history is kept


def test_create_course_progress_enrolls_and_is_idempotent(session: Session) -> None:
    _, ctx = make_tenant(session)
    user, course = make_user(session, ctx), make_course(session, ctx)

    first = create_course_progress(session, ctx, user_id=user.id, course_id=course.id)
    again = create_course_progress(session, ctx, user_id=user.id, course_id=course.id)

    assert first.id == again.id
    assert first.status.value == "not-started"
    enrolled = session.scalars(
        select(Enrollment.user_id).where(Enrollment.course_id == course.id)
    ).all()
    assert enrolled == [user.id]


def test_create_course_progress_for_unknown_ids_is_not_found(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, other = make_tenant(session)
    user, course = make_user(session, ctx), make_course(session, ctx)
    foreign = make_course(session, other)
    with pytest.raises(NotFound) as error:
        create_course_progress(session, ctx, user_id=user.id, course_id=foreign.id)
    assert error.value.field == "course_id"
    with pytest.raises(NotFound) as error:
        create_course_progress(session, ctx, user_id=10**6, course_id=course.id)
    assert error.value.field == "user_id"


def _course_with_items(
    session: Session, ctx: Context, *, certificate: bool = True
) -> tuple[Course, CourseItem, CourseItem, CourseItem]:
    """A course with a mandatory lesson, a mandatory exam (pass at 70) and an optional lesson."""
    course = make_course(session, ctx, certificate=certificate)
    lesson = make_item(session, ctx, course)
    exam = make_item(session, ctx, course, item_type="Exam", content_id=77, passing_score=70)
    optional = make_item(session, ctx, course, mandatory=False)
    return course, lesson, exam, optional


def test_item_progress_rolls_up_to_in_progress_then_passed_with_events(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    course, lesson, exam, _ = _course_with_items(session, ctx)
    record = create_course_progress(session, ctx, user_id=user.id, course_id=course.id)
    before = last_event_id(session)

    set_item_progress(session, ctx, progress_id=record.id, item_id=lesson.id, status="passed")
    assert record.status.value == "in-progress"
    assert record.started_at is not None
    assert record.completed_at is None
    assert record.percent_viewed == 33
    assert record.last_course_item_id == lesson.id

    set_item_progress(session, ctx, progress_id=record.id, item_id=exam.id, score=85)
    assert record.status.value == "passed"
    assert record.completed_at is not None
    assert record.score is not None

    types = [e.type for e in events_since(session, ctx, before)]
    assert types == [
        "course.started",
        "lesson.completed",
        "lesson.completed",
        "course.completed",
        "certificate.issued",
    ]
    completed = event_data(session, ctx, "course.completed")[0]
    assert completed["course_progress_id"] == record.id
    assert completed["user_id"] == user.id
    assert completed["course_id"] == course.id


def test_no_certificate_event_for_a_course_without_certificates(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    course = make_course(session, ctx, certificate=False)
    lesson = make_item(session, ctx, course)
    record = create_course_progress(session, ctx, user_id=user.id, course_id=course.id)
    set_item_progress(session, ctx, progress_id=record.id, item_id=lesson.id, status="passed")
    assert record.status.value == "passed"
    assert len(event_data(session, ctx, "course.completed")) == 1
    assert event_data(session, ctx, "certificate.issued") == []


def test_a_failed_mandatory_exam_fails_the_course_and_a_retake_can_pass_it(
    session: Session,
) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    course, lesson, exam, _ = _course_with_items(session, ctx)
    record = create_course_progress(session, ctx, user_id=user.id, course_id=course.id)
    set_item_progress(session, ctx, progress_id=record.id, item_id=lesson.id, status="passed")

    set_item_progress(session, ctx, progress_id=record.id, item_id=exam.id, score=40)
    assert record.status.value == "failed"
    assert record.completed_at is None
    assert event_data(session, ctx, "course.completed") == []

    set_item_progress(session, ctx, progress_id=record.id, item_id=exam.id, score=90)
    assert record.status.value == "passed"
    item = session.scalars(select(ItemProgress).where(ItemProgress.course_item_id == exam.id)).one()
    assert (item.attempts, item.score, item.status.value) == (2, 90, "passed")
    attempts = session.scalars(
        select(ExamAttempt).where(ExamAttempt.item_progress_id == item.id).order_by(ExamAttempt.id)
    ).all()
    assert [(a.number, a.score, a.passed) for a in attempts] == [(1, 40, False), (2, 90, True)]


def test_admin_statuses_are_not_overridden_by_roll_up(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    course, lesson, *_ = _course_with_items(session, ctx)
    record = create_course_progress(session, ctx, user_id=user.id, course_id=course.id)
    update_course_progress(
        session, ctx, progress_id=record.id, changes=CourseProgressChanges(status="archived")
    )
    set_item_progress(session, ctx, progress_id=record.id, item_id=lesson.id, status="passed")
    assert record.status.value == "archived"
    assert record.percent_viewed == 33


def test_item_of_another_course_is_refused(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    course, other_course = make_course(session, ctx), make_course(session, ctx)
    stray = make_item(session, ctx, other_course)
    record = create_course_progress(session, ctx, user_id=user.id, course_id=course.id)
    with pytest.raises(Invalid) as error:
        set_item_progress(session, ctx, progress_id=record.id, item_id=stray.id, status="passed")
    assert error.value.field == "course_item_id"
    with pytest.raises(Invalid) as error:
        set_item_progress(session, ctx, progress_id=record.id, item_id=stray.id)
    with pytest.raises(Invalid) as error:
        set_item_progress(session, ctx, progress_id=record.id, item_id=stray.id, status="done")


def test_manual_status_changes_keep_dates_consistent(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    course = make_course(session, ctx, certificate=True)
    record = create_course_progress(session, ctx, user_id=user.id, course_id=course.id)
    when = datetime(2026, 5, 7, 19, 30, tzinfo=UTC)

    update_course_progress(
        session,
        ctx,
        progress_id=record.id,
        changes=CourseProgressChanges(status="passed", completed_at=when),
    )
    assert record.status.value == "passed"
    assert record.completed_at == when
    assert len(event_data(session, ctx, "course.completed")) == 1
    assert len(event_data(session, ctx, "certificate.issued")) == 1

    update_course_progress(
        session, ctx, progress_id=record.id, changes=CourseProgressChanges(status="failed")
    )
    assert record.completed_at is None
    assert record.started_at is not None
    update_course_progress(
        session, ctx, progress_id=record.id, changes=CourseProgressChanges(status="not-started")
    )
    assert record.started_at is None
    with pytest.raises(Invalid) as error:
        update_course_progress(
            session, ctx, progress_id=record.id, changes=CourseProgressChanges(status="done")
        )
    assert error.value.field == "status"
    with pytest.raises(Invalid) as error:
        update_course_progress(
            session,
            ctx,
            progress_id=record.id,
            changes=CourseProgressChanges(completed_at=when),
        )
    assert error.value.field == "completed_at"


def test_delete_removes_record_items_and_direct_enrollment(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    course, lesson, *_ = _course_with_items(session, ctx)
    record = create_course_progress(session, ctx, user_id=user.id, course_id=course.id)
    set_item_progress(session, ctx, progress_id=record.id, item_id=lesson.id, status="passed")
    record_id = record.id

    delete_course_progress(session, ctx, progress_id=record_id)

    assert records(session, ctx) == {}
    left = select(ItemProgress).where(ItemProgress.course_progress_id == record_id)
    assert session.scalars(left).all() == []
    assert session.scalars(select(Enrollment).where(Enrollment.user_id == user.id)).all() == []
    with pytest.raises(NotFound):
        delete_course_progress(session, ctx, progress_id=record_id)


def test_group_access_without_a_record_gets_one_on_first_activity(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    course = make_course(session, ctx)
    lesson = make_item(session, ctx, course)
    group = make_group(session, ctx)
    add_users_to_group(session, ctx, group_id=group.id, user_ids=[user.id])
    add_courses_to_group(session, ctx, group_id=group.id, course_ids=[course.id])
    assert records(session, ctx) == {}

    record = course_progress_for(session, ctx, user_id=user.id, course_id=course.id)
    set_item_progress(session, ctx, progress_id=record.id, item_id=lesson.id, status="in-progress")
    assert record.status.value == "in-progress"


def test_other_programs_records_are_not_found(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, other = make_tenant(session)
    user, course = make_user(session, other), make_course(session, other)
    record = create_course_progress(session, other, user_id=user.id, course_id=course.id)
    with pytest.raises(NotFound):
        update_course_progress(
            session, ctx, progress_id=record.id, changes=CourseProgressChanges(status="passed")
        )
    with pytest.raises(NotFound):
        delete_course_progress(session, ctx, progress_id=record.id)
