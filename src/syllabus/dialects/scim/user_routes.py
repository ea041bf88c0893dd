"""/Users: list, search, create, read, replace, patch, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from scim2_models import NotFoundException, ResponseParameters
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from syllabus.core.context import Context
from syllabus.dialects.etags import parse_if_match
from syllabus.dialects.scim.endpoint import (
    base_url,
    lock_row,
    read_json,
    run,
    write,
)
from syllabus.dialects.scim.filters import Schemas, read_filter, read_sort, scim_errors
from syllabus.dialects.scim.listing import (
    ListParams,
    list_params,
    list_response,
    next_after,
    response_params,
    search_params,
)
from syllabus.dialects.scim.patch import apply_patch
from syllabus.dialects.scim.render import scim_response
from syllabus.dialects.scim.schema import ENTERPRISE_URN, USER, USER_URN
from syllabus.dialects.scim.users import parse_user, render_user
from syllabus.domain.provisioning import ScimUserProfile
from syllabus.domain.users import User
from syllabus.queries.users.scim import scim_user_page, scim_user_with_profile
from syllabus.services import users as user_service
from syllabus.services.scim_users import provision_scim_user, update_scim_user

router = APIRouter()
SCHEMAS = Schemas(USER_URN, ENTERPRISE_URN)


def find_user(session: Session, ctx: Context, raw_id: str) -> tuple[User, ScimUserProfile | None]:
    """The user SCIM sees with this id, and its SCIM profile (one statement)."""
    found = (
        scim_user_with_profile(session, ctx, int(raw_id))
        if raw_id.isdigit() and len(raw_id) < 11
        else None
    )
    if found is None:
        raise NotFoundException(detail=f"no user with id {raw_id}")
    return found


def list_users(session: Session, ctx: Context, params: ListParams, base: str) -> dict[str, Any]:
    where = read_filter(params.filter, SCHEMAS)
    with scim_errors(params.sort_by):
        page = scim_user_page(
            session,
            ctx,
            where=where,
            sort_by=read_sort(params.sort_by, SCHEMAS),
            descending=params.descending,
            offset=params.start_index - 1 if params.cursor is None else 0,
            limit=params.count + (1 if params.cursor is not None else 0),
            after_id=params.cursor,
        )
    rows = page.rows[: params.count]
    more = params.cursor is not None and len(page.rows) > params.count
    resources = [render_user(u, profile, base, params.response) for u, profile in rows]
    return list_response(
        params, page.total, resources, next_after(params, rows[-1][0].id if rows else None, more)
    )


def _answer(body: dict[str, Any], status: int = 200) -> Response:
    headers = {}
    version = body.get("meta", {}).get("version")
    if version:
        headers["ETag"] = version
    if status == 201:
        headers["Location"] = body["meta"]["location"]
    return scim_response(body, status, headers=headers)


@router.get("/Users")
async def get_users(request: Request) -> Response:
    params = list_params(dict(request.query_params))
    base = base_url(request)
    body = await run(request, lambda s, c: list_users(s, c, params, base), read_only=True)
    return scim_response(body)


@router.post("/Users/.search")
async def search_users(request: Request) -> Response:
    params = search_params(await read_json(request))
    base = base_url(request)
    body = await run(request, lambda s, c: list_users(s, c, params, base), read_only=True)
    return scim_response(body)


@router.post("/Users")
async def create_user(request: Request) -> Response:
    payload = await read_json(request)
    base = base_url(request)

    def work(session: Session, ctx: Context) -> dict[str, Any]:
        data = parse_user(payload).as_scim_user()
        return render_user(*provision_scim_user(session, ctx, user=data), base)

    return await write(request, work, lambda body: _answer(body, 201))


@router.get("/Users/{user_id}")
async def get_user(request: Request, user_id: str) -> Response:
    params = response_params(dict(request.query_params))
    base = base_url(request)
    body = await run(
        request, lambda s, c: render_user(*find_user(s, c, user_id), base, params), read_only=True
    )
    return _answer(body)


def _change(
    request: Request,
    user_id: str,
    params: ResponseParameters[Any] | None,
    payload: Any,
    patch: bool,
) -> Any:
    base = base_url(request)
    expected = parse_if_match(request.headers.get("if-match"))

    def work(session: Session, ctx: Context) -> dict[str, Any]:
        lock_row(session, ctx, User, user_id)
        user, profile = find_user(session, ctx, user_id)
        current = render_user(user, profile, base)
        body = apply_patch(current, payload, USER) if patch else payload
        changed = update_scim_user(
            session,
            ctx,
            user_id=user.id,
            user=parse_user(body).as_scim_user(),
            expected_version=expected,
        )
        return render_user(*changed, base, params)

    return work


@router.put("/Users/{user_id}")
async def replace_user(request: Request, user_id: str) -> Response:
    payload = await read_json(request)
    params = response_params(dict(request.query_params))
    work = _change(request, user_id, params, payload, patch=False)
    return await write(request, work, _answer)


@router.patch("/Users/{user_id}")
async def patch_user(request: Request, user_id: str) -> Response:
    payload = await read_json(request)
    params = response_params(dict(request.query_params))
    work = _change(request, user_id, params, payload, patch=True)
    return await write(request, work, _answer)


@router.delete("/Users/{user_id}")
async def delete_user(request: Request, user_id: str) -> Response:
    expected = parse_if_match(request.headers.get("if-match"))

    def work(session: Session, ctx: Context) -> None:
        lock_row(session, ctx, User, user_id)
        user, _ = find_user(session, ctx, user_id)
        user_service.deprovision_user(session, ctx, user_id=user.id, expected_version=expected)

    return await write(request, work, lambda _: Response(status_code=204))
