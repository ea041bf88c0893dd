"""Progress reported from outside (a completion date, a score out of a maximum): the rules
every door reaches through ``record_course_progress``. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.domain.progress import CourseProgress, ProgressStatus
from syllabus.services.enrollments import enroll_users_in_courses
from syllabus.services.progress import record_course_progress
from tests.factories import events_since, last_event_id, make_course, make_tenant, make_user

DONE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _enrolled(session: Session) -> tuple[Context, int, int]:
    _, ctx = make_tenant(session)
    user, course = make_user(session, ctx), make_course(session, ctx)
    enroll_users_in_courses(session, ctx, user_ids=[user.id], course_ids=[course.id])
    return ctx, user.id, course.id


def test_a_completion_date_passes_the_course_with_its_events(session: Session) -> None:
    ctx, user_id, course_id = _enrolled(session)
    after = last_event_id(session)

    record = record_course_progress(
        session, ctx, user_id=user_id, course_id=course_id, completed_at=DONE
    )

    assert record.status is ProgressStatus.PASSED
    assert record.completed_at == DONE
    types = [e.type for e in events_since(session, ctx, after)]
    assert "course.completed" in types
    assert types[-1] == "course_progress.updated"


def test_a_null_completion_takes_a_passed_course_back(session: Session) -> None:
    ctx, user_id, course_id = _enrolled(session)
    record_course_progress(session, ctx, user_id=user_id, course_id=course_id, completed_at=DONE)

    record = record_course_progress(
        session, ctx, user_id=user_id, course_id=course_id, completed_at=None
    )

    assert record.status is ProgressStatus.IN_PROGRESS  # passing started it
    assert record.completed_at is None


def test_a_null_completion_of_an_unfinished_course_changes_nothing(session: Session) -> None:
    ctx, user_id, course_id = _enrolled(session)
    after = last_event_id(session)

    record = record_course_progress(
        session, ctx, user_id=user_id, course_id=course_id, completed_at=None
    )

    assert record.status is ProgressStatus.NOT_STARTED
    assert events_since(session, ctx, after) == []


@pytest.mark.parametrize(
    ("score", "max_score", "kept"),
    [(7, 8, 88), (1, 3, 33), (50, None, 50), (0, 5, 0), (None, None, None)],
)
def test_scores_are_kept_as_rounded_percentages(
    session: Session, score: int | None, max_score: int | None, kept: int | None
) -> None:
    ctx, user_id, course_id = _enrolled(session)
    record = record_course_progress(
        session, ctx, user_id=user_id, course_id=course_id, score=score, max_score=max_score
    )
    assert record.score == kept


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"max_score": 10}, "max_score", "Requires a score."),
        ({"score": 1, "max_score": 0}, "max_score", "greater than or equal to 1"),
        ({"score": 11, "max_score": 10}, "score", "less than or equal to 10"),
        ({"score": 101}, "score", "less than or equal to 100"),
    ],
)
def test_a_bad_score_is_refused_before_anything_changes(
    session: Session, fields: dict[str, int], field: str, message: str
) -> None:
    _, ctx = make_tenant(session)
    user, course = make_user(session, ctx), make_course(session, ctx)
    after = last_event_id(session)

    with pytest.raises(Invalid) as raised:
        record_course_progress(
            session, ctx, user_id=user.id, course_id=course.id, completed_at=DONE, **fields
        )

    assert raised.value.field == field
    assert message in raised.value.message
    assert events_since(session, ctx, after) == []  # not even the enrollment


def test_an_enrollment_without_a_record_gets_one(session: Session) -> None:
    """A record missing (an enrollment older than records): reporting progress opens it."""
    ctx, user_id, course_id = _enrolled(session)
    existing = session.query(CourseProgress).filter_by(user_id=user_id, course_id=course_id).one()
    session.delete(existing)
    session.flush()

    record = record_course_progress(session, ctx, user_id=user_id, course_id=course_id, score=90)

    assert (record.user_id, record.course_id, record.score) == (user_id, course_id, 90)
