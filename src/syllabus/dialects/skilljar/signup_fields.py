"""Signup fields: ``/v1/domains/{d}/signup-fields`` and a domain user's answers to them.

Fields are defined with the CLI (``syllabus signup-field ...``): the official API only reads
them. Answers are saved one at a time (``POST .../signup-fields``: create or update, 201) or
several at once (``POST .../signup-fields-bulk``: all or none, 201 with ``Location``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field
from starlette.responses import Response

from syllabus.core.errors import Invalid, NotFound
from syllabus.dialects.skilljar.api import Api, ReadApi, WriteApi, etag, json
from syllabus.dialects.skilljar.body import WireModel, openapi_body, parse
from syllabus.dialects.skilljar.domains import domain_id_of
from syllabus.dialects.skilljar.errors import FieldErrors
from syllabus.dialects.skilljar.pagination import envelope, page_request
from syllabus.dialects.skilljar.query_params import PagingQuery
from syllabus.dialects.skilljar.routing import SkilljarRouter
from syllabus.dialects.skilljar.signup_data import FIELD_KIND, answer
from syllabus.queries.domains import domain_user
from syllabus.queries.signup_fields import (
    SIGNUP_FIELDS,
    USER_VALUES,
    options_of,
    user_value,
    values_of_users,
)
from syllabus.services.signup_fields import ValueChange, set_user_signup_values

router = SkilljarRouter(tags=["Domains > Signup Fields"])
OPTION_KIND = "signup_field_option"
MAX_BULK = 1000


class SignupFieldRef(WireModel):
    id: str


AnyValue = Annotated[Any, Field(json_schema_extra={"type": "string", "minLength": 1})]
"""Checked by the service against its field (numbers are read as text, as DRF does)."""


class UserSignupFieldValueRequest(WireModel):
    signup_field: SignupFieldRef | str
    value: AnyValue


class BulkUserSignupFieldValueRequest(WireModel):
    id: str
    value: AnyValue


class BulkUserSignupInfoRequest(WireModel):
    signup_fields: list[BulkUserSignupFieldValueRequest] = Field(min_length=1, max_length=MAX_BULK)


def _field(api: Api, row: Any, options: list[Any]) -> dict[str, Any]:
    return {
        "id": api.id(FIELD_KIND, row.id),
        "type": row.type,
        "label": row.label,
        "help_text": row.help_text,
        "regex_validator": row.regex_validator,
        "regex_validator_error_text": row.regex_validator_error_text,
        "required": row.required,
        "active": row.active,
        "order": row.order,
        "options": [{"id": api.id(OPTION_KIND, o.id), "value": o.value} for o in options],
    }


def _member(api: Api, domain_name: str, user_id: str) -> tuple[int, int]:
    """The domain and user ids from the URL; a user outside the domain is a 404."""
    domain_id, uid = domain_id_of(api, domain_name), api.path_id("user", user_id)
    if domain_user(api.session, api.ctx, domain_id, uid) is None:
        raise NotFound("domain user")
    return domain_id, uid


@router.get(
    "/domains/{domain_name}/signup-fields",
    operation_id="domains_signup_fields_list",
    summary="The domain's signup fields",
)
def list_signup_fields(domain_name: str, api: ReadApi, paging: PagingQuery) -> Response:
    filters = {"domain_id": domain_id_of(api, domain_name)}
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = SIGNUP_FIELDS.rows(api.session, api.ctx, pr.window(), filters)
    options = options_of(api.session, api.ctx, [r.id for r in rows[: pr.size]])
    count = lambda: SIGNUP_FIELDS.count(api.session, api.ctx, filters)  # noqa: E731
    render = lambda r: _field(api, r, options.get(r.id, []))  # noqa: E731
    return json(envelope(api.request, api.ids, pr, rows, render, count=count))


@router.get(
    "/domains/{domain_name}/users/{user_id}/signup-fields",
    operation_id="domains_users_signup_fields_list",
    summary="A domain user's signup field values",
)
def list_user_values(domain_name: str, user_id: str, api: ReadApi, paging: PagingQuery) -> Response:
    domain_id, uid = _member(api, domain_name, user_id)
    filters = {"domain_id": domain_id, "user_id": uid}
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = USER_VALUES.rows(api.session, api.ctx, pr.window(), filters)
    count = lambda: USER_VALUES.count(api.session, api.ctx, filters)  # noqa: E731
    return json(envelope(api.request, api.ids, pr, rows, lambda r: answer(api, r), count=count))


def _value_tag(row: Any) -> str:
    return etag((row.version,))


@router.get(
    "/domains/{domain_name}/users/{user_id}/signup-fields/{signup_field_id}",
    operation_id="domains_users_signup_fields_retrieve",
    summary="A domain user's value of one signup field",
)
def retrieve_user_value(
    domain_name: str, user_id: str, signup_field_id: str, api: ReadApi
) -> Response:
    domain_id, uid = _member(api, domain_name, user_id)
    field_id = api.path_id(FIELD_KIND, signup_field_id)
    row = user_value(api.session, api.ctx, domain_id, uid, field_id)
    if row is None:
        raise NotFound("signup field value")
    return json(answer(api, row), tag=_value_tag(row))


def _field_id(api: Api, public_id: str) -> int:
    """Ids that are not ours become 0, which the service reports as an unknown field."""
    return api.ids.decode(FIELD_KIND, public_id) or 0


@router.post(
    "/domains/{domain_name}/users/{user_id}/signup-fields",
    operation_id="domains_users_signup_fields_create",
    summary="Set a domain user's value of a signup field",
    status_code=201,
    openapi_extra=openapi_body(UserSignupFieldValueRequest),
)
def save_user_value(domain_name: str, user_id: str, api: WriteApi) -> Response:
    domain_id, uid = _member(api, domain_name, user_id)
    body = parse(UserSignupFieldValueRequest, api.body)
    ref = body.signup_field
    field_id = _field_id(api, ref if isinstance(ref, str) else ref.id)
    change = ValueChange(field_id=field_id, value=body.value)
    try:
        set_user_signup_values(
            api.session, api.ctx, domain_id=domain_id, user_id=uid, changes=[change]
        )
    except Invalid as error:
        if error.field == "signup_field":
            raise FieldErrors({"signup_field": {"id": [error.message]}}) from None
        raise
    row = user_value(api.session, api.ctx, domain_id, uid, field_id)
    assert row is not None
    return json(answer(api, row), 201, tag=_value_tag(row))


@router.post(
    "/domains/{domain_name}/users/{user_id}/signup-fields-bulk",
    operation_id="domains_users_signup_fields_bulk_create",
    summary="Set several of a domain user's signup field values at once",
    status_code=201,
    openapi_extra=openapi_body(BulkUserSignupInfoRequest),
)
def save_user_values(domain_name: str, user_id: str, api: WriteApi) -> Response:
    """All or none: any bad row rejects the request, naming it (DRF's list of error maps).
    Answers only the fields given, with ``Location`` at the user's list of values."""
    domain_id, uid = _member(api, domain_name, user_id)
    body = parse(BulkUserSignupInfoRequest, api.body)
    changes = [ValueChange(_field_id(api, row.id), row.value) for row in body.signup_fields]
    try:
        set_user_signup_values(
            api.session, api.ctx, domain_id=domain_id, user_id=uid, changes=changes
        )
    except Invalid as error:
        index = error.details.get("index")
        if index is None:
            raise
        rows: list[dict[str, Any]] = [{} for _ in changes]
        rows[index] = {"id" if error.field == "signup_field" else "value": [error.message]}
        raise FieldErrors({"signup_fields": rows}) from None
    saved = {
        row.field_id: row
        for row in values_of_users(api.session, api.ctx, domain_id, [uid]).get(uid, [])
    }
    results = [answer(api, saved[change.field_id]) for change in changes]
    response = json({"results": results}, 201)
    location = str(api.request.url.replace(query=None)).rstrip("/").removesuffix("-bulk")
    response.headers["Location"] = location
    return response
