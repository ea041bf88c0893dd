"""Signup-field answers on the domain users list: its filters and ``include_signup_field_data``.

Kept apart from the routes so that ``domains`` can use it without importing them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from syllabus.dialects.skilljar.api import Api
from syllabus.dialects.skilljar.errors import field_error
from syllabus.dialects.skilljar.query_params import DomainUserFilters
from syllabus.queries.signup_fields import values_of_users

FIELD_KIND = "signup_field"
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})


def answer(api: Api, row: Any) -> dict[str, Any]:
    """UserSignupFieldValue: the field (id and label) and the value."""
    return {
        "signup_field": {"id": api.id(FIELD_KIND, row.field_id), "label": row.label},
        "value": row.value,
    }


def signup_filters(api: Api, query: DomainUserFilters) -> dict[str, Any]:
    """The list filters on answers; a value with a field named must be that field's value."""
    filters: dict[str, Any] = {}
    raw_id = query.signup_field_id
    if raw_id:
        field_id = api.ids.decode(FIELD_KIND, raw_id)
        if field_id is None:
            raise field_error(
                "signup_field_id",
                "Select a valid choice. That choice is not one of the available choices.",
            )
        filters["signup_field_id"] = field_id
    label, value = query.signup_field_label, query.signup_field_value
    if label:
        filters["signup_field_label"] = label
    if value:
        if "signup_field_id" in filters:
            filters["signup_field_value_of_id"] = value
        elif label:
            filters["signup_field_value_of_label"] = value
        else:
            filters["signup_field_value"] = value
    return filters


def wants_signup_data(query: DomainUserFilters) -> bool:
    return (query.include_signup_field_data or "").strip().lower() in TRUE_WORDS


def signup_data(api: Api, domain_id: int, user_ids: Sequence[int]) -> dict[int, list[Any]]:
    """Each listed user's answers, rendered, from one statement for the whole page."""
    found = values_of_users(api.session, api.ctx, domain_id, user_ids)
    return {user_id: [answer(api, row) for row in rows] for user_id, rows in found.items()}
