"""List and search parameters (RFC 7644 §3.4.2, RFC 9865 cursors), from a query string or a
SearchRequest body, and the ListResponse they produce."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from scim2_models import (
    InvalidPathException,
    InvalidSyntaxException,
    InvalidValueException,
    ResponseParameters,
    SCIMException,
)

from syllabus.dialects.scim.schema import LIST_URN, SEARCH_URN
from syllabus.queries.counted_pages import MAX_COUNT

DEFAULT_COUNT = 100
MAX_START_INDEX = 2**63 - 1
"""The largest startIndex a database OFFSET can take; any beyond it is past every row too."""


class InvalidCursor(SCIMException):
    status = 400
    scim_type = "invalidCursor"


@dataclass(frozen=True)
class ListParams:
    filter: str | None = None
    start_index: int = 1
    count: int = DEFAULT_COUNT
    sort_by: str | None = None
    descending: bool = False
    cursor: int | None = None
    """After which id a cursor page starts (0: the first page); None: index paging."""
    response: ResponseParameters[Any] | None = None


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise InvalidValueException(detail=f"{name} must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise InvalidValueException(detail=f"{name} must be an integer")


def _names(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise InvalidValueException(detail=f"{name} must be a list of attribute names")


def decode_cursor(value: str) -> int:
    if value == "":
        return 0
    try:
        decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor(detail="cursor is not one this server issued") from None
    if not decoded.startswith("u") or not decoded[1:].isdigit() or len(decoded) > 20:
        raise InvalidCursor(detail="cursor is not one this server issued")
    return int(decoded[1:])


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"u{last_id}".encode()).decode("ascii").rstrip("=")


def next_after(params: ListParams, last_id: int | None, more: bool) -> int | None:
    """Where the next cursor page starts: after this page's last row or, when the page is
    empty because ``count`` is 0, where this one started."""
    if not more:
        return None
    return last_id if last_id is not None else params.cursor


def list_params(raw: dict[str, Any]) -> ListParams:
    """Parameters by case-insensitive name; out-of-range paging is clamped per RFC 7644."""
    fields = {k.lower(): v for k, v in raw.items()}
    filter_text = fields.get("filter")
    if filter_text is not None and not isinstance(filter_text, str):
        raise InvalidValueException(detail="filter must be a string")
    start = 1
    if "startindex" in fields:  # past every row is an empty page; past int64 too (clamped)
        start = min(max(_integer(fields["startindex"], "startIndex"), 1), MAX_START_INDEX)
    count = DEFAULT_COUNT
    if "count" in fields:
        count = min(max(_integer(fields["count"], "count"), 0), MAX_COUNT)
    sort_by = fields.get("sortby")
    if sort_by is not None and (not isinstance(sort_by, str) or not sort_by.strip()):
        raise InvalidValueException(detail="sortBy must be an attribute name")
    order = str(fields.get("sortorder") or "ascending").lower()
    if order not in ("ascending", "descending"):
        raise InvalidValueException(detail="sortOrder must be ascending or descending")
    cursor = None
    if "cursor" in fields:
        if not isinstance(fields["cursor"], str):
            raise InvalidCursor(detail="cursor must be a string")
        if sort_by or "startindex" in fields:
            raise InvalidValueException(
                detail="cursor pages are in id order: use either cursor or sortBy/startIndex"
            )
        cursor = decode_cursor(fields["cursor"])
    attributes = _names(fields.get("attributes"), "attributes")
    excluded = _names(fields.get("excludedattributes"), "excludedAttributes")
    if attributes and excluded:
        raise InvalidValueException(detail="give attributes or excludedAttributes, not both")
    response: ResponseParameters[Any] | None = None
    if attributes or excluded:
        try:
            response = ResponseParameters(
                attributes=attributes or None, excluded_attributes=excluded or None
            )
        except ValidationError:
            name = "attributes" if attributes else "excludedAttributes"
            raise InvalidPathException(detail=f"{name} must be a list of attribute paths") from None
    return ListParams(
        filter=filter_text.strip() or None if filter_text else None,
        start_index=start,
        count=count,
        sort_by=sort_by.strip() if sort_by else None,
        descending=order == "descending",
        cursor=cursor,
        response=response,
    )


def search_params(body: Any) -> ListParams:
    if not isinstance(body, dict):
        raise InvalidSyntaxException(detail="a SearchRequest must be a JSON object")
    fields = {k.lower(): v for k, v in body.items()}
    schemas = fields.pop("schemas", None)
    if not isinstance(schemas, list) or SEARCH_URN.lower() not in {str(s).lower() for s in schemas}:
        raise InvalidSyntaxException(detail=f"schemas must contain {SEARCH_URN}")
    return list_params(fields)


def response_params(raw: dict[str, Any]) -> ResponseParameters[Any] | None:
    """attributes / excludedAttributes on a single-resource request."""
    return list_params(
        {k: v for k, v in raw.items() if k.lower() in ("attributes", "excludedattributes")}
    ).response


def list_response(
    params: ListParams, total: int, resources: list[dict[str, Any]], next_id: int | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schemas": [LIST_URN],
        "totalResults": total,
        "itemsPerPage": len(resources),
    }
    if params.cursor is None:
        body["startIndex"] = params.start_index
    elif next_id is not None:
        body["nextCursor"] = encode_cursor(next_id)
    body["Resources"] = resources
    return body
