"""/Groups: list, search, create, read, replace, patch, delete (IdP group push)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from scim2_models import InvalidValueException, NotFoundException, ResponseParameters
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from syllabus.core.context import Context
from syllabus.core.versions import Expected
from syllabus.dialects.etags import parse_if_match
from syllabus.dialects.scim.endpoint import (
    base_url,
    lock_row,
    read_json,
    run,
    write,
)
from syllabus.dialects.scim.filters import compile_filter, sort_column
from syllabus.dialects.scim.groups import (
    FILTER_ATTRS,
    GroupInput,
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
from syllabus.dialects.scim.schema import GROUP
from syllabus.dialects.scim.user_routes import _answer
from syllabus.domain.groups import Group
from syllabus.queries.provisioning import existing_user_ids, members_of, page_of, scim_group
from syllabus.services import groups as group_service
from syllabus.services.provisioning import mark_group_pushed

router = APIRouter()


def find_group(session: Session, raw_id: str) -> Group:
    group = scim_group(session, int(raw_id)) if raw_id.isdigit() and len(raw_id) < 11 else None
    if group is None:
        raise NotFoundException(detail=f"no group with id {raw_id}")
    return group


def list_groups(session: Session, params: ListParams, base: str) -> dict[str, Any]:
    condition = compile_filter(params.filter, FILTER_ATTRS) if params.filter else None
    order: list[Any] = [Group.id]
    if params.sort_by:
        column = sort_column(params.sort_by, FILTER_ATTRS)
        order = [column.desc() if params.descending else column, Group.id]
    page = page_of(
        session,
        Group,
        condition,
        order,
        offset=params.start_index - 1 if params.cursor is None else 0,
        limit=params.count + (1 if params.cursor is not None else 0),
        after_id=params.cursor,
    )
    rows = page.rows[: params.count]
    more = params.cursor is not None and len(page.rows) > params.count
    members = members_of(session, [g.id for g in rows]) if wants_members(params.response) else {}
    resources = [render_group(g, members.get(g.id), base, params.response) for g in rows]
    return list_response(
        params, page.total, resources, next_after(params, rows[-1].id if rows else None, more)
    )


def render_one(
    session: Session, group: Group, base: str, params: ResponseParameters[Any] | None = None
) -> dict[str, Any]:
    members = members_of(session, [group.id])[group.id] if wants_members(params) else None
    return render_group(group, members, base, params)


def _check_members(session: Session, ids: list[int]) -> None:
    """Unknown member ids are a bad value in the request (400), not a missing resource."""
    missing = sorted(set(ids) - existing_user_ids(session, ids))
    if missing:
        raise InvalidValueException(detail=f"members: no user with id {missing[0]}")


def apply_input(
    session: Session,
    ctx: Context,
    group: Group,
    data: GroupInput,
    expected_version: Expected | None = None,
) -> None:
    """A stale ``expected_version`` is PreconditionFailed, before anything is written."""
    group_service.update_group(
        session,
        ctx,
        group_id=group.id,
        changes=group_service.GroupData(name=data.display_name, external_id=data.external_id),
        expected_version=expected_version,
    )
    mark_group_pushed(session, ctx, group.id)
    if data.member_ids is not None:
        _check_members(session, data.member_ids)
        group_service.set_group_members(session, ctx, group_id=group.id, user_ids=data.member_ids)


@router.get("/Groups")
async def get_groups(request: Request) -> Response:
    params = list_params(dict(request.query_params))
    base = base_url(request)
    body = await run(request, lambda s, c: list_groups(s, params, base), read_only=True)
    return scim_response(body)


@router.post("/Groups/.search")
async def search_groups(request: Request) -> Response:
    params = search_params(await read_json(request))
    base = base_url(request)
    body = await run(request, lambda s, c: list_groups(s, params, base), read_only=True)
    return scim_response(body)


@router.post("/Groups")
async def create_group(request: Request) -> Response:
    payload = await read_json(request)
    base = base_url(request)

    def work(session: Session, ctx: Context) -> dict[str, Any]:
        data = parse_group(payload)
        group = group_service.create_group(
            session,
            ctx,
            data=group_service.GroupData(name=data.display_name, external_id=data.external_id),
        )
        mark_group_pushed(session, ctx, group.id)
        if data.member_ids:
            _check_members(session, data.member_ids)
            group_service.set_group_members(
                session, ctx, group_id=group.id, user_ids=data.member_ids
            )
        return render_one(session, group, base)

    return await write(request, work, lambda body: _answer(body, 201))


@router.get("/Groups/{group_id}")
async def get_group(request: Request, group_id: str) -> Response:
    params = response_params(dict(request.query_params))
    base = base_url(request)
    body = await run(
        request,
        lambda s, c: render_one(s, find_group(s, group_id), base, params),
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
        group = find_group(session, group_id)
        body = payload
        if patch:
            body = apply_patch(render_one(session, group, base), payload, GROUP)
            body.setdefault("members", [])  # removed by the patch: none left
        apply_input(session, ctx, group, parse_group(body), expected)
        return render_one(session, group, base, params)

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
        group = find_group(session, group_id)
        group_service.delete_group(session, ctx, group_id=group.id, expected_version=expected)

    return await write(request, work, lambda _: Response(status_code=204))
