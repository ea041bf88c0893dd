"""A user's lessons in one published course, with their progress:
``/v1/users/{id}/published-courses/{pc}/lessons[/{lesson_id}]``.

Lessons are the course's items (ids of kind ``lesson``, as ``/v1/lessons`` shows them), listed
by page number. PUT and PATCH both change only what they are given, as the official document
says: ``lesson_progress.completed_at`` marks the lesson complete (a date) or not (null),
``success_status`` passes or fails it, ``score`` (with an optional ``max_score``) scores it,
``custom_data`` is kept as given. Writes go through the item progress service, so the course
rolls up with the same events and webhooks as through SkyPrep.

Views are not recorded: a started lesson counts as viewed once (a scored one once per
attempt), last on its latest activity.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlalchemy import Row
from starlette.responses import Response

from syllabus.core.errors import Invalid, NotFound
from syllabus.core.fields import UNSET, Maybe
from syllabus.dialects.skilljar.api import Api, ReadApi, WriteApi, etag, json
from syllabus.dialects.skilljar.body import UtcDateTime, WireModel, openapi_body, parse
from syllabus.dialects.skilljar.errors import FieldErrors
from syllabus.dialects.skilljar.pagination import envelope, page_request
from syllabus.dialects.skilljar.query_params import PagingQuery
from syllabus.dialects.skilljar.render import ts
from syllabus.dialects.skilljar.routing import SkilljarRouter
from syllabus.domain.progress import CourseProgress, ItemStatus
from syllabus.queries.courses.skilljar import SKILLJAR_LESSONS, skilljar_lesson
from syllabus.queries.enrollments import EnrollmentRow, user_enrollments
from syllabus.queries.progress.skilljar import (
    skilljar_lesson_progress,
    skilljar_progress_for_pairs,
)
from syllabus.queries.users import get_user
from syllabus.services.lesson_progress import lesson_version, update_lesson_progress

router = SkilljarRouter(tags=["Users > Published Courses > Lessons"])

BASE = "/users/{user_id}/published-courses/{published_course_id}/lessons"
ONE = BASE + "/{lesson_id}"
SCORE_MAX = 2_147_483_647
_SUCCESS = {ItemStatus.PASSED: "PASSED", ItemStatus.FAILED: "FAILED"}


class LessonProgressWrite(WireModel):
    completed_at: UtcDateTime | None = None
    success_status: Literal["PASSED", "FAILED"] | None = None
    score: int | None = Field(default=None, ge=0, le=SCORE_MAX)
    max_score: int | None = Field(default=None, ge=0, le=SCORE_MAX)
    custom_data: str | None = None
    lesson_progress_id: str | None = Field(default=None, min_length=1)


class LessonWrite(WireModel):
    """UserLessonProgressRequest; PATCH's variant leaves ``lesson_progress`` out."""

    lesson_progress: LessonProgressWrite


class LessonPatch(LessonWrite):
    lesson_progress: LessonProgressWrite = Field(default_factory=LessonProgressWrite)


def _enrollment(api: Api, user_id: str, published_course_id: str) -> EnrollmentRow:
    """The user's enrollment through the publication; any id not of this program is a 404."""
    uid = api.path_id("user", user_id)
    if get_user(api.session, api.ctx, uid) is None:
        raise NotFound("user", [user_id])
    pc_id = api.path_id("published_course", published_course_id)
    for row in user_enrollments(api.session, api.ctx, uid):
        if row.published_course_id == pc_id:
            return row
    raise NotFound("enrollment")


def _progress_id(api: Api, row: EnrollmentRow) -> int | None:
    found = skilljar_progress_for_pairs(api.session, api.ctx, [(row.user_id, row.course_id)])
    view = found.get((row.user_id, row.course_id))
    return view.id if view else None


def _lesson(api: Api, row: EnrollmentRow, lesson_id: str) -> Row[Any]:
    """One of the course's lessons; a lesson of another course is as unknown as any."""
    item = skilljar_lesson(api.session, api.ctx, api.path_id("lesson", lesson_id))
    if item is None or item.course_id != row.course_id:
        raise NotFound("lesson", [lesson_id])
    return item


def _view(api: Api, item: Row[Any], done: Row[Any] | None) -> dict[str, Any]:
    """UserLessonProgress: the lesson and the user's progress on it (none yet: all empty)."""
    started = done is not None and done.started_at is not None
    score = done.score if done is not None else None
    return {
        "lesson": {"id": api.id("lesson", item.id), "title": item.name},
        "lesson_progress": {
            "view_count": max(1, done.attempts) if done is not None and started else 0,
            "last_viewed_on": ts(done.updated_at) if done is not None and started else None,
            "completed_at": ts(done.completed_at) if done is not None else None,
            "success_status": _SUCCESS.get(ItemStatus(done.status)) if done else None,
            "score": score,
            "max_score": None if score is None else 100,
            "custom_data": done.custom_data if done is not None else None,
            "lesson_progress_id": api.opt_id("lesson_progress", done.id if done else None),
        },
    }


def _tag(item: Row[Any], done: Row[Any] | None) -> str:
    """The lesson and the user's progress on it (``lesson_version``)."""
    shown = (done.id, done.version) if done is not None else None
    return etag(lesson_version(item.version, shown))


