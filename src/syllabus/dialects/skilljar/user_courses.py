"""A user's courses, paths, groups and access: ``/v1/users/{id}/...``.

``published-courses`` is a bare JSON array (exactly ``[]`` when empty), as the official
document says. Progress fields come from the user's course progress record, read for the whole
page at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.responses import Response

from syllabus.core.errors import NotFound
from syllabus.dialects.skilljar.api import Api, ReadApi, WriteApi, json
from syllabus.dialects.skilljar.body import WireModel, openapi_body, parse
from syllabus.dialects.skilljar.certificates import (
    Completions,
    certificate_json,
    completions,
    credits_earned,
)
from syllabus.dialects.skilljar.pagination import envelope, page_request
from syllabus.dialects.skilljar.query_params import PagingQuery
from syllabus.dialects.skilljar.render import ts, user_ref
from syllabus.dialects.skilljar.routing import SkilljarRouter
from syllabus.domain.progress import ProgressStatus
from syllabus.queries.access import Via, course_access
from syllabus.queries.catalog_access import catalog_course_entries
from syllabus.queries.courses import get_courses
from syllabus.queries.courses.skilljar import skilljar_lesson_counts
from syllabus.queries.enrollments import (
    OF_USER,
    EnrollmentRow,
    get_enrollment,
    user_enrollments,
)
from syllabus.queries.groups.skilljar import SKILLJAR_USER_MEMBERSHIPS
from syllabus.queries.learning_paths.skilljar import (
    skilljar_path_course_counts,
    skilljar_user_path_enrollments,
)
from syllabus.queries.progress.skilljar import (
    PathProgress,
    ProgressByPair,
    ProgressView,
    skilljar_path_progress,
    skilljar_progress_for_pairs,
)
from syllabus.queries.users import get_user
from syllabus.services.domain_enrollments import enroll_in_course

router = SkilljarRouter(tags=["Users"])


def _user_id(api: Api, public_id: str) -> int:
    user_id = api.path_id("user", public_id)
    if get_user(api.session, api.ctx, user_id) is None:
        raise NotFound("user", [public_id])
    return user_id


_SUCCESS = {ProgressStatus.PASSED: "PASSED", ProgressStatus.FAILED: "FAILED"}


def enrollment_progress(api: Api, rows: Sequence[EnrollmentRow]) -> ProgressByPair:
    """The progress records of a page of enrollments, in a constant number of queries."""
    return skilljar_progress_for_pairs(
        api.session, api.ctx, [(r.user_id, r.course_id) for r in rows]
    )


def course_progress(
    api: Api, row: EnrollmentRow, progress: ProgressView | None, done: Completions | None = None
) -> dict[str, Any]:
    """CourseProgress: the record's completion, lessons and score (a percentage, so its
    maximum is 100), and the course's credits once completed; an enrollment without a record
    yet shows none of it."""
    if progress is None:
        return {
            "course_progress_id": None,
            "completed_lesson_count": 0,
            "completed_required_lesson_count": 0,
            "completed_at": None,
            "latest_activity": ts(row.enrolled_at),
            "score": None,
            "max_score": None,
            "credits_earned": "",
            "credit_unit_plural": "",
            "success_status": None,
        }
    earned, unit = credits_earned(progress, done.credits.get(row.course_id) if done else None)
    return {
        "course_progress_id": api.id("course_progress", progress.id),
        "completed_lesson_count": progress.completed_lessons,
        "completed_required_lesson_count": progress.completed_required_lessons,
        "completed_at": ts(progress.completed_at),
        "latest_activity": ts(progress.updated_at),
        "score": progress.score,
        "max_score": None if progress.score is None else 100,
        "credits_earned": earned,
        "credit_unit_plural": unit,
        "success_status": _SUCCESS.get(progress.status),
    }


def progress_view(
    api: Api,
    row: EnrollmentRow,
    counts: tuple[int, int],
    progress: ProgressView | None,
    done: Completions | None = None,
) -> dict[str, Any]:
    """UserPublishedCourseProgress from an enrollment row, its progress record and (from
    ``completions``) its certificate and credits."""
    enrollment_id = api.id("enrollment", row.id)
    progress_id = api.id("course_progress", progress.id) if progress else None
    return {
        "published_course_id": api.id("published_course", row.published_course_id),
        "domain_name": row.domain_name,
        "enrolled_at": ts(row.enrolled_at),
        "enrollment_id": enrollment_id,
        "course": {
            "id": api.id("course", row.course_id),
            "title": row.course_name,
            "lesson_count": counts[0],
            "required_lesson_count": counts[1],
        },
        "course_progress": course_progress(api, row, progress, done),
        "certificate": certificate_json(
            api, done.certificates.get(progress.id) if done and progress else None
        ),
        "all_enrollments": [
            {
                "course_progress_id": progress_id,
                "active": row.active,
                "expires_at": ts(row.expires_at),
                "enrollment_id": enrollment_id,
            }
        ],
    }


def guide_enrollment(
    api: Api, row: EnrollmentRow, progress: ProgressView | None = None
) -> dict[str, Any]:
    """The guide's enrollment (id, user_id, course_id, status, progress as a percentage)
    with the official fields; a passed course is ``completed``."""
    status = "enrolled" if row.active else "inactive"
    if progress is not None and progress.status is ProgressStatus.PASSED:
        status = "completed"
    return {
        "id": api.id("enrollment", row.id),
        "user_id": api.id("user", row.user_id),
        "course_id": api.id("course", row.course_id),
        "published_course_id": api.id("published_course", row.published_course_id),
        "domain_name": row.domain_name,
        "status": status,
        "progress": None if progress is None else progress.percent_viewed,
        "completed_at": None if progress is None else ts(progress.completed_at),
        "user": user_ref(api, row.user_id, row.user_email, row.user_first_name, row.user_last_name),
        "enrolled_at": ts(row.enrolled_at),
        "expires_at": ts(row.expires_at),
        "active": row.active,
        "purchase": None,
        "rating": None,
        "feedback": None,
    }


def guide_enrollments(api: Api, rows: Sequence[EnrollmentRow]) -> Callable[[Any], dict[str, Any]]:
    """The renderer of a page of guide enrollments, their progress read at once."""
    progress = enrollment_progress(api, rows)
    return lambda r: guide_enrollment(api, r, progress.get((r.user_id, r.course_id)))


@router.get(
    "/users/{user_id}/published-courses",
    operation_id="users_published_courses_list",
    summary="A user's published courses with progress (bare array)",
)
def published_courses(user_id: str, api: ReadApi) -> Response:
    rows = user_enrollments(api.session, api.ctx, _user_id(api, user_id))
    counts = skilljar_lesson_counts(api.session, api.ctx, [r.course_id for r in rows])
    progress = enrollment_progress(api, rows)
    done = completions(api, [r.course_id for r in rows], progress.values())
    return json(
        [
            progress_view(
                api,
                r,
                counts.get(r.course_id, (0, 0)),
                progress.get((r.user_id, r.course_id)),
                done,
            )
            for r in rows
        ]
    )


@router.get(
    "/users/{user_id}/published-path-enrollments",
    operation_id="users_published_path_enrollments_list",
    summary="A user's path enrollments (bare array)",
)
def path_enrollments(user_id: str, api: ReadApi) -> Response:
    """Path progress counts the path's courses the user has passed; the path is complete when
    all are, on the last one's completion date."""
    uid = _user_id(api, user_id)
    rows = skilljar_user_path_enrollments(api.session, api.ctx, uid)
    counts = skilljar_path_course_counts(api.session, api.ctx, [r.path_id for r in rows])
    progress = skilljar_path_progress(api.session, api.ctx, uid, [r.path_id for r in rows])
    return json(
        [_path_view(api, r, counts.get(r.path_id, 0), progress.get(r.path_id)) for r in rows]
    )


