"""Published paths on a domain, their items and enrollments:
``/v1/domains/{domain_name}/published-paths[/{pp}[/path-items|/published-path-enrollments]]``.

Creating one takes a new path (``path: {"title", ...}``, the official body) or an existing
one (``path: {"id"}``).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from syllabus.core.errors import NotFound
from syllabus.dialects.skilljar.api import Api, ReadApi, WriteApi, etag, json
from syllabus.dialects.skilljar.body import WireModel, openapi_body, parse
from syllabus.dialects.skilljar.domains import domain_id_of
from syllabus.dialects.skilljar.errors import field_error
from syllabus.dialects.skilljar.pagination import envelope, page_request
from syllabus.dialects.skilljar.query_params import PagingQuery
from syllabus.dialects.skilljar.render import ts, user_ref
from syllabus.dialects.skilljar.routing import SkilljarRouter
from syllabus.queries.courses.skilljar import skilljar_publications_by_course
from syllabus.queries.learning_paths.skilljar import (
    SKILLJAR_PATH_ENROLLMENTS,
    SKILLJAR_PATH_ITEMS,
    SKILLJAR_PUBLISHED_PATHS,
    skilljar_path_course_counts,
    skilljar_path_enrollment,
    skilljar_published_path,
)
from syllabus.services.learning_paths import LearningPathData
from syllabus.services.path_publications import (
    PathPublicationSettings,
    enroll_in_published_path,
    publish_path,
    unpublish_path,
    update_path_publication,
)

router = SkilljarRouter(tags=["Published paths"])
BASE = "/domains/{domain_name}/published-paths"


class PathBody(WireModel):
    id: str | None = None
    title: str | None = None
    short_description: str | None = None
    long_description_html: str | None = None
    header_html: str | None = None
    course_name_singular: str | None = None
    course_name_plural: str | None = None


class PublishedPathWrite(WireModel):
    slug: str | None = None
    hidden: bool | None = None
    strict_enforce_group_visibility: bool | None = None
    unique_progress_per_enrollment: bool | None = None


class PublishedPathCreate(PublishedPathWrite):
    path: PathBody


class RefBody(WireModel):
    id: str


class PathEnrollmentCreate(WireModel):
    user: RefBody


def _settings(body: PublishedPathWrite) -> PathPublicationSettings:
    values = {
        name: getattr(body, name)
        for name in (
            "slug",
            "hidden",
            "strict_enforce_group_visibility",
            "unique_progress_per_enrollment",
        )
        if name in body.model_fields_set and getattr(body, name) is not None
    }
    return PathPublicationSettings(**values)


def _view(api: Api, row: Any, domain_name: str, items: int) -> dict[str, Any]:
    return {
        "id": api.id("published_path", row.id),
        "slug": row.slug,
        "path": {
            "id": api.id("path", row.path_id),
            "title": row.path_name,
            "promo_image_url": row.path_picture_url,
            "short_description": row.path_description,
            "long_description_html": row.path_long_description_html,
            "header_html": row.path_header_html,
            "course_name_singular": row.path_course_name_singular,
            "course_name_plural": row.path_course_name_plural,
            "path_item_count": items,
        },
        "path_url": f"https://{domain_name}/path/{row.slug}",
        "hidden": row.hidden,
        "strict_enforce_group_visibility": row.strict_enforce_group_visibility,
        "offer": None,
        "unique_progress_per_enrollment": row.unique_progress_per_enrollment,
        "created_at": ts(row.created_at),
        "modified_at": ts(row.updated_at),
    }


def _published(api: Api, domain_id: int, public_id: str) -> Any:
    row = skilljar_published_path(api.session, api.ctx, api.path_id("published_path", public_id))
    if row is None or row.domain_id != domain_id:
        raise NotFound("published path")
    return row


def _respond(api: Api, domain_name: str, pp_id: int, status: int = 200) -> Response:
    row = skilljar_published_path(api.session, api.ctx, pp_id)
    if row is None:
        raise NotFound("published path")
    items = skilljar_path_course_counts(api.session, api.ctx, [row.path_id]).get(row.path_id, 0)
    body = _view(api, row, domain_name.strip().lower(), items)
    return json(body, status, tag=etag((row.version,)))


@router.get(BASE, operation_id="domains_published_paths_list", summary="Published paths")
def list_published(domain_name: str, api: ReadApi, paging: PagingQuery) -> Response:
    filters = {"domain_id": domain_id_of(api, domain_name)}
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = SKILLJAR_PUBLISHED_PATHS.rows(api.session, api.ctx, pr.window(), filters)
    counts = skilljar_path_course_counts(api.session, api.ctx, [r.path_id for r in rows])
    name = domain_name.strip().lower()
    count = lambda: SKILLJAR_PUBLISHED_PATHS.count(api.session, api.ctx, filters)  # noqa: E731
    return json(
        envelope(
            api.request,
            api.ids,
            pr,
            rows,
            lambda r: _view(api, r, name, counts.get(r.path_id, 0)),
            count=count,
        )
    )


@router.post(
    BASE,
    operation_id="domains_published_paths_create",
    summary="Publish a path (new or existing) on the domain",
    status_code=201,
    openapi_extra=openapi_body(PublishedPathCreate),
)
def create_published(domain_name: str, api: WriteApi) -> Response:
    domain_id = domain_id_of(api, domain_name)
    body = parse(PublishedPathCreate, api.body)
    path: int | LearningPathData
    if body.path.id is not None:
        path = api.ref("path", body.path.id, "path")
    elif title := body.path.title:
        given = body.path
        data = LearningPathData(
            name=title,
            description=given.short_description,
            long_description_html=given.long_description_html,
            header_html=given.header_html,
            course_name_singular=given.course_name_singular,
            course_name_plural=given.course_name_plural,
        )
        path = data
    else:
        raise field_error("path", "Give the path's id or a title for a new path.")
    row = publish_path(
        api.session, api.ctx, path=path, domain_id=domain_id, settings=_settings(body)
    )
    return _respond(api, domain_name, row.id, 201)


PUBLISHED = BASE + "/{published_path_id}"


@router.get(PUBLISHED, operation_id="domains_published_paths_retrieve", summary="A published path")
def retrieve_published(domain_name: str, published_path_id: str, api: ReadApi) -> Response:
    row = _published(api, domain_id_of(api, domain_name), published_path_id)
    return _respond(api, domain_name, row.id)


def _update(api: Api, domain_name: str, published_path_id: str) -> Response:
    row = _published(api, domain_id_of(api, domain_name), published_path_id)
    body = parse(PublishedPathWrite, api.body)
    update_path_publication(
        api.session,
        api.ctx,
        published_path_id=row.id,
        settings=_settings(body),
        expected_version=api.expected_version,
    )
    return _respond(api, domain_name, row.id)


@router.put(
    PUBLISHED,
    operation_id="domains_published_paths_update",
    openapi_extra=openapi_body(PublishedPathWrite),
)
def put_published(domain_name: str, published_path_id: str, api: WriteApi) -> Response:
    return _update(api, domain_name, published_path_id)


@router.patch(
    PUBLISHED,
    operation_id="domains_published_paths_partial_update",
    openapi_extra=openapi_body(PublishedPathWrite),
)
def patch_published(domain_name: str, published_path_id: str, api: WriteApi) -> Response:
    return _update(api, domain_name, published_path_id)


@router.delete(PUBLISHED, operation_id="domains_published_paths_destroy", status_code=204)
def delete_published(domain_name: str, published_path_id: str, api: WriteApi) -> Response:
    row = _published(api, domain_id_of(api, domain_name), published_path_id)
    unpublish_path(api.session, api.ctx, published_path_id=row.id)
    return Response(status_code=204)


@router.get(PUBLISHED + "/path-items", operation_id="domains_published_paths_path_items_list")
def published_path_items(
    domain_name: str, published_path_id: str, api: ReadApi, paging: PagingQuery
) -> Response:
    """The path's courses; ``published_course`` is the course's publication on this domain."""
    domain_id = domain_id_of(api, domain_name)
    row = _published(api, domain_id, published_path_id)
    filters = {"path_id": row.path_id}
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = SKILLJAR_PATH_ITEMS.rows(api.session, api.ctx, pr.window(), filters)
    publications = skilljar_publications_by_course(
        api.session, api.ctx, domain_id, [item.course_id for item in rows]
    )
    count = lambda: SKILLJAR_PATH_ITEMS.count(api.session, api.ctx, filters)  # noqa: E731

    def render(item: Any) -> dict[str, Any]:
        pc = publications.get(item.course_id)
        return {
            "id": api.id("path_item", item.id),
            "order": item.position,
            "published_course": {
                "id": api.id("published_course", pc.id) if pc else None,
                "course_id": api.id("course", item.course_id),
                "slug": pc.slug if pc else None,
                "title": item.course_name,
            },
        }

    return json(envelope(api.request, api.ids, pr, rows, render, count=count))


ENROLLMENTS = PUBLISHED + "/published-path-enrollments"


def _enrollment(api: Api, row: Any) -> dict[str, Any]:
    return {
        "id": api.id("path_enrollment", row.id),
        "user": user_ref(api, row.user_id, row.email, row.first_name, row.last_name),
        "enrolled_at": ts(row.enrolled_at),
        "expires_at": ts(row.expires_at),
        "active": row.active,
        "purchase": None,
    }


@router.get(ENROLLMENTS, operation_id="domains_published_paths_published_path_enrollments_list")
def list_path_enrollments(
    domain_name: str, published_path_id: str, api: ReadApi, paging: PagingQuery
) -> Response:
    row = _published(api, domain_id_of(api, domain_name), published_path_id)
    filters = {"path_id": row.path_id}
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = SKILLJAR_PATH_ENROLLMENTS.rows(api.session, api.ctx, pr.window(), filters)
    count = lambda: SKILLJAR_PATH_ENROLLMENTS.count(api.session, api.ctx, filters)  # noqa: E731
    return json(
        envelope(api.request, api.ids, pr, rows, lambda r: _enrollment(api, r), count=count)
    )


@router.post(
    ENROLLMENTS,
    operation_id="domains_published_paths_published_path_enrollments_create",
    status_code=201,
    openapi_extra=openapi_body(PathEnrollmentCreate),
)
def create_path_enrollment(domain_name: str, published_path_id: str, api: WriteApi) -> Response:
    """201 for a new path enrollment, 200 with the existing one (idempotent)."""
    row = _published(api, domain_id_of(api, domain_name), published_path_id)
    body = parse(PathEnrollmentCreate, api.body)
    user_id = api.ref("user", body.user.id, "user")
    enrollment, created = enroll_in_published_path(
        api.session, api.ctx, published_path_id=row.id, user_id=user_id
    )
    found = skilljar_path_enrollment(api.session, api.ctx, enrollment.id)
    assert found is not None
    return json(_enrollment(api, found), 201 if created else 200)


@router.get(
    ENROLLMENTS + "/{published_path_enrollment_id}",
    operation_id="domains_published_paths_published_path_enrollments_retrieve",
)
def retrieve_path_enrollment(
    domain_name: str, published_path_id: str, published_path_enrollment_id: str, api: ReadApi
) -> Response:
    row = _published(api, domain_id_of(api, domain_name), published_path_id)
    eid = api.path_id("path_enrollment", published_path_enrollment_id)
    found = skilljar_path_enrollment(api.session, api.ctx, eid)
    if found is None or found.path_id != row.path_id:
        raise NotFound("path enrollment")
    return json(_enrollment(api, found))
