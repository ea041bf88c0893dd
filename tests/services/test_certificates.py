"""Certificates: issued by whichever door completes a course that awards one, with a random
code and an expiry from the course's validity length; revoked when the completion is
withdrawn, a new one on completing again; lesson progress writes. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid, NotFound
from syllabus.domain.certificates import Certificate
from syllabus.domain.progress import ItemStatus
from syllabus.queries.certificates import certificate_by_code, certificates_in_force
from syllabus.services.item_progress import set_item_progress
from syllabus.services.lesson_progress import update_lesson_progress
from syllabus.services.progress import (
    CourseProgressChanges,
    create_course_progress,
    update_course_progress,
)
from syllabus.services.training_transfer import move_training_data
from tests.factories import event_data, make_course, make_item, make_tenant, make_user


def certificates(session: Session, ctx: Context) -> list[Certificate]:
    query = select(Certificate).where(Certificate.tenant_id == ctx.tenant_id)
    return list(session.scalars(query.order_by(Certificate.id)))


def test_item_completion_issues_one_certificate_with_expiry(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    course = make_course(session, ctx, certificate=True, validity_length=30)
    items = [make_item(session, ctx, course) for _ in range(2)]
    progress = create_course_progress(session, ctx, user_id=user.id, course_id=course.id)

    set_item_progress(session, ctx, progress_id=progress.id, item_id=items[0].id, status="passed")
    assert certificates(session, ctx) == []
    set_item_progress(session, ctx, progress_id=progress.id, item_id=items[1].id, status="passed")
    set_item_progress(session, ctx, progress_id=progress.id, item_id=items[1].id, status="passed")

    [cert] = certificates(session, ctx)
    assert cert.course_progress_id == progress.id
    assert len(cert.code) >= 26
    assert cert.revoked_at is None
    assert cert.expires_at is not None
    assert cert.expires_at - cert.issued_at == timedelta(days=30)
    [issued] = event_data(session, ctx, "certificate.issued")
    assert issued["certificate_id"] == cert.id
    assert certificates_in_force(session, ctx, [progress.id])[progress.id].code == cert.code


def test_no_certificate_without_the_course_flag_and_no_expiry_without_validity(
    session: Session,
) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    plain = make_course(session, ctx)
    awarding = make_course(session, ctx, certificate=True)
    for course in (plain, awarding):
        progress = create_course_progress(session, ctx, user_id=user.id, course_id=course.id)
        changes = CourseProgressChanges(status="passed")
        update_course_progress(session, ctx, progress_id=progress.id, changes=changes)
    [cert] = certificates(session, ctx)
    assert cert.course_progress_id == progress.id  # the last, awarding course's record
    assert cert.expires_at is None


def test_withdrawn_completion_revokes_and_completing_again_issues_a_new_code(
    session: Session,
) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    course = make_course(session, ctx, certificate=True)
    item = make_item(session, ctx, course)
    progress = create_course_progress(session, ctx, user_id=user.id, course_id=course.id)
    set_item_progress(session, ctx, progress_id=progress.id, item_id=item.id, status="passed")
    set_item_progress(session, ctx, progress_id=progress.id, item_id=item.id, status="in-progress")
    [first] = certificates(session, ctx)
    assert first.revoked_at is not None
    assert certificates_in_force(session, ctx, [progress.id]) == {}

    set_item_progress(session, ctx, progress_id=progress.id, item_id=item.id, status="passed")
    first_again, second = certificates(session, ctx)
    assert first_again.id == first.id
    assert second.revoked_at is None
    assert second.code != first.code
    assert certificates_in_force(session, ctx, [progress.id])[progress.id].id == second.id
    assert len(event_data(session, ctx, "certificate.issued")) == 2


def test_certificate_by_code_is_cross_program_and_unknown_codes_are_none(
    session: Session,
) -> None:
    tenant, ctx = make_tenant(session)
    user = make_user(session, ctx, first_name="Ada", last_name="Lovelace")
    course = make_course(session, ctx, "Engines", certificate=True)
    progress = create_course_progress(session, ctx, user_id=user.id, course_id=course.id)
    update_course_progress(
        session, ctx, progress_id=progress.id, changes=CourseProgressChanges(status="passed")
    )
    [cert] = certificates(session, ctx)
    found = certificate_by_code(session, cert.code)
    assert found is not None
    assert (found.learner, found.course, found.program) == ("Ada Lovelace", "Engines", tenant.name)
    assert certificate_by_code(session, cert.code + "x") is None
    assert certificate_by_code(session, "") is None
    assert certificate_by_code(session, "a" * 65) is None


def test_lesson_progress_completion_date_custom_data_and_roll_up(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    course = make_course(session, ctx, certificate=True)
    item = make_item(session, ctx, course)
    progress = create_course_progress(session, ctx, user_id=user.id, course_id=course.id)

    row = update_lesson_progress(session, ctx, user_id=user.id, item_id=item.id, custom_data="x")
    assert row is not None
    assert row.status is ItemStatus.NOT_STARTED
    assert row.custom_data == "x"
    when = datetime(2026, 5, 1, 12, tzinfo=UTC)
    row = update_lesson_progress(
        session, ctx, user_id=user.id, item_id=item.id, status="passed", completed_at=when
    )
    assert row is not None
    assert row.completed_at == when
    session.refresh(progress)
    assert progress.status.value == "passed"
    assert len(certificates(session, ctx)) == 1
    with pytest.raises(Invalid) as error:
        update_lesson_progress(
            session, ctx, user_id=user.id, item_id=item.id, status="failed", completed_at=when
        )
    assert error.value.field == "completed_at"
    with pytest.raises(Invalid) as error:
        update_lesson_progress(
            session, ctx, user_id=user.id, item_id=item.id, custom_data="y" * 70_000
        )
    assert error.value.field == "custom_data"


def test_lesson_progress_of_another_program_is_not_found(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, other = make_tenant(session)
    course = make_course(session, other)
    item = make_item(session, other, course)
    user = make_user(session, ctx)
    with pytest.raises(NotFound):
        update_lesson_progress(session, ctx, user_id=user.id, item_id=item.id, status="passed")


def test_a_moved_record_takes_its_certificate_to_the_new_user(session: Session) -> None:
    _, ctx = make_tenant(session)
    source = make_user(session, ctx, first_name="Old", last_name="Account")
    target = make_user(session, ctx, first_name="New", last_name="Account")
    course = make_course(session, ctx, certificate=True)
    progress = create_course_progress(session, ctx, user_id=source.id, course_id=course.id)
    update_course_progress(
        session, ctx, progress_id=progress.id, changes=CourseProgressChanges(status="passed")
    )
    [cert] = certificates(session, ctx)
    move_training_data(session, ctx, source_user_id=source.id, target_user_id=target.id)
    found = certificate_by_code(session, cert.code)
    assert found is not None
    assert found.learner == "New Account"