def _path_view(api: Api, r: Any, courses: int, progress: PathProgress | None) -> dict[str, Any]:
    passed = progress.passed if progress else 0
    done = progress.completed_at if progress and courses and passed >= courses else None
    activity = [v for v in (r.enrolled_at, progress.updated_at if progress else None) if v]
    return {
        "published_path_id": None,
        "path_id": api.id("path", r.path_id),
        "domain_name": None,
        "enrolled_at": ts(r.enrolled_at),
        "expires_at": ts(r.expires_at),
        "active": r.active,
        "enrollment_id": api.id("path_enrollment", r.id),
        "published_path": {
            "id": api.id("path", r.path_id),
            "title": r.path_name,
            "course_count": courses,
        },
        "published_path_progress": {
            "path_progress_id": api.id("path_enrollment", r.id),
            "completed_course_count": passed,
            "completed_required_course_count": passed,
            "completed_at": ts(done),
            "latest_activity": ts(max(activity)) if activity else None,
        },
    }


@router.get("/users/{user_id}/groups", operation_id="users_groups_list", summary="A user's groups")
def user_groups(user_id: str, api: ReadApi, paging: PagingQuery) -> Response:
    uid = _user_id(api, user_id)
    pr = page_request(paging, api.ids, cursor_default=False)
    filters = {"user_id": uid}
    rows = SKILLJAR_USER_MEMBERSHIPS.rows(api.session, api.ctx, pr.window(), filters)
    return json(
        envelope(
            api.request,
            api.ids,
            pr,
            rows,
            lambda r: {
                "id": api.id("group_membership", r.id),
                "group": {"id": api.id("group", r.group_id), "name": r.group_name},
                "joined_at": ts(r.created_at),
            },
            count=lambda: SKILLJAR_USER_MEMBERSHIPS.count(api.session, api.ctx, filters),
        )
    )


