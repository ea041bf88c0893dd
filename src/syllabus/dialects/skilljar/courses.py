"""Courses, lessons and paths: ``/v1/courses``, ``/v1/lessons``, ``/v1/paths``.

A course created here is not published anywhere until it gets a published course on a domain
(``POST /v1/domains/{d}/published-courses``), as in Skilljar.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.responses import Response

from syllabus.core.errors import NotFound
from syllabus.dialects.skilljar.api import Api, ReadApi, WriteApi, etag, json
from syllabus.dialects.skilljar.body import WireModel, openapi_body, parse
from syllabus.dialects.skilljar.pagination import envelope, page_request
from syllabus.dialects.skilljar.query_params import LessonQuery, PagingQuery
from syllabus.dialects.skilljar.render import ts
from syllabus.dialects.skilljar.routing import SkilljarRouter
from syllabus.domain.courses import ItemType
from syllabus.queries.courses.skilljar import (
    SKILLJAR_COURSES,
    SKILLJAR_LESSONS,
    skilljar_course,
    skilljar_course_tags,
    skilljar_lesson,
    skilljar_lesson_counts,
)
from syllabus.queries.learning_paths.skilljar import (
    SKILLJAR_PATH_ITEMS,
    SKILLJAR_PATHS,
    skilljar_path,
    skilljar_path_course_counts,
)
from syllabus.services.courses import CourseData, create_course, delete_course, update_course

router = SkilljarRouter(tags=["Courses"])

LESSON_TYPES = {
    ItemType.ARTICLE: "HTML",
    ItemType.HTML: "HTML",
    ItemType.ASSET: "ASSET",
    ItemType.WEB_PACKAGE: "WEB_PACKAGE",
    ItemType.QUIZ: "QUIZ",
    ItemType.EXAM: "QUIZ",
    ItemType.SURVEY: "QUIZ",
    ItemType.VILT: "VILT",
    ItemType.ILT: "VILT",
    ItemType.MODULAR: "MODULAR",
    ItemType.SECTION: "SECTION",
    ItemType.ASSIGNMENT: "HTML",
}
"""Our item types in Skilljar's lesson vocabulary."""


class CourseWrite(WireModel):
    title: str | None = None
    short_description: str | None = None
    long_description_html: str | None = None
    enforce_sequential_navigation: bool | None = None
    labels: list[str] | None = None
    display_course_and_lesson_time: bool | None = None
    manual_course_time: str | None = None
    display_manual_course_time: bool | None = None
    course_and_lesson_time_format: str | None = None
    credits: Decimal | None = None
    """An addition: the credits a learner earns by completing the course."""


class CourseCreate(CourseWrite):
    title: str


_COURSE_FIELDS = {
    "title": "name",
    "short_description": "description",
    "long_description_html": "long_description_html",
    "enforce_sequential_navigation": "force_order",
    "labels": "tags",
    "display_course_and_lesson_time": "display_course_and_lesson_time",
    "manual_course_time": "manual_course_time",
    "display_manual_course_time": "display_manual_course_time",
    "course_and_lesson_time_format": "course_and_lesson_time_format",
    "credits": "credits",
}


def _course_data(body: CourseWrite) -> CourseData:
    values = {
        ours: getattr(body, theirs)
        for theirs, ours in _COURSE_FIELDS.items()
        if theirs in body.model_fields_set
    }
    return CourseData(**values)


def course_view(api: Api, row: Any, labels: list[str], counts: tuple[int, int]) -> dict[str, Any]:
    return {
        "id": api.id("course", row.id),
        "title": row.name,
        "short_description": row.description,
        "long_description_html": row.long_description_html,
        "enforce_sequential_navigation": row.force_order,
        "labels": labels,
        "draft_origin_id": api.opt_id("course", row.draft_origin_id),
        "promo_image_url": row.picture_url,
        "display_course_and_lesson_time": row.display_course_and_lesson_time,
        "manual_course_time": row.manual_course_time,
        "display_manual_course_time": row.display_manual_course_time,
        "course_and_lesson_time_format": str(row.course_and_lesson_time_format),
        "course_time": row.manual_course_time or None,
        "lesson_count": counts[0],
        "required_lesson_count": counts[1],
        "active": row.active,
        "created_at": ts(row.created_at),
        "modified_at": ts(row.updated_at),
        "average_rating": None,
        "credits": None if row.credits is None else format(row.credits.normalize(), "f"),
    }


