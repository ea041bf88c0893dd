"""A lesson's progress as Skilljar clients write it: completion date, pass/fail, score and
free-text ``custom_data``, on top of the item progress service.

Status changes go through ``set_item_progress``, so the course roll-up, its events
(``lesson.completed``, ``course.completed``, ``certificate.issued``) and their webhooks are
exactly those of the SkyPrep door; this adds only what that door has no words for (a given
completion date, custom data).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.core.fields import UNSET, Maybe, is_set
from syllabus.core.lookups import require
from syllabus.core.validation import clean_aware_datetime, clean_text
from syllabus.core.versions import Expected, Version, check_version, with_part
from syllabus.domain.courses import CourseItem
from syllabus.domain.progress import ItemProgress, ItemStatus
from syllabus.services.item_progress import course_progress_for, set_item_progress

CUSTOM_DATA_MAX = 65_536


def lesson_version(item_version: int, progress: tuple[int, int] | None) -> Version:
    """A user's lesson shows the lesson and the user's progress on it: ``progress`` is that
    item progress row's id and version."""
    return with_part(item_version, *(progress or (None, None)))


def find_item_progress(
    session: Session, ctx: Context, *, progress_id: int, item_id: int
) -> ItemProgress | None:
    return session.scalars(
        select(ItemProgress).where(
            ItemProgress.tenant_id == ctx.tenant_id,
            ItemProgress.course_progress_id == progress_id,
            ItemProgress.course_item_id == item_id,
        )
    ).first()


def update_lesson_progress(
    session: Session,
    ctx: Context,
    *,
    user_id: int,
    item_id: int,
    status: str | None = None,
    score: int | None = None,
    completed_at: Maybe[datetime | None] = UNSET,
    custom_data: Maybe[str | None] = UNSET,
    expected_version: Expected | None = None,
) -> ItemProgress | None:
    """Change the user's progress on one lesson; only what is given changes.

    ``status`` (or, without one, ``score`` against the lesson's passing score) moves the
    lesson and rolls the course up. A ``completed_at`` date is kept on a passed lesson in
    place of the moment of the write. Returns the item progress (None when nothing was given
    and the user has none on this lesson). With ``expected_version`` (``lesson_version``) a
    lesson progress changed since is PreconditionFailed, checked under the course record's
    lock that every item-progress write takes.
    """
    item = require(session, ctx, CourseItem, item_id, field="lesson_id")
    progress = course_progress_for(session, ctx, user_id=user_id, course_id=item.course_id)
    if is_set(completed_at):
        completed_at = clean_aware_datetime(completed_at, "completed_at")
    if is_set(custom_data) and custom_data is not None:
        custom_data = clean_text(custom_data, "custom_data", max_length=CUSTOM_DATA_MAX)
    row = find_item_progress(session, ctx, progress_id=progress.id, item_id=item.id)
    if expected_version is not None:
        if row is not None:
            session.refresh(row)  # what the lock guards, not a copy read before it
        shown = (row.id, row.version) if row is not None else None
        check_version(expected_version, lesson_version(item.version, shown))
    if status is not None or score is not None:
        row = set_item_progress(
            session, ctx, progress_id=progress.id, item_id=item.id, status=status, score=score
        ).item_progress
    if is_set(completed_at) and completed_at is not None:
        if row is None or row.status is not ItemStatus.PASSED:
            raise Invalid("completed_at", "only a completed lesson has a completion date")
        row.completed_at = completed_at
    if is_set(custom_data):
        if row is None:
            row = ItemProgress(
                tenant_id=ctx.tenant_id,
                course_progress_id=progress.id,
                course_item_id=item.id,
                user_id=user_id,
                status=ItemStatus.NOT_STARTED,
                attempts=0,
            )
            session.add(row)
        row.custom_data = custom_data
        row.updated_at = utcnow()
    session.flush()
    return row
