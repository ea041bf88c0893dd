"""Users: the official ``/v1/users`` routes, the guide's create and fields, and one-request
lookups by email, SSO id and external id (trap 1), with ETag / If-Match (trap 4)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from syllabus.core.errors import NotFound
from syllabus.core.validation import normalize_email
from syllabus.dialects.skilljar.api import Api, ReadApi, WriteApi, etag, json
from syllabus.dialects.skilljar.body import WireModel, openapi_body, parse
from syllabus.dialects.skilljar.pagination import envelope, page_request
from syllabus.dialects.skilljar.query_params import PagingQuery, UserQuery
from syllabus.dialects.skilljar.render import user as render_user
from syllabus.dialects.skilljar.routing import SkilljarRouter
from syllabus.queries.progress.skilljar import skilljar_completion_counts
from syllabus.queries.users import (
    get_user,
    get_user_by_email,
    users_by_external_id,
    users_by_sso_id,
)
from syllabus.queries.users.skilljar import SKILLJAR_USERS, skilljar_user_extras
from syllabus.services.user_fields import UserData
from syllabus.services.user_privacy import anonymize_user
from syllabus.services.user_updates import create_user_in_groups, update_user_profile

router = SkilljarRouter(tags=["Users"])

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


class UserWrite(WireModel):
    """Official fields (email, first_name, last_name) and the guide's writable ones."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    is_active: bool | None = None
    groups: list[str] | None = None
    custom_attributes: dict[str, str | None] | None = None
    sso_id: str | None = None
    external_id: str | None = None


class UserCreate(UserWrite):
    email: str


def _user_data(body: UserWrite) -> UserData:
    data: dict[str, Any] = {}
    for name in body.model_fields_set & {
        "email",
        "first_name",
        "last_name",
        "username",
        "sso_id",
        "custom_attributes",
    }:
        data[name] = getattr(body, name)
    if "external_id" in body.model_fields_set:
        data["user_identifier"] = body.external_id
    for name in ("first_name", "last_name"):
        if name in data and data[name] is None:
            data[name] = ""
    return UserData(**data)


def _group_ids(api: Api, body: UserWrite) -> list[int] | None:
    if "groups" not in body.model_fields_set:
        return None
    return [api.ref("group", g, "groups") for g in body.groups or []]


def render_one(api: Api, user_id: int) -> dict[str, Any]:
    row = get_user(api.session, api.ctx, user_id)
    if row is None:
        raise NotFound("user", [user_id])
    extras = skilljar_user_extras(api.session, api.ctx, [row.id]).get(row.id)
    completions = skilljar_completion_counts(api.session, api.ctx, [row.id]).get(row.id, 0)
    return render_user(api, row, extras, completions)


def _respond(api: Api, user_id: int, status: int = 200) -> Response:
    body = render_one(api, user_id)
    row = get_user(api.session, api.ctx, user_id)
    assert row is not None
    return json(body, status, tag=etag((row.version,)))


@router.get("/users", operation_id="users_list", summary="List users")
def list_users(api: ReadApi, query: UserQuery, paging: PagingQuery) -> Response:
    """Cursor pages by default (follow ``next``); ``?page=N`` for page numbers with ``count``.

    ``email`` (any case), ``sso_id`` and ``external_id`` are answered from an index in one
    request, whatever the program's size; ``first_name``/``last_name`` are exact,
    ``is_inactive`` selects inactive (true) or active (false) users.
    """
    request = api.request
    filters: dict[str, Any] = {}
    email = query.email
    if email is not None:
        filters["email"] = normalize_email(email)
    for name, column in (
        ("first_name", "first_name"),
        ("last_name", "last_name"),
        ("sso_id", "sso_id"),
        ("external_id", "user_identifier"),
    ):
        value = getattr(query, name)
        if value is not None:
            filters[column] = value
    inactive = query.is_inactive
    if inactive is not None:
        filters["is_active"] = not inactive
    pr = page_request(paging, api.ids, cursor_default=True)
    rows = SKILLJAR_USERS.rows(api.session, api.ctx, pr.window(), filters)
    extras = skilljar_user_extras(api.session, api.ctx, [r.id for r in rows[: pr.size]])
    completions = skilljar_completion_counts(api.session, api.ctx, [r.id for r in rows[: pr.size]])
    body = envelope(
        request,
        api.ids,
        pr,
        rows,
        lambda row: render_user(api, row, extras.get(row.id), completions.get(row.id, 0)),
        count=lambda: SKILLJAR_USERS.count(api.session, api.ctx, filters),
    )
    return json(body)


