"""/Groups: list, search, create, read, replace, patch, delete (IdP group push)."""

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
from syllabus.dialects.scim.groups import (
    parse_group,
    render_group,
    wants_members,
)
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
from syllabus.dialects.scim.schema import GROUP, GROUP_URN
from syllabus.dialects.scim.user_routes import _answer
from syllabus.domain.groups import Group
from syllabus.queries.groups.scim import scim_group, scim_group_members, scim_group_page
from syllabus.services import groups as group_service
from syllabus.services.scim_groups import provision_scim_group, update_scim_group

router = APIRouter()
SCHEMAS = Schemas(GROUP_URN)


def find_group(session: Session, ctx: Context, raw_id: str) -> Group:
    group = scim_group(session, ctx, int(raw_id)) if raw_id.isdigit() and len(raw_id) < 11 else None
    if group is None:
        raise NotFoundException(detail=f"no group with id {raw_id}")
    return group


def list_groups(session: Session, ctx: Context, params: ListParams, base: str) -> dict[str, Any]:
    where = read_filter(params.filter, SCHEMAS)
    with scim_errors(params.sort_by):
        page = scim_group_page(
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
    members = (
        scim_group_members(session, ctx, [g.id for g in rows])
        if wants_members(params.response)
        else {}
    )
    resources = [render_group(g, members.get(g.id), base, params.response) for g in rows]
    return list_response(
        params, page.total, resources, next_after(params, rows[-1].id if rows else None, more)
    )


def render_one(
    session: Session,
    ctx: Context,
    group: Group,
    base: str,
    params: ResponseParameters[Any] | None = None,
) -> dict[str, Any]:
    members = (
        scim_group_members(session, ctx, [group.id])[group.id] if wants_members(params) else None
    )
    return render_group(group, members, base, params)


@router.get("/Groups")
async def get_groups(request: Request) -> Response:
    params = list_params(dict(request.query_params))
    base = base_url(request)
    body = await run(request, lambda s, c: list_groups(s, c, params, base), read_only=True)
    return scim_response(body)


@router.post("/Groups/.search")
async def search_groups(request: Request) -> Response:
    params = search_params(await read_json(request))
    base = base_url(request)
    body = await run(request, lambda s, c: list_groups(s, c, params, base), read_only=True)
    return scim_response(body)


@router.post("/Groups")
async def create_group(request: Request) -> Response:
    payload = await read_json(request)
    base = base_url(request)

    def work(session: Session, ctx: Context) -> dict[str, Any]:
        data = parse_group(payload).as_scim_group()
        group = provision_scim_group(session, ctx, group=data)
        return render_one(session, ctx, group, base)

    return await write(request, work, lambda body: _answer(body, 201))


@router.get("/Groups/{group_id}")
async def get_group(request: Request, group_id: str) -> Response:
    params = response_params(dict(request.query_params))
    base = base_url(request)
    body = await run(
        request,
        lambda s, c: render_one(s, c, find_group(s, c, group_id), base, params),
        read_only=True,
    )
    return _answer(body)


def _change(
    request: Request,
    group_id: str,
    params: ResponseParameters[Any] | None,
    payload: Any,
    patch: bool,
) -> Any:
    base = base_url(request)
    expected = parse_if_match(request.headers.get("if-match"))

    def work(session: Session, ctx: Context) -> dict[str, Any]:
        lock_row(session, ctx, Group, group_id)
        group = find_group(session, ctx, group_id)
        body = payload
        if patch:
            body = apply_patch(render_one(session, ctx, group, base), payload, GROUP)
            body.setdefault("members", [])  # removed by the patch: none left
        update_scim_group(
            session,
            ctx,
            group_id=group.id,
            group=parse_group(body).as_scim_group(),
            expected_version=expected,
        )
        return render_one(session, ctx, group, base, params)

    return work


@router.put("/Groups/{group_id}")
async def replace_group(request: Request, group_id: str) -> Response:
    payload = await read_json(request)
    params = response_params(dict(request.query_params))
    return await write(request, _change(request, group_id, params, payload, False), _answer)


@router.patch("/Groups/{group_id}")
async def patch_group(request: Request, group_id: str) -> Response:
    payload = await read_json(request)
    params = response_params(dict(request.query_params))
    return await write(request, _change(request, group_id, params, payload, True), _answer)


@router.delete("/Groups/{group_id}")
async def delete_group(request: Request, group_id: str) -> Response:
    expected = parse_if_match(request.headers.get("if-match"))

    def work(session: Session, ctx: Context) -> None:
        lock_row(session, ctx, Group, group_id)
        group = find_group(session, ctx, group_id)
        group_service.delete_group(session, ctx, group_id=group.id, expected_version=expected)

    return await write(request, work, lambda _: Response(status_code=204))
