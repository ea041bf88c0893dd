"""Published courses on a domain and their enrollments:
``/v1/domains/{domain_name}/published-courses[/{pc}[/enrollments[/{id}]]]``.

Enrolling is idempotent for the same user (the existing enrollment comes back, 200), and the
user must be registered on the domain first.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from syllabus.core.errors import NotFound
from syllabus.core.fields import UNSET
from syllabus.dialects.skilljar.api import Api, ReadApi, WriteApi, etag, json
from syllabus.dialects.skilljar.body import UtcDateTime, WireModel, openapi_body, parse
from syllabus.dialects.skilljar.domains import domain_id_of
from syllabus.dialects.skilljar.pagination import envelope, page_request
from syllabus.dialects.skilljar.query_params import PagingQuery, PublishedCourseQuery
from syllabus.dialects.skilljar.render import ts
from syllabus.dialects.skilljar.routing import SkilljarRouter
from syllabus.dialects.skilljar.user_courses import (
    enrollment_progress,
    guide_enrollment,
    guide_enrollments,
)
from syllabus.queries.courses.skilljar import (
    SKILLJAR_PUBLISHED_COURSES,
    skilljar_lesson_counts,
    skilljar_published_course,
)
from syllabus.queries.enrollments import OF_PUBLICATION, get_enrollment
from syllabus.queries.progress.skilljar import ProgressView
from syllabus.services.domain_enrollments import (
    EnrollmentChanges,
    enroll_in_publication,
    enrollment_version,
    update_enrollment,
)
from syllabus.services.publications import (
    PublicationSettings,
    publish_course,
    unpublish_course,
    update_publication,
)

router = SkilljarRouter(tags=["Published courses"])
BASE = "/domains/{domain_name}/published-courses"
_FLAGS = (
    "hidden",
    "strict_enforce_group_visibility",
    "registration_required",
    "restrict_access_start_end_dates",
    "allow_self_service_reenroll",
    "unique_progress_per_enrollment",
    "require_all_prerequisites",
)


class RefBody(WireModel):
    id: str


class PublicationWrite(WireModel):
    slug: str | None = None
    hidden: bool | None = None
    strict_enforce_group_visibility: bool | None = None
    registration_required: bool | None = None
    registration_starts_at: UtcDateTime | None = None
    registration_ends_at: UtcDateTime | None = None
    restrict_access_start_end_dates: bool | None = None
    allow_self_service_reenroll: bool | None = None
    unique_progress_per_enrollment: bool | None = None
    require_all_prerequisites: bool | None = None


class PublicationCreate(PublicationWrite):
    course: RefBody


class EnrollmentCreate(WireModel):
    user: RefBody
    expires_at: UtcDateTime | None = None
    active: bool | None = None


class EnrollmentUpdate(WireModel):
    expires_at: UtcDateTime | None = None
    active: bool | None = None


def _settings(body: PublicationWrite) -> PublicationSettings:
    values: dict[str, Any] = {}
    for name in body.model_fields_set:
        if name == "course":
            continue
        value = getattr(body, name)
        if value is None and (name in _FLAGS or name == "slug"):
            continue  # null for a flag or slug means "leave it"
        values[name] = value
    return PublicationSettings(**values)


def publication_view(
    api: Api, row: Any, domain_name: str, lessons: tuple[int, int]
) -> dict[str, Any]:
    return {
        "id": api.id("published_course", row.id),
        "course": {
            "id": api.id("course", row.course_id),
            "title": row.course_name,
            "lesson_count": lessons[0],
            "required_lesson_count": lessons[1],
        },
        "slug": row.slug,
        "course_url": f"https://{domain_name}/{row.slug}",
        **{name: getattr(row, name) for name in _FLAGS},
        "registration_starts_at": ts(row.registration_starts_at),
        "registration_ends_at": ts(row.registration_ends_at),
        "timezone": None,
        "offer": None,
        "domain_name": domain_name,
    }


def _publication(api: Api, domain_id: int, public_id: str) -> Any:
    row = skilljar_published_course(
        api.session, api.ctx, api.path_id("published_course", public_id)
    )
    if row is None or row.domain_id != domain_id:
        raise NotFound("published course")
    return row


def _respond(api: Api, domain_name: str, pc_id: int, status: int = 200) -> Response:
    row = skilljar_published_course(api.session, api.ctx, pc_id)
    if row is None:
        raise NotFound("published course")
    lessons = skilljar_lesson_counts(api.session, api.ctx, [row.course_id]).get(
        row.course_id, (0, 0)
    )
    body = publication_view(api, row, domain_name.strip().lower(), lessons)
    return json(body, status, tag=etag((row.version,)))


@router.get(BASE, operation_id="domains_published_courses_list", summary="Published courses")
def list_publications(
    domain_name: str, api: ReadApi, query: PublishedCourseQuery, paging: PagingQuery
) -> Response:
    filters: dict[str, Any] = {"domain_id": domain_id_of(api, domain_name)}
    course = query.course__id
    if course:
        filters["course_id"] = api.ids.decode("course", course) or 0
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = SKILLJAR_PUBLISHED_COURSES.rows(api.session, api.ctx, pr.window(), filters)
    counts = skilljar_lesson_counts(api.session, api.ctx, [r.course_id for r in rows])
    name = domain_name.strip().lower()
    count = lambda: SKILLJAR_PUBLISHED_COURSES.count(api.session, api.ctx, filters)  # noqa: E731
    return json(
        envelope(
            api.request,
            api.ids,
            pr,
            rows,
            lambda r: publication_view(api, r, name, counts.get(r.course_id, (0, 0))),
            count=count,
        )
    )


@router.post(
    BASE,
    operation_id="domains_published_courses_create",
    summary="Publish a course on the domain",
    status_code=201,
    openapi_extra=openapi_body(PublicationCreate),
)
def create_publication(domain_name: str, api: WriteApi) -> Response:
    domain_id = domain_id_of(api, domain_name)
    body = parse(PublicationCreate, api.body)
    course_id = api.ref("course", body.course.id, "course")
    publication = publish_course(
        api.session, api.ctx, course_id=course_id, domain_id=domain_id, settings=_settings(body)
    )
    return _respond(api, domain_name, publication.id, 201)


@router.get(
    BASE + "/{published_course_id}",
    operation_id="domains_published_courses_retrieve",
    summary="A published course",
)
def retrieve_publication(domain_name: str, published_course_id: str, api: ReadApi) -> Response:
    row = _publication(api, domain_id_of(api, domain_name), published_course_id)
    return _respond(api, domain_name, row.id)


def _update(api: Api, domain_name: str, published_course_id: str) -> Response:
    row = _publication(api, domain_id_of(api, domain_name), published_course_id)
    body = parse(PublicationWrite, api.body)
    update_publication(
        api.session,
        api.ctx,
        published_course_id=row.id,
        settings=_settings(body),
        expected_version=api.expected_version,
    )
    return _respond(api, domain_name, row.id)


@router.put(
    BASE + "/{published_course_id}",
    operation_id="domains_published_courses_update",
    summary="Update a published course",
    openapi_extra=openapi_body(PublicationWrite),
)
def put_publication(domain_name: str, published_course_id: str, api: WriteApi) -> Response:
    return _update(api, domain_name, published_course_id)


@router.patch(
    BASE + "/{published_course_id}",
    operation_id="domains_published_courses_partial_update",
    summary="Partially update a published course",
    openapi_extra=openapi_body(PublicationWrite),
)
def patch_publication(domain_name: str, published_course_id: str, api: WriteApi) -> Response:
    return _update(api, domain_name, published_course_id)


@router.delete(
    BASE + "/{published_course_id}",
    operation_id="domains_published_courses_destroy",
    summary="Unpublish",
    status_code=204,
)
def delete_publication(domain_name: str, published_course_id: str, api: WriteApi) -> Response:
    row = _publication(api, domain_id_of(api, domain_name), published_course_id)
    unpublish_course(api.session, api.ctx, published_course_id=row.id)
    return Response(status_code=204)


ENROLLMENTS = BASE + "/{published_course_id}/enrollments"


@router.get(ENROLLMENTS, operation_id="domains_published_courses_enrollments_list")
def list_enrollments(
    domain_name: str, published_course_id: str, api: ReadApi, paging: PagingQuery
) -> Response:
    row = _publication(api, domain_id_of(api, domain_name), published_course_id)
    filters = {"published_course_id": row.id}
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = OF_PUBLICATION.rows(api.session, api.ctx, pr.window(), filters)
    count = lambda: OF_PUBLICATION.count(api.session, api.ctx, filters)  # noqa: E731
    return json(envelope(api.request, api.ids, pr, rows, guide_enrollments(api, rows), count=count))


@router.post(
    ENROLLMENTS,
    operation_id="domains_published_courses_enrollments_create",
    summary="Enroll a domain user (idempotent)",
    status_code=201,
    openapi_extra=openapi_body(EnrollmentCreate),
)
def create_enrollment(domain_name: str, published_course_id: str, api: WriteApi) -> Response:
    """201 with a new enrollment; 200 with the existing one when the user is enrolled."""
    row = _publication(api, domain_id_of(api, domain_name), published_course_id)
    body = parse(EnrollmentCreate, api.body)
    user_id = api.ref("user", body.user.id, "user")
    enrollment, created = enroll_in_publication(
        api.session,
        api.ctx,
        published_course_id=row.id,
        user_id=user_id,
        expires_at=body.expires_at,
        active=body.active is not False,
    )
    return _respond_enrollment(api, row.id, enrollment.id, 201 if created else 200)


def _respond_enrollment(api: Api, pc_id: int, enrollment_id: int, status: int = 200) -> Response:
    found = get_enrollment(api.session, api.ctx, enrollment_id)
    if found is None or found.published_course_id != pc_id:
        raise NotFound("enrollment")
    progress = enrollment_progress(api, [found]).get((found.user_id, found.course_id))
    tag = _enrollment_tag(found, progress)
    return json(guide_enrollment(api, found, progress), status, tag=tag)


def _enrollment_tag(row: Any, progress: ProgressView | None) -> str:
    """The enrollment shows its progress record too (``enrollment_version``)."""
    shown = (progress.id, progress.version) if progress else None
    return etag(enrollment_version(row.version, shown))


@router.get(
    ENROLLMENTS + "/{enrollment_id}", operation_id="domains_published_courses_enrollments_retrieve"
)
def retrieve_enrollment(
    domain_name: str, published_course_id: str, enrollment_id: str, api: ReadApi
) -> Response:
    row = _publication(api, domain_id_of(api, domain_name), published_course_id)
    return _respond_enrollment(api, row.id, api.path_id("enrollment", enrollment_id))


def _update_enrollment(
    api: Api, domain_name: str, published_course_id: str, enrollment_id: str
) -> Response:
    row = _publication(api, domain_id_of(api, domain_name), published_course_id)
    eid = api.path_id("enrollment", enrollment_id)
    found = get_enrollment(api.session, api.ctx, eid)
    if found is None or found.published_course_id != row.id:
        raise NotFound("enrollment")
    body = parse(EnrollmentUpdate, api.body)
    given = body.model_fields_set
    changes = EnrollmentChanges(
        active=body.active if "active" in given and body.active is not None else UNSET,
        expires_at=body.expires_at if "expires_at" in given else UNSET,
    )
    update_enrollment(
        api.session,
        api.ctx,
        enrollment_id=eid,
        changes=changes,
        expected_version=api.expected_version,
    )
    return _respond_enrollment(api, row.id, eid)


@router.put(
    ENROLLMENTS + "/{enrollment_id}",
    operation_id="domains_published_courses_enrollments_update",
    openapi_extra=openapi_body(EnrollmentUpdate),
)
def put_enrollment(
    domain_name: str, published_course_id: str, enrollment_id: str, api: WriteApi
) -> Response:
    return _update_enrollment(api, domain_name, published_course_id, enrollment_id)


@router.patch(
    ENROLLMENTS + "/{enrollment_id}",
    operation_id="domains_published_courses_enrollments_partial_update",
    openapi_extra=openapi_body(EnrollmentUpdate),
)
def patch_enrollment(
    domain_name: str, published_course_id: str, enrollment_id: str, api: WriteApi
) -> Response:
    return _update_enrollment(api, domain_name, published_course_id, enrollment_id)