def _render_courses(api: Api, rows: Any) -> dict[int, dict[str, Any]]:
    ids = [r.id for r in rows]
    tags = skilljar_course_tags(api.session, api.ctx, ids)
    counts = skilljar_lesson_counts(api.session, api.ctx, ids)
    return {r.id: course_view(api, r, tags.get(r.id, []), counts.get(r.id, (0, 0))) for r in rows}


def _respond_course(api: Api, course_id: int, status: int = 200) -> Response:
    row = skilljar_course(api.session, api.ctx, course_id)
    if row is None:
        raise NotFound("course")
    body = _render_courses(api, [row])[row.id]
    return json(body, status, tag=etag((row.version,)))


@router.get("/courses", operation_id="courses_list", summary="List courses")
def list_courses(api: ReadApi, paging: PagingQuery) -> Response:
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = SKILLJAR_COURSES.rows(api.session, api.ctx, pr.window())
    views = _render_courses(api, rows[: pr.size])
    count = lambda: SKILLJAR_COURSES.count(api.session, api.ctx)  # noqa: E731
    return json(envelope(api.request, api.ids, pr, rows, lambda r: views[r.id], count=count))


@router.post(
    "/courses",
    operation_id="courses_create",
    summary="Create a course",
    status_code=201,
    openapi_extra=openapi_body(CourseCreate),
)
def create(api: WriteApi) -> Response:
    body = parse(CourseCreate, api.body)
    course = create_course(api.session, api.ctx, data=_course_data(body), publish=False)
    return _respond_course(api, course.id, 201)


@router.get("/courses/{course_id}", operation_id="courses_retrieve", summary="A course")
def retrieve(course_id: str, api: ReadApi) -> Response:
    return _respond_course(api, api.path_id("course", course_id))


def _update(api: Api, public_id: str) -> Response:
    course_id = api.path_id("course", public_id)
    body = parse(CourseWrite, api.body)
    update_course(
        api.session,
        api.ctx,
        course_id=course_id,
        changes=_course_data(body),
        expected_version=api.expected_version,
    )
    return _respond_course(api, course_id)


@router.put(
    "/courses/{course_id}",
    operation_id="courses_update",
    summary="Update a course",
    openapi_extra=openapi_body(CourseWrite),
)
def put(course_id: str, api: WriteApi) -> Response:
    return _update(api, course_id)


@router.patch(
    "/courses/{course_id}",
    operation_id="courses_partial_update",
    summary="Partially update a course",
    openapi_extra=openapi_body(CourseWrite),
)
def patch(course_id: str, api: WriteApi) -> Response:
    return _update(api, course_id)


@router.delete(
    "/courses/{course_id}", operation_id="courses_destroy", summary="Delete", status_code=204
)
def destroy(course_id: str, api: WriteApi) -> Response:
    delete_course(api.session, api.ctx, course_id=api.path_id("course", course_id))
    return Response(status_code=204)


def lesson_view(api: Api, row: Any) -> dict[str, Any]:
    kind = LESSON_TYPES.get(ItemType(row.item_type), "HTML")
    content = api.opt_id("content", row.content_id)
    return {
        "id": api.id("lesson", row.id),
        "course_id": api.id("course", row.course_id),
        "title": row.name,
        "type": kind,
        "order": row.position,
        "optional": not row.mandatory,
        "content_html": row.content_html,
        "description_html": row.description,
        "display_fullscreen": row.display_fullscreen,
        "search_keywords": row.search_keywords,
        "time_seconds": row.time_seconds,
        "tooltip_html": row.tooltip_html,
        "content_asset_id": content if kind == "ASSET" else None,
        "content_quiz_id": content if kind == "QUIZ" else None,
        "content_web_package_id": content if kind == "WEB_PACKAGE" else None,
    }


