"""Manager access: ``PUT``/``DELETE /v1/domains/{d}/users/{user_id}/manager-access``.

The same data as SkyPrep's group managers (see ``services.manager_access``): a manager set
here is listed by ``get_manager_permissions_from_user_group`` and one assigned there can be
replaced or revoked here. Access levels are ``ALL``, ``SELECTED`` (the ids given) or ``NONE``.
Course and path ids that are not the program's are not applied and come back in
``invalid_ids``; there are no licenses here, so every license id comes back there too.
PUT answers an ``ETag`` for the whole setting; ``If-Match`` on PUT and DELETE guards it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from starlette.responses import Response

from syllabus.dialects.skilljar.api import Api, WriteApi, etag, json
from syllabus.dialects.skilljar.body import WireModel, openapi_body, parse
from syllabus.dialects.skilljar.domains import domain_id_of
from syllabus.dialects.skilljar.render import user_ref
from syllabus.dialects.skilljar.routing import SkilljarRouter
from syllabus.domain.users import User
from syllabus.queries.manager_access import manager_links
from syllabus.services.manager_access import (
    MAX_SCOPE_IDS,
    ManagerAccessSettings,
    manager_access_version,
    remove_manager_access,
    set_manager_access,
)

router = SkilljarRouter(tags=["Domains > Manager Access"])


def _as_list(value: object) -> object:
    """A form sends one id as a plain string and several as repeated keys."""
    return [value] if isinstance(value, str) else value


IdList = Annotated[
    list[Annotated[str, Field(min_length=1)]],
    BeforeValidator(_as_list),
    Field(max_length=MAX_SCOPE_IDS),
]


class ManagerAccessUpdateRequest(WireModel):
    group_name: str = Field(min_length=1)
    can_create_users: bool = False
    course_access_level: str = Field(min_length=1)
    course_ids: IdList = []
    path_access_level: str = Field(min_length=1)
    path_ids: IdList = []
    license_ids: IdList = []


def _tag(api: Api, user_id: int) -> str:
    """The user's whole manager setting as one validator (links, their flags and scope)."""
    rows = manager_links(api.session, api.ctx, user_id)
    return etag(manager_access_version([(r.id, r.version, r.access_version) for r in rows]))


def _decoded(api: Api, kind: str, public_ids: list[str]) -> tuple[list[int], dict[int, str]]:
    """Row ids to apply and, for reporting, the public id each came from. Ids that are not
    ours become 0, which the service finds missing like any unknown id."""
    ids: list[int] = []
    names: dict[int, str] = {}
    for public_id in public_ids:
        row_id = api.ids.decode(kind, public_id) or 0
        ids.append(row_id)
        names.setdefault(row_id, public_id)
    return ids, names


def _invalid(public_ids: list[str], names: dict[int, str], missing: list[int]) -> list[str]:
    """Every given id that was not applied, in the order given, once each."""
    applied = {public for row_id, public in names.items() if row_id not in set(missing)}
    return list(dict.fromkeys(p for p in public_ids if p not in applied))


@router.put(
    "/domains/{domain_name}/users/{user_id}/manager-access",
    operation_id="domains_users_manager_access_update",
    summary="Grant or replace a user's manager access",
    openapi_extra=openapi_body(ManagerAccessUpdateRequest),
)
def put_manager_access(domain_name: str, user_id: str, api: WriteApi) -> Response:
    """Replaces the whole setting; ``group_name`` is created when the program has no such group
    (see ``services.manager_access``)."""
    domain_id, uid = domain_id_of(api, domain_name), api.path_id("user", user_id)
    body = parse(ManagerAccessUpdateRequest, api.body)
    course_ids, course_names = _decoded(api, "course", body.course_ids)
    path_ids, path_names = _decoded(api, "path", body.path_ids)
    result = set_manager_access(
        api.session,
        api.ctx,
        domain_id=domain_id,
        user_id=uid,
        settings=ManagerAccessSettings(
            group_name=body.group_name,
            can_create_users=body.can_create_users,
            course_access_level=body.course_access_level,
            course_ids=course_ids,
            path_access_level=body.path_access_level,
            path_ids=path_ids,
        ),
        expected_version=api.expected_version,
    )
    view = result.view
    user = api.session.get(User, uid)
    assert user is not None
    body_out: dict[str, Any] = {
        "user": user_ref(api, user.id, user.email, user.first_name, user.last_name),
        "manager_access": {
            "group_id": api.id("group", view.group_id),
            "can_create_users": view.can_create_users,
            "course_access_level": view.course_access_level,
            "course_ids": [api.id("course", i) for i in view.course_ids],
            "path_access_level": view.path_access_level,
            "path_ids": [api.id("path", i) for i in view.path_ids],
            "license_ids": [],
        },
        "invalid_ids": {
            "course_ids": _invalid(body.course_ids, course_names, result.invalid_course_ids),
            "path_ids": _invalid(body.path_ids, path_names, result.invalid_path_ids),
            "license_ids": list(dict.fromkeys(body.license_ids)),
        },
    }
    return json(body_out, tag=_tag(api, uid))


@router.delete(
    "/domains/{domain_name}/users/{user_id}/manager-access",
    operation_id="domains_users_manager_access_destroy",
    summary="Revoke a user's manager access",
    status_code=204,
)
def delete_manager_access(domain_name: str, user_id: str, api: WriteApi) -> Response:
    domain_id, uid = domain_id_of(api, domain_name), api.path_id("user", user_id)
    remove_manager_access(
        api.session,
        api.ctx,
        domain_id=domain_id,
        user_id=uid,
        expected_version=api.expected_version,
    )
    return Response(status_code=204)
