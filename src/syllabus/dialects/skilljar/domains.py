"""Domains and domain users: ``/v1/domains/{domain_name}[/users...]``, including bulk-create
as a background job (202, then its per-row result at the URL it answers with)."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.responses import Response

from syllabus.core.errors import BulkRejected, NotFound
from syllabus.core.fields import UNSET
from syllabus.core.validation import normalize_email
from syllabus.dialects.skilljar.api import Api, ReadApi, WriteApi, etag, json
from syllabus.dialects.skilljar.body import UtcDateTime, WireModel, openapi_body, parse
from syllabus.dialects.skilljar.errors import FieldErrors
from syllabus.dialects.skilljar.pagination import envelope, page_request
from syllabus.dialects.skilljar.query_params import DomainUserQuery, PagingQuery
from syllabus.dialects.skilljar.render import ts, user_ref
from syllabus.dialects.skilljar.routing import SkilljarRouter
from syllabus.dialects.skilljar.signup_data import signup_data, signup_filters, wants_signup_data
from syllabus.queries.domains import (
    DOMAIN_USERS,
    DOMAINS,
    domain_by_name,
    domain_user,
)
from syllabus.queries.jobs import program_job
from syllabus.queries.users import get_user_by_email
from syllabus.services.domain_user_imports import (
    IMPORT_DOMAIN_USERS_JOB,
    ImportedUser,
    start_domain_user_import,
)
from syllabus.services.domain_users import (
    MAX_BULK,
    MembershipSettings,
    domain_user_version,
    register_domain_user,
    update_domain_membership,
)
from syllabus.services.domains import DomainSettings, update_domain
from syllabus.services.user_fields import UserData

router = SkilljarRouter(tags=["Domains"])


class DomainWrite(WireModel):
    catalog_title: str | None = None
    access: str | None = None
    access_code_message_html: str | None = None
    marketing_message: str | None = None


class NewUserBody(WireModel):
    email: str
    first_name: str | None = None
    last_name: str | None = None


class DomainUserCreateBody(WireModel):
    user: NewUserBody
    active: bool | None = None
    marketing_optin: bool | None = None
    expires_at: UtcDateTime | None = None


class DomainUserUpdateBody(WireModel):
    active: bool | None = None
    marketing_optin: bool | None = None
    expires_at: UtcDateTime | None = None


class BulkUserBody(WireModel):
    email: str
    first_name: str | None = None
    last_name: str | None = None
    active: bool | None = None
    marketing_optin: bool | None = None
    expires_at: UtcDateTime | None = None


class BulkCreateBody(WireModel):
    users: list[BulkUserBody] = Field(min_length=1, max_length=MAX_BULK)


def _domain(api: Api, row: Any) -> dict[str, Any]:
    return {
        "id": api.id("domain", row.id),
        "name": row.name,
        "catalog_title": row.catalog_title,
        "private": row.access != "PUBLIC",
        "access": row.access,
        "access_code_message_html": row.access_code_message_html,
        "marketing_message": row.marketing_message,
    }


def domain_id_of(api: Api, name: str) -> int:
    """The program's domain of this name; another program's (or none) is a 404."""
    row = domain_by_name(api.session, api.ctx, name)
    if row is None:
        raise NotFound("domain", [name])
    return int(row.id)


@router.get("/domains", operation_id="domains_list", summary="List domains")
def list_domains(api: ReadApi, paging: PagingQuery) -> Response:
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = DOMAINS.rows(api.session, api.ctx, pr.window())
    count = lambda: DOMAINS.count(api.session, api.ctx)  # noqa: E731
    return json(envelope(api.request, api.ids, pr, rows, lambda r: _domain(api, r), count=count))


@router.get("/domains/{domain_name}", operation_id="domains_retrieve", summary="A domain")
def retrieve_domain(domain_name: str, api: ReadApi) -> Response:
    row = domain_by_name(api.session, api.ctx, domain_name)
    if row is None:
        raise NotFound("domain")
    return json(_domain(api, row), tag=etag((row.version,)))


def _update_domain(api: Api, domain_name: str) -> Response:
    domain_id = domain_id_of(api, domain_name)
    body = parse(DomainWrite, api.body)
    given = body.model_fields_set
    settings = DomainSettings(
        **{name: getattr(body, name) for name in given if getattr(body, name) is not None}
    )
    update_domain(
        api.session,
        api.ctx,
        domain_id=domain_id,
        settings=settings,
        expected_version=api.expected_version,
    )
    row = domain_by_name(api.session, api.ctx, domain_name)
    assert row is not None
    return json(_domain(api, row), tag=etag((row.version,)))


@router.put(
    "/domains/{domain_name}",
    operation_id="domains_update",
    summary="Update a domain",
    openapi_extra=openapi_body(DomainWrite),
)
def put_domain(domain_name: str, api: WriteApi) -> Response:
    return _update_domain(api, domain_name)


@router.patch(
    "/domains/{domain_name}",
    operation_id="domains_partial_update",
    summary="Partially update a domain",
    openapi_extra=openapi_body(DomainWrite),
)
def patch_domain(domain_name: str, api: WriteApi) -> Response:
    return _update_domain(api, domain_name)


def _domain_user(api: Api, row: Any) -> dict[str, Any]:
    ref = user_ref(api, row.user_id, row.email, row.first_name, row.last_name)
    full_name = " ".join(p for p in (row.first_name, row.last_name) if p)
    return {
        "user": {**ref, "full_name": full_name},
        "active": row.active,
        "marketing_optin": row.marketing_optin,
        "enrolled_at": ts(row.enrolled_at),
        "expires_at": ts(row.expires_at),
        "access_code": None,
        "signup_fields": [],
    }


def _answers(api: Api, domain_id: int, user_id: int) -> list[Any]:
    """One user's signup answers: a single domain user always shows them (the list only on
    ``include_signup_field_data``, to keep pages cheap)."""
    return signup_data(api, domain_id, [user_id]).get(user_id, [])


def _domain_user_tag(row: Any) -> str:
    """The user's and the membership's versions; answers move the latter."""
    return etag(domain_user_version(row.user_version, row.version))


def _respond_domain_user(api: Api, domain_id: int, user_id: int, status: int = 200) -> Response:
    row = domain_user(api.session, api.ctx, domain_id, user_id)
    if row is None:
        raise NotFound("domain user")
    answers = _answers(api, domain_id, user_id)
    body = {**_domain_user(api, row), "signup_fields": answers}
    return json(body, status, tag=_domain_user_tag(row))


@router.get("/domains/{domain_name}/users", operation_id="domains_users_list", summary="Users")
def list_domain_users(
    domain_name: str, api: ReadApi, query: DomainUserQuery, paging: PagingQuery
) -> Response:
    filters: dict[str, Any] = {"domain_id": domain_id_of(api, domain_name)}
    if query.user__email:
        filters["email"] = normalize_email(query.user__email)
    for name in ("first_name", "last_name"):
        if getattr(query, f"user__{name}") is not None:
            filters[name] = getattr(query, f"user__{name}")
    if query.active:
        filters["active"] = query.active.strip().lower() in {"true", "1", "yes"}
    filters.update(signup_filters(api, query))
    if any("\x00" in str(v) for v in filters.values()):
        raise FieldErrors({"detail": "Null characters are not allowed."})
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = DOMAIN_USERS.rows(api.session, api.ctx, pr.window(), filters)
    count = lambda: DOMAIN_USERS.count(api.session, api.ctx, filters)  # noqa: E731
    if wants_signup_data(query):
        answers = signup_data(api, filters["domain_id"], [r.user_id for r in rows[: pr.size]])
        render = lambda r: {**_domain_user(api, r), "signup_fields": answers.get(r.user_id, [])}  # noqa: E731
        return json(envelope(api.request, api.ids, pr, rows, render, count=count))
    return json(
        envelope(api.request, api.ids, pr, rows, lambda r: _domain_user(api, r), count=count)
    )


def _settings(body: DomainUserUpdateBody | DomainUserCreateBody) -> MembershipSettings:
    given = body.model_fields_set
    return MembershipSettings(
        active=body.active if "active" in given and body.active is not None else UNSET,
        marketing_optin=body.marketing_optin if "marketing_optin" in given else UNSET,
        expires_at=body.expires_at if "expires_at" in given else UNSET,
    )


@router.post(
    "/domains/{domain_name}/users",
    operation_id="domains_users_create",
    summary="Register a user on the domain",
    status_code=201,
    openapi_extra=openapi_body(DomainUserCreateBody),
)
def create_domain_user(domain_name: str, api: WriteApi) -> Response:
    """A new email creates the user (201); an existing one adds that user to the domain and
    returns them (201 when newly added, 200 when already registered)."""
    domain_id = domain_id_of(api, domain_name)
    body = parse(DomainUserCreateBody, api.body)
    data = UserData(
        email=body.user.email,
        first_name=body.user.first_name or "",
        last_name=body.user.last_name or "",
    )
    existing = get_user_by_email(api.session, api.ctx, body.user.email)
    already = existing is not None and domain_user(api.session, api.ctx, domain_id, existing.id)
    registration = register_domain_user(
        api.session, api.ctx, domain_id=domain_id, data=data, settings=_settings(body)
    )
    status = 200 if already else 201
    return _respond_domain_user(api, domain_id, registration.user_id, status)


@router.get(
    "/domains/{domain_name}/users/{user_id}",
    operation_id="domains_users_retrieve",
    summary="A domain user",
)
def retrieve_domain_user(domain_name: str, user_id: str, api: ReadApi) -> Response:
    return _respond_domain_user(api, domain_id_of(api, domain_name), api.path_id("user", user_id))


def _update_domain_user(api: Api, domain_name: str, user_id: str) -> Response:
    domain_id, uid = domain_id_of(api, domain_name), api.path_id("user", user_id)
    body = parse(DomainUserUpdateBody, api.body)
    update_domain_membership(
        api.session,
        api.ctx,
        domain_id=domain_id,
        user_id=uid,
        settings=_settings(body),
        expected_version=api.expected_version,
    )
    return _respond_domain_user(api, domain_id, uid)


@router.put(
    "/domains/{domain_name}/users/{user_id}",
    operation_id="domains_users_update",
    summary="Update a domain user",
    openapi_extra=openapi_body(DomainUserUpdateBody),
)
def put_domain_user(domain_name: str, user_id: str, api: WriteApi) -> Response:
    return _update_domain_user(api, domain_name, user_id)


@router.patch(
    "/domains/{domain_name}/users/{user_id}",
    operation_id="domains_users_partial_update",
    summary="Partially update a domain user",
    openapi_extra=openapi_body(DomainUserUpdateBody),
)
def patch_domain_user(domain_name: str, user_id: str, api: WriteApi) -> Response:
    return _update_domain_user(api, domain_name, user_id)


def _imported(row: BulkUserBody) -> ImportedUser:
    """A bulk row as the import's input; membership settings only where the row gives them."""
    given = row.model_fields_set
    settings = MembershipSettings(
        active=bool(row.active) if "active" in given else UNSET,  # null has always meant false
        marketing_optin=row.marketing_optin if "marketing_optin" in given else UNSET,
        expires_at=row.expires_at if "expires_at" in given else UNSET,
    )
    return ImportedUser(
        email=row.email, first_name=row.first_name, last_name=row.last_name, settings=settings
    )


