"""Demo learning progress: records in every status, item progress and exam attempts.

Built through the progress services like any learner's activity, on the courses and
enrollments demo.py made.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.domain.courses import CourseItem, ItemType
from syllabus.services.enrollments import unenroll_users_from_courses
from syllabus.services.item_progress import course_progress_for, set_item_progress
from syllabus.services.progress import CourseProgressChanges, update_course_progress


def _items(session: Session, ctx: Context, course_id: int) -> list[CourseItem]:
    return list(
        session.scalars(
            select(CourseItem)
            .where(CourseItem.tenant_id == ctx.tenant_id, CourseItem.course_id == course_id)
            .order_by(CourseItem.position, CourseItem.id)
        )
    )


def add_demo_progress(
    session: Session, ctx: Context, *, user_ids: Sequence[int], course_id: int
) -> None:
    """On one course every enrolled demo user is in: learners who passed (one after a failed
    exam attempt), failed, are under way or have not started; one record not applicable, one
    archived, one disabled and one left inactive by an unenrollment."""
    items = _items(session, ctx, course_id)
    exam = next(i for i in items if i.item_type is ItemType.EXAM)
    lessons = [i for i in items if i.item_type is not ItemType.EXAM]

    def progress_id(user_id: int) -> int:
        return course_progress_for(session, ctx, user_id=user_id, course_id=course_id).id

    for n, user_id in enumerate(user_ids[:12]):
        record = progress_id(user_id)
        for lesson in lessons[: 1 + n % len(lessons)]:
            set_item_progress(session, ctx, progress_id=record, item_id=lesson.id, status="passed")
        if n < 4:  # passed, the first two after failing an attempt
            if n < 2:
                set_item_progress(session, ctx, progress_id=record, item_id=exam.id, score=55)
            for lesson in lessons:
                set_item_progress(
                    session, ctx, progress_id=record, item_id=lesson.id, status="passed"
                )
            set_item_progress(session, ctx, progress_id=record, item_id=exam.id, score=92 - n)
        elif n < 6:  # failed the exam
            set_item_progress(session, ctx, progress_id=record, item_id=exam.id, score=40 + n)
        elif n < 8:  # under way on the exam
            set_item_progress(
                session, ctx, progress_id=record, item_id=exam.id, status="in-progress"
            )
    for user_id, changes in (
        (user_ids[12], CourseProgressChanges(status="not-applicable")),
        (user_ids[13], CourseProgressChanges(status="archived")),
        (user_ids[14], CourseProgressChanges(enrollment_status="disabled")),
    ):
        update_course_progress(session, ctx, progress_id=progress_id(user_id), changes=changes)
    unenroll_users_from_courses(session, ctx, user_ids=[user_ids[15]], course_ids=[course_id])
