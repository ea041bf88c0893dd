"""move_training_data: records re-pointed set-based, clashes skipped with reasons, atomic."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.errors import Invalid, NotFound
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.groups import GroupMembership
from syllabus.domain.learning_paths import LearningPathUser
from syllabus.domain.progress import CourseProgress
from syllabus.services.enrollments import enroll_users_in_courses
from syllabus.services.groups import add_users_to_group
from syllabus.services.learning_paths import add_users_to_learning_path
from syllabus.services.training_transfer import MOVERS, move_training_data
from tests.factories import (
    event_data,
    make_course,
    make_group,
    make_learning_path,
    make_tenant,
    make_user,
)


def owners(session: Session, model: type, key: str) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for user_id, value in session.execute(select(model.user_id, getattr(model, key))):
        out.setdefault(user_id, set()).add(value)
    return out


def test_moves_every_kind_and_skips_what_the_target_has(session: Session) -> None:
    _, ctx = make_tenant(session)
    source, target, bystander = (make_user(session, ctx) for _ in range(3))
    c1, c2, c3 = (make_course(session, ctx) for _ in range(3))
    g1, g2 = make_group(session, ctx), make_group(session, ctx)
    path = make_learning_path(session, ctx, [c1])
    enroll_users_in_courses(session, ctx, user_ids=[source.id], course_ids=[c1.id, c2.id, c3.id])
    enroll_users_in_courses(session, ctx, user_ids=[target.id, bystander.id], course_ids=[c2.id])
    add_users_to_group(session, ctx, group_id=g1.id, user_ids=[source.id])
    add_users_to_group(session, ctx, group_id=g2.id, user_ids=[source.id, target.id])
    add_users_to_learning_path(session, ctx, path_id=path.id, user_ids=[source.id])
    clash = session.scalar(
        select(Enrollment.id).where(Enrollment.user_id == source.id, Enrollment.course_id == c2.id)
    )
    progress_clash = session.scalar(
        select(CourseProgress.id).where(
            CourseProgress.user_id == source.id, CourseProgress.course_id == c2.id
        )
    )

    result = move_training_data(session, ctx, source_user_id=source.id, target_user_id=target.id)
    assert result.moved == {
        "course_enrollments": 2,
        "user_group_enrollments": 1,
        "learning_path_enrollments": 1,
        "course_progresses": 2,
        "exam_attempts": 0,
        "instructor_led_training_timeslot_registrations": 0,
    }
    assert [(s.kind, s.record_id, s.subject) for s in result.skipped] == [
        ("course_enrollments", clash, ("course_id", c2.id)),
        ("user_group_enrollments", result.skipped[1].record_id, ("group_id", g2.id)),
        ("course_progresses", progress_clash, ("course_id", c2.id)),
    ]
    assert owners(session, Enrollment, "course_id") == {
        source.id: {c2.id},
        target.id: {c1.id, c2.id, c3.id},
        bystander.id: {c2.id},
    }
    assert owners(session, GroupMembership, "group_id") == {
        source.id: {g2.id},
        target.id: {g1.id, g2.id},
    }
    assert owners(session, LearningPathUser, "path_id") == {target.id: {path.id}}
    [data] = event_data(session, ctx, "user.training_data_moved")
    assert data["moved"] == result.moved
    assert data["skipped"] == 3


def test_inclusion_list_limits_the_kinds(session: Session) -> None:
    _, ctx = make_tenant(session)
    source, target = make_user(session, ctx), make_user(session, ctx)
    course, group = make_course(session, ctx), make_group(session, ctx)
    enroll_users_in_courses(session, ctx, user_ids=[source.id], course_ids=[course.id])
    add_users_to_group(session, ctx, group_id=group.id, user_ids=[source.id])
    result = move_training_data(
        session,
        ctx,
        source_user_id=source.id,
        target_user_id=target.id,
        inclusion_list=["course_enrollments", "course_progresses", "exam_attempts"],
    )
    assert result.moved == {"course_enrollments": 1, "course_progresses": 1, "exam_attempts": 0}
    assert result.skipped == []
    assert owners(session, GroupMembership, "group_id") == {source.id: {group.id}}


def test_refusals_name_the_field_and_change_nothing(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, other = make_tenant(session)
    source, target = make_user(session, ctx), make_user(session, ctx)
    stranger = make_user(session, other)
    course = make_course(session, ctx)
    enroll_users_in_courses(session, ctx, user_ids=[source.id], course_ids=[course.id])
    cases = [
        (Invalid, "inclusion_list", {"target_user_id": target.id, "inclusion_list": ["badges"]}),
        (Invalid, "target_user_id", {"target_user_id": source.id}),
        (NotFound, "target_user_id", {"target_user_id": stranger.id}),
    ]
    for error, field, kwargs in cases:
        with pytest.raises(error) as caught:
            move_training_data(session, ctx, source_user_id=source.id, **kwargs)
        assert caught.value.field == field
    with pytest.raises(NotFound) as caught:
        move_training_data(session, ctx, source_user_id=stranger.id, target_user_id=target.id)
    assert caught.value.field == "source_user_id"
    assert owners(session, Enrollment, "course_id") == {source.id: {course.id}}


def test_every_kind_has_a_mover_named_as_skyprep_names_it() -> None:
    assert list(MOVERS) == [
        "course_enrollments",
        "user_group_enrollments",
        "learning_path_enrollments",
        "course_progresses",
        "instructor_led_training_timeslot_registrations",
    ]