@router.post(
    "/domains/{domain_name}/users/bulk-create",
    operation_id="bulk_create_domain_users",
    summary="Register up to 1,000 users (background job)",
    status_code=202,
    openapi_extra=openapi_body(BulkCreateBody),
)
def bulk_create(domain_name: str, api: WriteApi) -> Response:
    """Every row is validated first (any bad row rejects the request, naming it); the rest
    runs in the background. Answers 202 with the job's URL (in the body and ``Location``), where
    its per-row result appears."""
    domain_id = domain_id_of(api, domain_name)
    body = parse(BulkCreateBody, api.body)
    users = [_imported(row) for row in body.users]
    try:
        job = start_domain_user_import(api.session, api.ctx, domain_id=domain_id, users=users)
    except BulkRejected as rejected:
        errors = {str(r.index): {r.field or "email": [r.message]} for r in rejected.rows}
        raise FieldErrors({"users": errors}) from None
    job_id = api.id("job", job.id)
    url = str(api.request.url.replace(query=None)).rstrip("/") + f"/{job_id}"
    response = json({"id": job_id, "status": "queued", "count": len(users), "url": url}, 202)
    response.headers["Location"] = url  # the status monitor a 202 points to (RFC 9110 15.3.3)
    return response


@router.get(
    "/domains/{domain_name}/users/bulk-create/{job_id}",
    operation_id="bulk_create_domain_users_result",
    summary="A bulk-create job's status and per-row result",
)
def bulk_create_result(domain_name: str, job_id: str, api: ReadApi) -> Response:
    domain_id_of(api, domain_name)
    job = program_job(api.session, api.ctx, api.path_id("job", job_id), IMPORT_DOMAIN_USERS_JOB)
    if job is None:
        raise NotFound("job")
    body: dict[str, Any] = {"id": job_id, "status": job.status.value, "count": None}
    submitted = job.payload.get("rows", [])
    body["count"] = len(submitted)
    if job.result is not None:
        body.update({k: job.result[k] for k in ("created", "added", "failed")})
        body["results"] = [
            {
                "index": index,
                "email": submitted[index].get("email"),
                "status": outcome.get("status"),
                "user_id": api.opt_id("user", outcome.get("user_id")),
                "errors": {outcome["field"] or "non_field_errors": [outcome["message"]]}
                if outcome.get("status") == "error"
                else None,
            }
            for index, outcome in enumerate(job.result.get("rows", []))
        ]
    if job.last_error and job.result is None:
        body["last_error"] = job.last_error
    return json(body)