@router.get(
    "/users/{user_id}/enrollments",
    operation_id="users_enrollments_guide",
    summary="A user's enrollments (integration guide)",
)
def list_enrollments(user_id: str, api: ReadApi, paging: PagingQuery) -> Response:
    uid = _user_id(api, user_id)
    pr = page_request(paging, api.ids, cursor_default=False)
    filters = {"user_id": uid}
    rows = OF_USER.rows(api.session, api.ctx, pr.window(), filters)
    return json(
        envelope(
            api.request,
            api.ids,
            pr,
            rows,
            guide_enrollments(api, rows),
            count=lambda: OF_USER.count(api.session, api.ctx, filters),
        )
    )


class GuideEnrollment(WireModel):
    course_id: str


@router.post(
    "/users/{user_id}/enrollments",
    operation_id="users_enrollments_create_guide",
    summary="Enroll a user in a course (integration guide)",
    status_code=201,
    openapi_extra=openapi_body(GuideEnrollment),
)
def create_enrollment(user_id: str, api: WriteApi) -> Response:
    """The course must exist and be published; already enrolled answers 200 with the
    existing enrollment, a new one 201."""
    uid = api.path_id("user", user_id)
    body = parse(GuideEnrollment, api.body)
    course_id = api.ref("course", body.course_id, "course_id")
    enrollment, created = enroll_in_course(api.session, api.ctx, user_id=uid, course_id=course_id)
    row = get_enrollment(api.session, api.ctx, enrollment.id)
    assert row is not None
    progress = enrollment_progress(api, [row]).get((row.user_id, row.course_id))
    return json(guide_enrollment(api, row, progress), 201 if created else 200)


_VIA = {
    Via.DIRECT: "direct",
    Via.GROUP: "group",
    Via.LEARNING_PATH: "path",
    Via.GROUP_LEARNING_PATH: "group_path",
}


@router.get(
    "/users/{user_id}/access",
    operation_id="users_access_list",
    summary="Every course the user can access, and through what",
)
def access(user_id: str, api: ReadApi) -> Response:
    """Direct enrollment, group, path (direct or through a group) and catalog, per course."""
    uid = _user_id(api, user_id)
    reasons: dict[int, list[dict[str, Any]]] = {}
    for item in course_access(api.session, api.ctx, uid):
        for reason in item.reasons:
            via: dict[str, Any] = {"type": _VIA[reason.via]}
            if reason.via is Via.DIRECT:
                via["enrollment_id"] = api.id("enrollment", reason.source_id)
            elif reason.via is Via.GROUP:
                via["group_id"] = api.id("group", reason.source_id)
            else:
                via["path_id"] = api.id("path", reason.source_id)
                if reason.group_id is not None:
                    via["group_id"] = api.id("group", reason.group_id)
            reasons.setdefault(item.course_id, []).append(via)
    for course_id, entries in catalog_course_entries(api.session, api.ctx, uid).items():
        for entry in entries:
            reasons.setdefault(course_id, []).append(
                {"type": "catalog", "catalog_entry_id": api.id("catalog_entry", entry)}
            )
    titles = {d.course.id: d.course.name for d in get_courses(api.session, api.ctx, list(reasons))}
    return json(
        {
            "user_id": api.id("user", uid),
            "courses": [
                {
                    "course_id": api.id("course", course_id),
                    "title": titles.get(course_id),
                    "via": reasons[course_id],
                }
                for course_id in sorted(reasons)
            ],
        }
    )
