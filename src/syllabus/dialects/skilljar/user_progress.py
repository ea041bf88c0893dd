"""One user's progress in one published course: ``/v1/users/{id}/published-courses/{pc}``.

GET shows it; PUT and PATCH both change only what they are given (as the official document
says): ``course_progress.completed_at`` marks the course complete (a date) or not (null), and
``score`` (with an optional ``max_score``) records the score. Changes go through the progress
service, so ``course.completed`` and ``course_progress.updated`` reach the outbox.
"""

from __future__ import annotations

from pydantic import Field
from starlette.responses import Response

from syllabus.core.errors import Invalid, NotFound
from syllabus.core.fields import UNSET
from syllabus.dialects.skilljar.api import Api, ReadApi, WriteApi, etag, json
from syllabus.dialects.skilljar.body import UtcDateTime, WireModel, openapi_body, parse
from syllabus.dialects.skilljar.certificates import completions
from syllabus.dialects.skilljar.errors import FieldErrors
from syllabus.dialects.skilljar.routing import SkilljarRouter
from syllabus.dialects.skilljar.user_courses import enrollment_progress, progress_view
from syllabus.queries.courses.skilljar import skilljar_lesson_counts
from syllabus.queries.enrollments import EnrollmentRow, user_enrollments
from syllabus.queries.progress.skilljar import ProgressView
from syllabus.queries.users import get_user
from syllabus.services.domain_enrollments import enrollment_version
from syllabus.services.progress import record_course_progress

router = SkilljarRouter(tags=["Users > Published Courses"])

PATH = "/users/{user_id}/published-courses/{published_course_id}"
SCORE_MAX = 2_147_483_647


class CourseProgressWrite(WireModel):
    completed_at: UtcDateTime | None = None
    score: int | None = Field(default=None, ge=0, le=SCORE_MAX)
    max_score: int | None = Field(default=None, ge=0, le=SCORE_MAX)


class ProgressWrite(WireModel):
    """UserPublishedCourseProgressRequest; PATCH's variant leaves ``course_progress`` out."""

    published_course_id: str | None = Field(default=None, min_length=1)
    course_progress: CourseProgressWrite


class ProgressPatch(ProgressWrite):
    course_progress: CourseProgressWrite = Field(default_factory=CourseProgressWrite)


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


def _tag(row: EnrollmentRow, progress: ProgressView | None) -> str:
    """The enrollment shows its progress record too (``enrollment_version``)."""
    shown = (progress.id, progress.version) if progress else None
    return etag(enrollment_version(row.version, shown))


def _respond(api: Api, row: EnrollmentRow) -> Response:
    progress = enrollment_progress(api, [row]).get((row.user_id, row.course_id))
    counts = skilljar_lesson_counts(api.session, api.ctx, [row.course_id]).get(
        row.course_id, (0, 0)
    )
    done = completions(api, [row.course_id], [progress])
    return json(progress_view(api, row, counts, progress, done), tag=_tag(row, progress))


@router.get(
    PATH,
    operation_id="users_published_courses_retrieve",
    summary="A user's progress in one published course",
)
def retrieve(user_id: str, published_course_id: str, api: ReadApi) -> Response:
    return _respond(api, _enrollment(api, user_id, published_course_id))


def _update(
    api: Api, user_id: str, published_course_id: str, model: type[ProgressWrite]
) -> Response:
    row = _enrollment(api, user_id, published_course_id)
    body = parse(model, api.body)
    if "published_course_id" in body.model_fields_set and body.published_course_id is not None:
        named = api.ref("published_course", body.published_course_id, "published_course_id")
        if named != row.published_course_id:
            message = "Does not match the published course of the URL."
            raise FieldErrors({"published_course_id": [message]})
    written = body.course_progress
    given = written.model_fields_set
    try:
        record_course_progress(
            api.session,
            api.ctx,
            user_id=row.user_id,
            course_id=row.course_id,
            completed_at=written.completed_at if "completed_at" in given else UNSET,
            score=written.score if "score" in given else UNSET,
            max_score=written.max_score if "max_score" in given else UNSET,
            enrollment_id=row.id,
            expected_version=api.expected_version,
        )
    except Invalid as error:
        if error.field not in {"score", "max_score"}:
            raise
        raise FieldErrors({"course_progress": {error.field: [error.message]}}) from None
    return _respond(api, row)


@router.put(
    PATH,
    operation_id="users_published_courses_update",
    summary="Update a user's progress in a published course (partial, as PATCH)",
    openapi_extra=openapi_body(ProgressWrite),
)
def put(user_id: str, published_course_id: str, api: WriteApi) -> Response:
    return _update(api, user_id, published_course_id, ProgressWrite)


@router.patch(
    PATH,
    operation_id="users_published_courses_partial_update",
    summary="Partially update a user's progress in a published course",
    openapi_extra=openapi_body(ProgressPatch),
)
def patch(user_id: str, published_course_id: str, api: WriteApi) -> Response:
    return _update(api, user_id, published_course_id, ProgressPatch)