@router.get(
    BASE,
    operation_id="users_published_courses_lessons_list",
    summary="A user's lessons in a published course, with progress",
)
def list_lessons(
    user_id: str, published_course_id: str, api: ReadApi, paging: PagingQuery
) -> Response:
    row = _enrollment(api, user_id, published_course_id)
    pr = page_request(paging, api.ids, cursor_default=False)
    filters = {"course_id": row.course_id}
    items = SKILLJAR_LESSONS.rows(api.session, api.ctx, pr.window(), filters)
    done = skilljar_lesson_progress(
        api.session, api.ctx, _progress_id(api, row), [i.id for i in items]
    )
    return json(
        envelope(
            api.request,
            api.ids,
            pr,
            items,
            lambda i: _view(api, i, done.get(i.id)),
            count=lambda: SKILLJAR_LESSONS.count(api.session, api.ctx, filters),
        )
    )


def _respond(api: Api, row: EnrollmentRow, item: Row[Any]) -> Response:
    done = skilljar_lesson_progress(api.session, api.ctx, _progress_id(api, row), [item.id]).get(
        item.id
    )
    return json(_view(api, item, done), tag=_tag(item, done))


@router.get(
    ONE,
    operation_id="users_published_courses_lessons_retrieve",
    summary="A user's progress on one lesson",
)
def retrieve(user_id: str, published_course_id: str, lesson_id: str, api: ReadApi) -> Response:
    row = _enrollment(api, user_id, published_course_id)
    return _respond(api, row, _lesson(api, row, lesson_id))


def _nested(field: str, message: str) -> FieldErrors:
    return FieldErrors({"lesson_progress": {field: [message]}})


def _score(written: LessonProgressWrite, given: set[str]) -> int | None:
    """Kept as a percentage: ``score`` out of ``max_score`` (100 when not given)."""
    if "score" not in given or written.score is None:
        if "max_score" in given and written.max_score is not None:
            raise _nested("max_score", "Requires a score.")
        return None
    maximum = written.max_score if written.max_score is not None else 100
    if maximum == 0:
        raise _nested("max_score", "Ensure this value is greater than or equal to 1.")
    if written.score > maximum:
        raise _nested("score", f"Ensure this value is less than or equal to {maximum}.")
    return (written.score * 100 + maximum // 2) // maximum


def _status(written: LessonProgressWrite, given: set[str], current: Row[Any] | None) -> str | None:
    """The item status the write asks for; None leaves it (or the score) to decide."""
    if written.success_status is not None:
        return ItemStatus(written.success_status.lower()).value
    if "completed_at" in given:
        if written.completed_at is not None:
            return ItemStatus.PASSED.value
        if current is not None and ItemStatus(current.status) is ItemStatus.PASSED:
            return ItemStatus.IN_PROGRESS.value  # not complete after all: back to under way
    return None


def _update(
    api: Api, user_id: str, published_course_id: str, lesson_id: str, model: type[LessonWrite]
) -> Response:
    row = _enrollment(api, user_id, published_course_id)
    item = _lesson(api, row, lesson_id)
    # Every item-progress write locks the user's course record first, whatever the door.
    api.lock(
        CourseProgress,
        CourseProgress.user_id == row.user_id,
        CourseProgress.course_id == row.course_id,
    )
    current = skilljar_lesson_progress(api.session, api.ctx, _progress_id(api, row), [item.id]).get(
        item.id
    )
    written = parse(model, api.body).lesson_progress
    given = set(written.model_fields_set)
    if "lesson_progress_id" in given and written.lesson_progress_id is not None:
        named = api.ids.decode("lesson_progress", written.lesson_progress_id)
        if current is None or named != current.id:
            raise _nested("lesson_progress_id", "Does not match the lesson progress of the URL.")
    completed_at: Maybe[Any] = UNSET
    if written.completed_at is not None and written.success_status != "FAILED":
        completed_at = written.completed_at
    custom_data: Maybe[str | None] = UNSET
    if "custom_data" in given:
        custom_data = written.custom_data
    try:
        update_lesson_progress(
            api.session,
            api.ctx,
            user_id=row.user_id,
            item_id=item.id,
            status=_status(written, given, current),
            score=_score(written, given),
            completed_at=completed_at,
            custom_data=custom_data,
            expected_version=api.expected_version,
        )
    except Invalid as error:
        raise _nested(error.field or "lesson_progress", error.message) from None
    return _respond(api, row, item)


@router.put(
    ONE,
    operation_id="users_published_courses_lessons_update",
    summary="Update a user's progress on a lesson (partial, as PATCH)",
    openapi_extra=openapi_body(LessonWrite),
)
def put(user_id: str, published_course_id: str, lesson_id: str, api: WriteApi) -> Response:
    return _update(api, user_id, published_course_id, lesson_id, LessonWrite)


@router.patch(
    ONE,
    operation_id="users_published_courses_lessons_partial_update",
    summary="Partially update a user's progress on a lesson",
    openapi_extra=openapi_body(LessonPatch),
)
def patch(user_id: str, published_course_id: str, lesson_id: str, api: WriteApi) -> Response:
    return _update(api, user_id, published_course_id, lesson_id, LessonPatch)
