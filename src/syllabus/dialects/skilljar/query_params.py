"""The query parameters the ``/v1`` list routes read, declared in ``/v1/openapi.json``.

The handlers read ``request.query_params`` themselves (DRF-style parsing: ``True``/``False``
strings, field-error maps), so FastAPI cannot infer them; without this table the document
would show the list routes as taking nothing, and neither clients nor fuzzers would see the
paging and filters they really accept.
"""

from __future__ import annotations

import copy
from typing import Any

from syllabus.dialects.skilljar.pagination import MAX_PAGE_SIZE
from syllabus.queries.feed import MAX_LIMIT

_STRING: dict[str, Any] = {"type": "string"}
_BOOLEAN_WORD: dict[str, Any] = {"type": "string", "enum": ["true", "false", "True", "False"]}


def _query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    declared = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        declared["description"] = description
    return declared


PAGING = [
    _query("page", {"type": "integer", "minimum": 1}, "Page number; pages carry `count`."),
    _query(
        "page_size",
        {"type": "integer", "minimum": 1},
        f"Rows per page (default 100, at most {MAX_PAGE_SIZE:,}).",
    ),
    _query("cursor", _STRING, "Opaque position from a `next`/`previous` link."),
]

PAGED = (
    "courses_list",
    "domains_list",
    "domains_published_courses_enrollments_list",
    "domains_published_courses_list",
    "domains_published_paths_list",
    "domains_published_paths_path_items_list",
    "domains_published_paths_published_path_enrollments_list",
    "domains_signup_fields_list",
    "domains_users_list",
    "domains_users_signup_fields_list",
    "group_categories_list",
    "groups_list",
    "groups_users_list",
    "lessons_list",
    "paths_list",
    "paths_path_items_list",
    "users_enrollments_guide",
    "users_groups_list",
    "users_list",
    "users_published_courses_lessons_list",
    "webhooks_deliveries_list",
    "webhooks_list",
)
"""Operations answering ``{"next", "previous", "results"}`` pages (``pagination.envelope``)."""

FILTERS: dict[str, list[dict[str, Any]]] = {
    "users_list": [
        _query("email", _STRING, "Any case; answered from an index."),
        _query("first_name", _STRING),
        _query("last_name", _STRING),
        _query("sso_id", _STRING),
        _query("external_id", _STRING),
        _query("is_inactive", _BOOLEAN_WORD),
    ],
    "domains_users_list": [
        _query("user__email", _STRING),
        _query("user__first_name", _STRING),
        _query("user__last_name", _STRING),
        _query("active", _BOOLEAN_WORD),
        _query("signup_field_id", _STRING),
        _query("signup_field_label", _STRING),
        _query("signup_field_value", _STRING),
        _query("include_signup_field_data", _BOOLEAN_WORD),
    ],
    "domains_published_courses_list": [_query("course__id", _STRING)],
    "lessons_list": [_query("course_id", _STRING)],
    "events_list": [
        _query("after", _STRING, "Cursor from the previous page's `next`."),
        _query(
            "type", {"type": "array", "items": _STRING}, "Event types, repeated or comma separated."
        ),
        _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
        _query("wait", {"type": "number", "minimum": 0, "maximum": 60}, "Long-poll seconds."),
    ],
    "events_stream": [
        _query("after", _STRING),
        _query("type", {"type": "array", "items": _STRING}),
        _query("duration", {"type": "number", "minimum": 0, "maximum": 86_400}),
    ],
}


def declare(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with each list operation's paging and filter parameters."""
    for operations in document["paths"].values():
        for operation in operations.values():
            name = operation.get("operationId")
            extra = FILTERS.get(name, []) + (PAGING if name in PAGED else [])
            if extra:
                operation.setdefault("parameters", []).extend(copy.deepcopy(extra))
    return document