@router.get(
    "/lessons", operation_id="lessons_list", summary="Lessons (of a course)", tags=["Lessons"]
)
def list_lessons(api: ReadApi, query: LessonQuery, paging: PagingQuery) -> Response:
    """``?course_id=`` limits the list to one course's lessons (``order`` is their place)."""
    filters: dict[str, Any] = {}
    course = query.course_id
    if course:
        filters["course_id"] = api.ids.decode("course", course) or 0
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = SKILLJAR_LESSONS.rows(api.session, api.ctx, pr.window(), filters)
    count = lambda: SKILLJAR_LESSONS.count(api.session, api.ctx, filters)  # noqa: E731
    body = envelope(api.request, api.ids, pr, rows, lambda r: lesson_view(api, r), count=count)
    return json(body)


@router.get(
    "/lessons/{lesson_id}", operation_id="lessons_retrieve", summary="A lesson", tags=["Lessons"]
)
def retrieve_lesson(lesson_id: str, api: ReadApi) -> Response:
    row = skilljar_lesson(api.session, api.ctx, api.path_id("lesson", lesson_id))
    if row is None:
        raise NotFound("lesson")
    return json(lesson_view(api, row), tag=etag((row.version,)))


def path_view(api: Api, row: Any, item_count: int) -> dict[str, Any]:
    return {
        "id": api.id("path", row.id),
        "title": row.name,
        "promo_image_url": row.picture_url,
        "short_description": row.description,
        "long_description_html": row.long_description_html,
        "header_html": row.header_html,
        "course_name_singular": row.course_name_singular,
        "course_name_plural": row.course_name_plural,
        "path_item_count": item_count,
    }


@router.get("/paths", operation_id="paths_list", summary="Paths", tags=["Paths"])
def list_paths(api: ReadApi, paging: PagingQuery) -> Response:
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = SKILLJAR_PATHS.rows(api.session, api.ctx, pr.window())
    counts = skilljar_path_course_counts(api.session, api.ctx, [r.id for r in rows])
    count = lambda: SKILLJAR_PATHS.count(api.session, api.ctx)  # noqa: E731
    return json(
        envelope(
            api.request,
            api.ids,
            pr,
            rows,
            lambda r: path_view(api, r, counts.get(r.id, 0)),
            count=count,
        )
    )


@router.get("/paths/{path_id}", operation_id="paths_retrieve", summary="A path", tags=["Paths"])
def retrieve_path(path_id: str, api: ReadApi) -> Response:
    row = skilljar_path(api.session, api.ctx, api.path_id("path", path_id))
    if row is None:
        raise NotFound("path")
    count = skilljar_path_course_counts(api.session, api.ctx, [row.id]).get(row.id, 0)
    return json(path_view(api, row, count), tag=etag((row.version,)))


@router.get(
    "/paths/{path_id}/path-items",
    operation_id="paths_path_items_list",
    summary="Path items",
    tags=["Paths"],
)
def path_items(path_id: str, api: ReadApi, paging: PagingQuery) -> Response:
    pid = api.path_id("path", path_id)
    if skilljar_path(api.session, api.ctx, pid) is None:
        raise NotFound("path")
    filters = {"path_id": pid}
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = SKILLJAR_PATH_ITEMS.rows(api.session, api.ctx, pr.window(), filters)
    counts = skilljar_lesson_counts(api.session, api.ctx, [r.course_id for r in rows])
    count = lambda: SKILLJAR_PATH_ITEMS.count(api.session, api.ctx, filters)  # noqa: E731

    def render(r: Any) -> dict[str, Any]:
        lessons = counts.get(r.course_id, (0, 0))
        return {
            "id": api.id("path_item", r.id),
            "slug": None,
            "order": r.position,
            "course": {
                "id": api.id("course", r.course_id),
                "title": r.course_name,
                "lesson_count": lessons[0],
                "required_lesson_count": lessons[1],
            },
        }

    body = envelope(api.request, api.ids, pr, rows, render, count=count)
    return json(body)
