"""A user's progress through one course item, and its roll-up into their course progress.

Roll-up rules (the course's required items are its mandatory ones, or all of them if none is
mandatory):
- a required exam failed → the course is failed;
- every required item passed → the course is passed, with its completion date
  (course.completed, and certificate.issued when the course awards a certificate);
- any activity → in-progress (course.started on the first);
- none → not-started.
Records an administrator set to not-applicable or archived keep that status.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.core.lookups import require
from syllabus.core.validation import clean_enum, clean_int
from syllabus.domain.courses import Course, CourseItem, ItemType
from syllabus.domain.progress import (
    ROLLED_UP,
    CourseProgress,
    ExamAttempt,
    ItemProgress,
    ItemStatus,
    ProgressStatus,
)
from syllabus.services.events import record_event
from syllabus.services.progress import find_course_progress, require_course_progress
from syllabus.services.progress_records import (
    change_status,
    open_course_progresses,
    start_course,
)

SCORED_TYPES = frozenset({ItemType.EXAM, ItemType.QUIZ})
"""Items whose scored submissions are attempts."""


@dataclass(frozen=True)
class ItemProgressResult:
    item_progress: ItemProgress
    course_progress: CourseProgress


def course_progress_for(
    session: Session, ctx: Context, *, user_id: int, course_id: int
) -> CourseProgress:
    """The user's record in the course, locked; opened (not-started) if they have none yet,
    as a user with access through a group or a learning path may not."""
    progress = find_course_progress(
        session, ctx, user_id=user_id, course_id=course_id, for_update=True
    )
    if progress is None:
        open_course_progresses(session, ctx, user_ids=[user_id], course_ids=[course_id])
        progress = find_course_progress(
            session, ctx, user_id=user_id, course_id=course_id, for_update=True
        )
        assert progress is not None
    return progress


def set_item_progress(
    session: Session,
    ctx: Context,
    *,
    progress_id: int,
    item_id: int,
    status: str | None = None,
    score: int | None = None,
) -> ItemProgressResult:
    """Record the user's status (and score) on one item of the record's course, then roll the
    course's status up from its items.

    Without a status, a score decides it against the item's passing score (passed when the
    item has none). A scored exam or quiz submission counts as one more attempt.
    """
    progress = require_course_progress(session, ctx, progress_id)
    item = require(session, ctx, CourseItem, item_id, field="course_item_id")
    if item.course_id != progress.course_id:
        raise Invalid(
            "course_item_id",
            f"course item {item.id} is not in course {progress.course_id}",
        )
    if score is not None:
        score = clean_int(score, "score", minimum=0, maximum=100)
    if status is not None:
        new_status = clean_enum(status, ItemStatus, "status")
    elif score is not None:
        passing = item.passing_score
        new_status = ItemStatus.PASSED if passing is None or score >= passing else ItemStatus.FAILED
    else:
        raise Invalid("status", "status (or score) is required")

    now = utcnow()
    row = session.scalars(
        select(ItemProgress).where(
            ItemProgress.tenant_id == ctx.tenant_id,
            ItemProgress.course_progress_id == progress.id,
            ItemProgress.course_item_id == item.id,
        )
    ).first()
    if row is None:
        row = ItemProgress(
            tenant_id=ctx.tenant_id,
            course_progress_id=progress.id,
            course_item_id=item.id,
            user_id=progress.user_id,
            status=ItemStatus.NOT_STARTED,
            attempts=0,
        )
        session.add(row)
    previous = row.status
    row.status = new_status
    if score is not None:
        row.score = score
    if new_status is ItemStatus.NOT_STARTED:
        row.started_at = None
        row.completed_at = None
    else:
        row.started_at = row.started_at or now
        row.completed_at = now if new_status is ItemStatus.PASSED else None
    row.updated_at = now
    session.flush()
    if item.item_type in SCORED_TYPES and new_status in (ItemStatus.PASSED, ItemStatus.FAILED):
        row.attempts += 1
        session.add(
            ExamAttempt(
                tenant_id=ctx.tenant_id,
                item_progress_id=row.id,
                number=row.attempts,
                score=row.score,
                passed=new_status is ItemStatus.PASSED,
                submitted_at=now,
            )
        )
    if new_status is not ItemStatus.NOT_STARTED and progress.status in ROLLED_UP:
        start_course(session, ctx, progress, now=now)  # course.started before the lesson's event
    if new_status is ItemStatus.PASSED and previous is not ItemStatus.PASSED:
        record_event(
            session,
            ctx,
            "lesson.completed",
            {
                "course_progress_id": progress.id,
                "user_id": progress.user_id,
                "course_id": progress.course_id,
                "course_item_id": item.id,
                "item_type": item.item_type.value,
                "score": row.score,
            },
        )
    progress.last_course_item_id = item.id
    roll_up(session, ctx, progress)
    session.flush()
    return ItemProgressResult(row, progress)


def roll_up(session: Session, ctx: Context, progress: CourseProgress) -> None:
    """Recompute the record's status, percent viewed and score from its items' progress."""
    items = session.execute(
        select(CourseItem.id, CourseItem.item_type, CourseItem.mandatory).where(
            CourseItem.tenant_id == ctx.tenant_id, CourseItem.course_id == progress.course_id
        )
    ).all()
    done = {
        r.course_item_id: r
        for r in session.execute(
            select(ItemProgress.course_item_id, ItemProgress.status, ItemProgress.score).where(
                ItemProgress.tenant_id == ctx.tenant_id,
                ItemProgress.course_progress_id == progress.id,
            )
        )
    }
    required = [i for i in items if i.mandatory] or list(items)

    def status_of(item_id: int) -> ItemStatus:
        found = done.get(item_id)
        return ItemStatus(found.status) if found is not None else ItemStatus.NOT_STARTED

    finished = sum(status_of(i.id) in (ItemStatus.PASSED, ItemStatus.FAILED) for i in items)
    progress.percent_viewed = round(100 * finished / len(items)) if items else 0
    scores = [r.score for r in done.values() if r.score is not None]
    progress.score = round(sum(scores) / len(scores)) if scores else progress.score
    if any(
        ItemType(i.item_type) is ItemType.EXAM and status_of(i.id) is ItemStatus.FAILED
        for i in required
    ):
        target = ProgressStatus.FAILED
    elif required and all(status_of(i.id) is ItemStatus.PASSED for i in required):
        target = ProgressStatus.PASSED
    elif any(status_of(i.id) is not ItemStatus.NOT_STARTED for i in items):
        target = ProgressStatus.IN_PROGRESS
    else:
        target = ProgressStatus.NOT_STARTED
    now = utcnow()
    progress.updated_at = now
    if progress.status not in ROLLED_UP or target is progress.status:
        return
    course = require(session, ctx, Course, progress.course_id, field="course_id")
    change_status(session, ctx, progress, target, course=course, now=now)
