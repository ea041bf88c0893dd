"""Groups: official ``/v1/groups`` routes, members (one, the guide's ``user_id``, or up to 1,000
at once, trap 5), email-domain rules, and group categories."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.responses import Response

from syllabus.core.errors import NotFound
from syllabus.core.fields import UNSET
from syllabus.core.lookups import missing_ids
from syllabus.dialects.skilljar.api import Api, ReadApi, WriteApi, etag, json
from syllabus.dialects.skilljar.body import WireModel, openapi_body, parse
from syllabus.dialects.skilljar.errors import field_error
from syllabus.dialects.skilljar.pagination import envelope, page_request
from syllabus.dialects.skilljar.query_params import PagingQuery
from syllabus.dialects.skilljar.render import ts, user_ref
from syllabus.dialects.skilljar.routing import SkilljarRouter
from syllabus.domain.users import User
from syllabus.queries.groups.skilljar import (
    SKILLJAR_GROUP_CATEGORIES,
    SKILLJAR_GROUP_MEMBERS,
    SKILLJAR_GROUPS,
    skilljar_group,
    skilljar_group_category,
    skilljar_group_facts,
    skilljar_group_member,
)
from syllabus.queries.users import get_user
from syllabus.services.group_updates import create_group_with_rules, update_group_with_rules
from syllabus.services.groups import (
    GroupData,
    add_users_to_group,
    delete_group,
    remove_users_from_group,
    set_email_domain_rules,
)

router = SkilljarRouter(tags=["Groups"])
MAX_BULK_MEMBERS = 1_000


class GroupWrite(WireModel):
    name: str | None = None
    discount_percent: int | None = None
    group_category_id: str | None = None
    rule_email_domains: list[str] | None = None
    description: str | None = None


class GroupCreate(GroupWrite):
    name: str


class UserRefBody(WireModel):
    id: str


class GroupMemberWrite(WireModel):
    """``{"user": {"id"}}`` (official), ``{"user_id"}`` (guide) or ``{"users": [{"id"}]}``."""

    user: UserRefBody | None = None
    user_id: str | None = None
    users: list[UserRefBody] | None = Field(default=None, max_length=MAX_BULK_MEMBERS)


class EmailDomainRulesPatch(WireModel):
    add: list[str] = []
    remove: list[str] = []
    email_domains: list[str] | None = None


def _render(api: Api, row: Any, count: int, rules: list[str]) -> dict[str, Any]:
    return {
        "id": api.id("group", row.id),
        "name": row.name,
        "user_count": count,
        "discount_percent": row.discount_percent,
        "group_category_id": api.opt_id("group_category", row.category_id),
        "sign_up_field_rule": None,
        "rule_email_domains": rules,
        "description": row.description,
        "created_at": ts(row.created_at),
        "updated_at": ts(row.updated_at),
    }


def _respond(api: Api, group_id: int, status: int = 200) -> Response:
    row = skilljar_group(api.session, api.ctx, group_id)
    if row is None:
        raise NotFound("group", [group_id])
    counts, rules = skilljar_group_facts(api.session, api.ctx, [group_id])
    body = _render(api, row, counts.get(group_id, 0), rules.get(group_id, []))
    return json(body, status, tag=etag((row.version,)))


def _group_id(api: Api, public_id: str) -> int:
    group_id = api.path_id("group", public_id)
    if skilljar_group(api.session, api.ctx, group_id) is None:
        raise NotFound("group", [public_id])
    return group_id


def _group_data(api: Api, body: GroupWrite) -> GroupData:
    given = body.model_fields_set
    category: Any = UNSET
    if "group_category_id" in given:
        category = None
        if body.group_category_id:
            found = skilljar_group_category(
                api.session,
                api.ctx,
                api.ref("group_category", body.group_category_id, "group_category_id"),
            )
            if found is None:
                raise field_error("group_category_id", "Object does not exist.")
            category = found.name
    return GroupData(
        name=body.name if "name" in given and body.name is not None else UNSET,
        discount_percent=body.discount_percent if "discount_percent" in given else UNSET,
        description=body.description if "description" in given else UNSET,
        category=category,
    )


@router.get("/groups", operation_id="groups_list", summary="List groups")
def list_groups(api: ReadApi, paging: PagingQuery) -> Response:
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = SKILLJAR_GROUPS.rows(api.session, api.ctx, pr.window())
    counts, rules = skilljar_group_facts(api.session, api.ctx, [r.id for r in rows])
    body = envelope(
        api.request,
        api.ids,
        pr,
        rows,
        lambda r: _render(api, r, counts.get(r.id, 0), rules.get(r.id, [])),
        count=lambda: SKILLJAR_GROUPS.count(api.session, api.ctx),
    )
    return json(body)


@router.post(
    "/groups",
    operation_id="groups_create",
    summary="Create a group",
    status_code=201,
    openapi_extra=openapi_body(GroupCreate),
)
def create(api: WriteApi) -> Response:
    body = parse(GroupCreate, api.body)
    group = create_group_with_rules(
        api.session,
        api.ctx,
        data=_group_data(api, body),
        email_domains=body.rule_email_domains or (),
    )
    return _respond(api, group.id, 201)


@router.get("/groups/{group_id}", operation_id="groups_retrieve", summary="Retrieve a group")
def retrieve(group_id: str, api: ReadApi) -> Response:
    return _respond(api, api.path_id("group", group_id))


def _update(api: Api, public_id: str) -> Response:
    group_id = api.path_id("group", public_id)
    body = parse(GroupWrite, api.body)
    update_group_with_rules(
        api.session,
        api.ctx,
        group_id=group_id,
        changes=_group_data(api, body),
        email_domains=body.rule_email_domains,
        expected_version=api.expected_version,
    )
    return _respond(api, group_id)


@router.put(
    "/groups/{group_id}",
    operation_id="groups_update",
    summary="Update a group",
    openapi_extra=openapi_body(GroupWrite),
)
def put(group_id: str, api: WriteApi) -> Response:
    return _update(api, group_id)


@router.patch(
    "/groups/{group_id}",
    operation_id="groups_partial_update",
    summary="Partially update a group",
    openapi_extra=openapi_body(GroupWrite),
)
def patch(group_id: str, api: WriteApi) -> Response:
    return _update(api, group_id)


@router.delete(
    "/groups/{group_id}", operation_id="groups_destroy", summary="Delete a group", status_code=204
)
def destroy(group_id: str, api: WriteApi) -> Response:
    delete_group(api.session, api.ctx, group_id=api.path_id("group", group_id))
    return Response(status_code=204)


def _member(api: Api, row: Any) -> dict[str, Any]:
    return {
        "user": user_ref(api, row.user_id, row.email, row.first_name, row.last_name),
        "created_at": ts(row.created_at),
        "group_id": api.id("group", row.group_id),
        "user_id": api.id("user", row.user_id),
    }


@router.get("/groups/{group_id}/users", operation_id="groups_users_list", summary="Members")
def members(group_id: str, api: ReadApi, paging: PagingQuery) -> Response:
    filters = {"group_id": _group_id(api, group_id)}
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = SKILLJAR_GROUP_MEMBERS.rows(api.session, api.ctx, pr.window(), filters)
    body = envelope(
        api.request,
        api.ids,
        pr,
        rows,
        lambda r: _member(api, r),
        count=lambda: SKILLJAR_GROUP_MEMBERS.count(api.session, api.ctx, filters),
    )
    return json(body)


@router.post(
    "/groups/{group_id}/users",
    operation_id="groups_users_create",
    summary="Add a member, or up to 1,000 at once",
    status_code=201,
    openapi_extra=openapi_body(GroupMemberWrite),
)
def add_members(group_id: str, api: WriteApi) -> Response:
    """One user (``{"user": {"id"}}`` or the guide's ``{"user_id"}``): 201 when added, 200 when
    already a member. Many (``{"users": [{"id"}, ...]}``, up to 1,000): all or nothing, answering
    which were added and which were already members."""
    gid = _group_id(api, group_id)
    body = parse(GroupMemberWrite, api.body)
    ids = _many(api, body.users) if body.users is not None else [_one(api, body)]
    added = set(add_users_to_group(api.session, api.ctx, group_id=gid, user_ids=ids))
    if body.users is not None:
        return json(
            {
                "group_id": api.id("group", gid),
                "added": [api.id("user", i) for i in ids if i in added],
                "already_members": [api.id("user", i) for i in ids if i not in added],
            },
            200,
        )
    row = skilljar_group_member(api.session, api.ctx, gid, ids[0])
    assert row is not None
    return json(
        {**_member(api, row), "status": "added" if added else "already_member"},
        201 if added else 200,
    )


def _one(api: Api, body: GroupMemberWrite) -> int:
    """The one user named (``user.id`` or the guide's ``user_id``), known to the program."""
    ref = body.user.id if body.user is not None else body.user_id
    if ref is None:
        raise field_error("user", "This field is required.")
    user_id = api.ref("user", ref, "user" if body.user is not None else "user_id")
    if get_user(api.session, api.ctx, user_id) is None:
        raise field_error("user", f'Invalid pk "{ref}" - object does not exist.')
    return user_id


def _many(api: Api, refs: list[UserRefBody]) -> list[int]:
    """The users named, once each in order; any unknown one refuses them all, naming it."""
    decoded = {ref.id: api.ids.decode("user", ref.id) for ref in refs}
    known = [i for i in decoded.values() if i is not None]
    missing_rows = set(missing_ids(api.session, api.ctx, User, known))
    unknown = [p for p, i in decoded.items() if i is None or i in missing_rows]
    if unknown:
        raise field_error("users", "Unknown user ids: " + ", ".join(unknown))
    return list(dict.fromkeys(i for i in decoded.values() if i is not None))


@router.get(
    "/groups/{group_id}/users/{user_id}", operation_id="groups_users_retrieve", summary="Member"
)
def member(group_id: str, user_id: str, api: ReadApi) -> Response:
    row = skilljar_group_member(
        api.session, api.ctx, api.path_id("group", group_id), api.path_id("user", user_id)
    )
    if row is None:
        raise NotFound("group member")
    return json(_member(api, row))


@router.delete(
    "/groups/{group_id}/users/{user_id}",
    operation_id="groups_users_destroy",
    summary="Remove a member",
    status_code=204,
)
def remove_member(group_id: str, user_id: str, api: WriteApi) -> Response:
    gid, uid = api.path_id("group", group_id), api.path_id("user", user_id)
    removed = remove_users_from_group(api.session, api.ctx, group_id=gid, user_ids=[uid])
    if not removed:
        raise NotFound("group member")
    return Response(status_code=204)


def _rules(api: Api, group_id: int) -> list[str]:
    return skilljar_group_facts(api.session, api.ctx, [group_id])[1].get(group_id, [])


@router.get(
    "/groups/{group_id}/email-domain-rules",
    operation_id="groups_email_domain_rules_retrieve",
    summary="Email-domain rules",
)
def email_domain_rules(group_id: str, api: ReadApi) -> Response:
    """Users created with an email at one of these domains join the group automatically."""
    return json({"email_domains": _rules(api, _group_id(api, group_id))})


@router.patch(
    "/groups/{group_id}/email-domain-rules",
    operation_id="groups_email_domain_rules_partial_update",
    summary="Add or remove email-domain rules",
    openapi_extra=openapi_body(EmailDomainRulesPatch),
)
def patch_email_domain_rules(group_id: str, api: WriteApi) -> Response:
    gid = _group_id(api, group_id)
    body = parse(EmailDomainRulesPatch, api.body)
    current = set(_rules(api, gid)) if body.email_domains is None else set()
    wanted = current | {d.strip().lower() for d in body.add + (body.email_domains or [])}
    wanted -= {d.strip().lower() for d in body.remove}
    result = set_email_domain_rules(
        api.session, api.ctx, group_id=gid, email_domains=sorted(wanted)
    )
    return json({"email_domains": result})


def _category(api: Api, row: Any) -> dict[str, Any]:
    return {"id": api.id("group_category", row.id), "name": row.name}


@router.get(
    "/group-categories",
    operation_id="group_categories_list",
    summary="Group categories",
    tags=["Group categories"],
)
def categories(api: ReadApi, paging: PagingQuery) -> Response:
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = SKILLJAR_GROUP_CATEGORIES.rows(api.session, api.ctx, pr.window())
    body = envelope(
        api.request,
        api.ids,
        pr,
        rows,
        lambda r: _category(api, r),
        count=lambda: SKILLJAR_GROUP_CATEGORIES.count(api.session, api.ctx),
    )
    return json(body)


@router.get(
    "/group-categories/{group_category_id}",
    operation_id="group_categories_retrieve",
    summary="A group category",
    tags=["Group categories"],
)
def category(group_category_id: str, api: ReadApi) -> Response:
    row = skilljar_group_category(
        api.session, api.ctx, api.path_id("group_category", group_category_id)
    )
    if row is None:
        raise NotFound("group category")
    return json(_category(api, row))