@router.post(
    "/users",
    operation_id="users_create_guide",
    summary="Create a user (integration guide)",
    status_code=201,
    openapi_extra=openapi_body(UserCreate),
)
def create_user_route(api: WriteApi) -> Response:
    """The guide's create: a duplicate email is a 400 (no upsert). Joins the program's first
    domain; ``groups`` and ``is_active`` apply at once."""
    body = parse(UserCreate, api.body)
    groups = _group_ids(api, body)
    active = True if body.is_active is None else body.is_active
    user = create_user_in_groups(
        api.session, api.ctx, data=_user_data(body), active=active, group_ids=groups
    )
    return _respond(api, user.id, 201)


def _single(api: Api, rows: Any) -> Response:
    first = rows[0] if rows else None
    if first is None:
        raise NotFound("user")
    return _respond(api, first.id)


@router.get("/users/by-email/{email}", operation_id="users_by_email", summary="User by email")
def user_by_email(email: str, api: ReadApi) -> Response:
    """One indexed lookup, case-insensitive: the internal id without scanning pages."""
    return _single(api, [get_user_by_email(api.session, api.ctx, email)] if email else [])


@router.get("/users/by-sso-id/{sso_id}", operation_id="users_by_sso_id", summary="User by SSO id")
def user_by_sso_id(sso_id: str, api: ReadApi) -> Response:
    if "\x00" in sso_id:
        raise NotFound("user")
    return _single(api, users_by_sso_id(api.session, api.ctx, sso_id))


@router.get(
    "/users/by-external-id/{external_id}",
    operation_id="users_by_external_id",
    summary="User by external id",
)
def user_by_external_id(external_id: str, api: ReadApi) -> Response:
    if "\x00" in external_id:
        raise NotFound("user")
    return _single(api, users_by_external_id(api.session, api.ctx, external_id))


@router.get("/users/{user_id}", operation_id="users_retrieve", summary="Retrieve a user")
def retrieve_user(user_id: str, api: ReadApi) -> Response:
    """The user's overview and profile; the ``ETag`` header is the version for If-Match."""
    return _respond(api, api.path_id("user", user_id))


def _update(api: Api, public_id: str) -> Response:
    user_id = api.path_id("user", public_id)
    body = parse(UserWrite, api.body)
    groups = _group_ids(api, body)
    update_user_profile(
        api.session,
        api.ctx,
        user_id=user_id,
        changes=_user_data(body),
        active=body.is_active,
        group_ids=groups,
        expected_version=api.expected_version,
    )
    return _respond(api, user_id)


@router.put(
    "/users/{user_id}",
    operation_id="users_update",
    summary="Update a user",
    openapi_extra=openapi_body(UserWrite),
)
def put_user(user_id: str, api: WriteApi) -> Response:
    """Both PUT and PATCH are partial updates. ``is_active: false`` deactivates; ``groups``
    replaces the user's groups; a stale ``If-Match`` is a 412."""
    return _update(api, user_id)


@router.patch(
    "/users/{user_id}",
    operation_id="users_partial_update",
    summary="Partially update a user",
    openapi_extra=openapi_body(UserWrite),
)
def patch_user(user_id: str, api: WriteApi) -> Response:
    return _update(api, user_id)


@router.post(
    "/users/{user_id}/anonymize", operation_id="users_anonymize_create", summary="Anonymize"
)
def anonymize(user_id: str, api: WriteApi) -> Response:
    """Erases personal data for good; learning records stay, anonymous."""
    user = anonymize_user(api.session, api.ctx, user_id=api.path_id("user", user_id))
    return _respond(api, user.id)
