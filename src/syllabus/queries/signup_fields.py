"""Signup fields and users' answers as REST views, and the domain-user filters on answers.

Every read is a constant number of statements: a page of fields and then their options in one
statement; a page of domain users and then all their answers in one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, bindparam, exists, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import possible_id, possible_ids
from syllabus.domain.signup_manager import SignupField, SignupFieldOption, UserSignupFieldValue
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.tenants import DomainMembership
from syllabus.queries.pages import Filter, Listing

_fields = SignupField.__table__.c
_options = SignupFieldOption.__table__.c
_values = UserSignupFieldValue.__table__.c
_members = DomainMembership.__table__.c
_VALUES_TABLE = UserSignupFieldValue.__table__

SIGNUP_FIELDS = Listing(
    scoped_select(SignupField),
    _fields.id,
    {"domain_id": lambda: _fields.domain_id == bindparam("domain_id")},
)
_OPTIONS = (
    scoped_select(SignupFieldOption)
    .where(_options.field_id.in_(bindparam("field_ids", expanding=True)))
    .order_by(_options.field_id, _options.id)
)
_ANSWERS = scoped_select(
    UserSignupFieldValue,
    *_values,
    _fields.label,
    _fields.domain_id,
).join(SignupField.__table__, _fields.id == _values.field_id)
USER_VALUES = Listing(
    _ANSWERS,
    _values.id,
    {
        "domain_id": lambda: _fields.domain_id == bindparam("domain_id"),
        "user_id": lambda: _values.user_id == bindparam("user_id"),
    },
)
_ONE_VALUE = _ANSWERS.where(
    _fields.domain_id == bindparam("domain_id"),
    _values.user_id == bindparam("user_id"),
    _values.field_id == bindparam("field_id"),
)
_VALUES_OF_USERS = _ANSWERS.where(
    _fields.domain_id == bindparam("domain_id"),
    _values.user_id.in_(bindparam("user_ids", expanding=True)),
).order_by(_values.user_id, _fields.order, _fields.id)


def _answer(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """EXISTS an answer of the listed member, on one of their domain's fields, such that..."""
    return exists(
        select(_values.id)
        .select_from(_VALUES_TABLE.join(SignupField.__table__, _fields.id == _values.field_id))
        .where(
            _values.tenant_id == _members.tenant_id,
            _values.user_id == _members.user_id,
            _fields.domain_id == _members.domain_id,
            *conditions,
        )
    )


DOMAIN_USER_FILTERS: dict[str, Filter] = {
    "signup_field_id": lambda: _answer(_values.field_id == bindparam("signup_field_id")),
    "signup_field_label": lambda: _answer(_fields.label == bindparam("signup_field_label")),
    "signup_field_value": lambda: _answer(_values.value == bindparam("signup_field_value")),
    # With a field named too, the value must be that field's (one answer matches both):
    "signup_field_value_of_id": lambda: _answer(
        _values.value == bindparam("signup_field_value_of_id"),
        _values.field_id == bindparam("signup_field_id"),
    ),
    "signup_field_value_of_label": lambda: _answer(
        _values.value == bindparam("signup_field_value_of_label"),
        _fields.label == bindparam("signup_field_label"),
    ),
}
"""Filters on ``queries.domains.DOMAIN_USERS``; values compare case-sensitively."""


def options_of(session: Session, ctx: Context, field_ids: Sequence[int]) -> dict[int, list[Any]]:
    """The options of these fields, by field, in creation order (one statement)."""
    out: dict[int, list[Any]] = {i: [] for i in field_ids}
    if field_ids:
        params = {"field_ids": list(field_ids)}
        for row in execute_scoped(session, ctx.tenant_id, _OPTIONS, params):
            out.setdefault(row.field_id, []).append(row)
    return out


def user_value(
    session: Session, ctx: Context, domain_id: int, user_id: int, field_id: int
) -> Row[Any] | None:
    if not (possible_id(user_id) and possible_id(field_id)):
        return None
    params = {"domain_id": domain_id, "user_id": user_id, "field_id": field_id}
    return execute_scoped(session, ctx.tenant_id, _ONE_VALUE, params).first()


def values_of_users(
    session: Session, ctx: Context, domain_id: int, user_ids: Sequence[int]
) -> dict[int, list[Any]]:
    """Every answer of these users on the domain's fields, by user (one statement)."""
    out: dict[int, list[Any]] = {}
    ids = possible_ids(list(dict.fromkeys(user_ids)))
    if ids:
        params = {"domain_id": domain_id, "user_ids": ids}
        for row in execute_scoped(session, ctx.tenant_id, _VALUES_OF_USERS, params):
            out.setdefault(row.user_id, []).append(row)
    return out
